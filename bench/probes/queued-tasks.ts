// Probe (not in npm test): 100,000 queued tasks in an exec pool whose one slot is busy; the size and
// time of a snapshot, a new client's first message, a page of the task list, and the app's RSS before,
// with the queue, and after cancelling it.
// Run: node --expose-gc node_modules/.bin/tsx bench/probes/queued-tasks.ts [tasks=100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoalescedEvents } from '../../main/app/coalesced-events.js';
import { Supervisor } from '../../main/app/supervisor.js';
import type { AppEvent } from '../../main/protocol/index.js';

const taskCount = Number(process.argv[2] ?? 100_000);
const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-probe-queued-'));
const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 60_000, orphanWatchdog: false });
const mib = (bytes: number): string => (Math.abs(bytes) < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
const settledMemory = async (): Promise<{ rss: number; heap: number }> => {
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
};
const timed = <T>(run: () => T): [T, number] => {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
};

const before = await settledMemory();
const pool = supervisor.createPool({ processes: 1, command: 'sleep', mode: 'exec' });
const [, submitMs] = timed(() => {
  for (let i = 0; i < taskCount; i += 100_000) supervisor.submitTasks(pool.id, Array.from({ length: Math.min(100_000, taskCount - i) }, () => ['30']));
});
while (supervisor.poolOf(pool.id).counts.running === 0) await new Promise((resolve) => setTimeout(resolve, 20));
supervisor.takeDelta();
const queued = await settledMemory();
const [snapshotText, snapshotMs] = timed(() => JSON.stringify(supervisor.snapshot()));
const events = new CoalescedEvents(supervisor, 250);
let firstMessage = '';
const [, firstMessageMs] = timed(() => events.subscribe((event: AppEvent) => (firstMessage ||= JSON.stringify(event)))());
events.dispose();
const [pageText, pageMs] = timed(() => JSON.stringify(supervisor.listTasks(pool.id, { state: 'queued', offset: taskCount / 2, limit: 100 })));
const [, terminateMs] = await (async () => {
  const start = performance.now();
  await supervisor.terminatePool(pool.id);
  return [null, performance.now() - start] as const;
})();
const [deltaText] = timed(() => JSON.stringify(supervisor.takeDelta()));
const cancelled = await settledMemory();

console.log(`queued tasks: ${taskCount} (submitted in ${submitMs.toFixed(0)} ms)`);
console.log(`snapshot: ${mib(snapshotText.length)} in ${snapshotMs.toFixed(0)} ms; a new client's first message: ${mib(firstMessage.length)} in ${firstMessageMs.toFixed(0)} ms`);
console.log(`a page of 100 queued tasks: ${mib(pageText.length)} in ${pageMs.toFixed(1)} ms`);
console.log(`terminatePool: ${terminateMs.toFixed(0)} ms; the delta after it: ${mib(deltaText.length)}`);
for (const key of ['rss', 'heap'] as const) {
  console.log(
    `${key}: before ${mib(before[key])}, queued +${mib(queued[key] - before[key])}, after cancelling +${mib(cancelled[key] - before[key])}`,
  );
}
await supervisor.shutdown({ terminateAll: true });
await supervisor.dispose();
rmSync(dataDir, { recursive: true, force: true });
