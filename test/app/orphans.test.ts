// No orphans when the app dies uncleanly: the backend runs in its own process (test/fixtures/supervisor-app.ts)
// with 30 jobs, 3 pools and grandchildren; the test SIGKILLs it, as a crash or the OOM killer would, and
// every process it started must end. afterEach kills whatever is left, by pid and start time.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';
import { until } from '../helpers/until.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/orphans.test.ts', 'its app (test/fixtures/supervisor-app.ts) starts sh and sleep jobs in process groups');

const FIXTURE = new URL('../fixtures/supervisor-app.ts', import.meta.url).pathname;

const seen = new Map<number, number>();
let app: ChildProcess | null = null;
let dataDir: string | null = null;

function alive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTime === seen.get(pid) && stat.state !== 'Z';
}

afterEach(() => {
  if (app && app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
  app = null;
  for (const pid of seen.keys()) {
    if (!alive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  seen.clear();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

it.skipIf(skipHere)('ends every job, worker, task and grandchild when the app is SIGKILLed', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-orphans-'));
  app = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: app.stdout! }), 'line')) as [string];
  expect(line).toBe('ready');

  const stats = readAllProcStats();
  const tree = descendantsOf(app.pid!, childrenByParent(stats));
  for (const pid of tree) {
    const stat = readProcStat(pid);
    if (stat) seen.set(pid, stat.startTime);
  }
  // 30 jobs and 4 exec tasks with a grandchild each, 2 python workers, 2 sleeps, the watchdog.
  expect(tree.length).toBeGreaterThanOrEqual(30 * 2 + 4 * 2 + 2 + 2 + 1);

  app.kill('SIGKILL');
  const survivors = await until(() => {
    const left = tree.filter(alive);
    return left.length === 0 ? left : null;
  }, 'every process the killed app started to end', { timeoutMs: 20_000 });
  expect(survivors).toEqual([]);
});
