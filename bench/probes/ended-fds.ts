// Probe (not in npm test): the app's open fds after N short processes and an exec pool of M echo
// tasks have ended. Run: npx tsx bench/probes/ended-fds.ts [processes=300] [tasks=1500]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../../main/app/supervisor.js';

const processCount = Number(process.argv[2] ?? 300);
const taskCount = Number(process.argv[3] ?? 1500);
const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-probe-fds-'));
const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 60_000, orphanWatchdog: false });
const openFds = (): number => readdirSync('/proc/self/fd').length;
const settle = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1000));
};

const baseline = openFds();
for (let i = 0; i < processCount; i += 1) await supervisor.createProcess({ command: 'sh', args: ['-c', `echo ${i}`] });
await settle(() => supervisor.snapshot().processes.every((row) => row.state === 'exited'));
const afterProcesses = openFds();
const pool = supervisor.createPool({ processes: 8, command: 'echo', mode: 'exec' });
supervisor.submitTasks(pool.id, Array.from({ length: taskCount }, (_, i) => [String(i)]));
await settle(() => supervisor.poolOf(pool.id).counts.done + supervisor.poolOf(pool.id).counts.failed === taskCount);
const afterTasks = openFds();
console.log(`fds: baseline ${baseline}, after ${processCount} processes ${afterProcesses}, after ${taskCount} exec tasks ${afterTasks}`);
console.log(`failed tasks: ${supervisor.poolOf(pool.id).counts.failed}`);
await supervisor.shutdown({ terminateAll: true });
await supervisor.dispose();
rmSync(dataDir, { recursive: true, force: true });
