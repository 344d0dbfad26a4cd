// How many of the app's processes outlive a SIGKILL of the app, with and without the orphan watchdog.
// Runs test/fixtures/supervisor-app.ts (30 jobs with grandchildren, 3 pools), kills it, and counts the
// processes of its tree still alive 5 s later (then kills them).
// Usage: npx tsx bench/probes/orphans-on-kill.ts [--no-watchdog]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';

const withoutWatchdog = process.argv.includes('--no-watchdog');
const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-orphans-probe-'));
const app = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/supervisor-app.ts', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, POOLDECK_PROBE_NO_WATCHDOG: withoutWatchdog ? '1' : '0' },
});
await once(createInterface({ input: app.stdout! }), 'line');
const tree = descendantsOf(app.pid!, childrenByParent(readAllProcStats()));
const startTimes = new Map(tree.map((pid) => [pid, readProcStat(pid)?.startTime]));
const alive = (): number[] =>
  tree.filter((pid) => {
    const stat = readProcStat(pid);
    return stat !== null && stat.startTime === startTimes.get(pid) && stat.state !== 'Z';
  });
const killedAt = Date.now();
app.kill('SIGKILL');
while (alive().length > 0 && Date.now() - killedAt < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
const left = alive();
console.log(
  `${withoutWatchdog ? 'without' : 'with'} the watchdog: ${tree.length} processes under the app; ${left.length} alive ${Date.now() - killedAt} ms after its SIGKILL`,
);
for (const pid of left) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
rmSync(dataDir, { recursive: true, force: true });
