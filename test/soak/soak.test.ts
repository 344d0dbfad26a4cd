// A bounded soak of the app's backend, as issue 8 asks: thousands of short processes, a big exec pool,
// 200,000 queued tasks cancelled, a flood of output and random worker kills, all through one
// Supervisor. At the end: file descriptors back near the baseline, memory back within a bound, every
// task settled exactly once, and no process left. Bounded to a couple of minutes on 2 cores.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { Supervisor } from '../../main/app/supervisor.js';
import type { PoolTask } from '../../main/core/pool-task.js';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';
import type { TaskCounts } from '../../main/protocol/vocabulary.js';
import { PY_WORKER } from '../fixtures/pool-harness.js';
import { until } from '../helpers/until.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasProcfs, 'test/soak/soak.test.ts', 'counts open files in /proc/self/fd');

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Slack over the baseline: the sampler's and pidusage's own handles come and go. */
const FD_SLACK = 16;
/** RSS may stay above the baseline by this much: V8 keeps some heap it grew into. */
const RSS_SLACK_BYTES = 200 * 1024 * 1024;
const FINAL_STATES = new Set(['done', 'failed', 'cancelled']);

const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-soak-'));
const seen = new Map<number, number>();

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function ourDescendants(): number[] {
  return descendantsOf(process.pid, childrenByParent(readAllProcStats()));
}

function rememberDescendants(): void {
  for (const pid of ourDescendants()) {
    const stat = readProcStat(pid);
    if (stat && !seen.has(pid)) seen.set(pid, stat.startTime);
  }
}

function stillAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTime === seen.get(pid) && stat.state !== 'Z';
}

afterAll(() => {
  for (const pid of seen.keys()) {
    if (!stillAlive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function settled(counts: TaskCounts): number {
  return counts.done + counts.failed + counts.cancelled;
}

it.skipIf(skipHere)('holds fds, memory and processes flat through a soak, and settles every task exactly once', { timeout: 300_000 }, async () => {
  const started = performance.now();
  const phase = (name: string): void => console.log(`soak: ${name} at ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const before = new Set(ourDescendants());
  collectGarbage();
  const baseline = { fds: openFds(), rss: process.memoryUsage().rss };
  const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 250, graceMs: 500 });
  /**
   * Per pool: how many times each task reached a final state through its own 'task' event, and how
   * many were settled in bulk (tasksCancelled / tasksFailed: one event for many queued tasks).
   */
  const finals = new Map<string, { byId: Map<number, number>; inBulk: number }>();
  const watchTasks = (poolId: string): void => {
    const record = { byId: new Map<number, number>(), inBulk: 0 };
    finals.set(poolId, record);
    const pool = supervisor.poolOf(poolId);
    pool.on('task', (task: PoolTask) => {
      if (!FINAL_STATES.has(task.state)) return;
      const count = task.items?.count ?? 1;
      for (let i = 0; i < count; i += 1) record.byId.set(task.id + i, (record.byId.get(task.id + i) ?? 0) + 1);
    });
    pool.on('tasksCancelled', ({ count }) => (record.inBulk += count));
    pool.on('tasksFailed', ({ count }) => (record.inBulk += count));
  };

  // 2,000 short processes, in waves so that the machine is not asked for 2,000 at once.
  for (let wave = 0; wave < 20; wave += 1) {
    const rows = await Promise.all(Array.from({ length: 100 }, () => supervisor.createProcess({ command: 'true' })));
    await Promise.all(rows.map((row) => supervisor.processOf(row.id).join()));
    rememberDescendants();
  }

  phase('2,000 processes ran');
  // A flood of output: 64 MiB in one burst.
  const flood = await supervisor.createProcess({ command: 'sh', args: ['-c', 'head -c 67108864 /dev/zero | tr "\\0" "x"'] });
  rememberDescendants();

  // An exec pool of 3,000 tasks.
  const exec = supervisor.createPool({ processes: 4, mode: 'exec', command: 'echo', args: ['task', '{}'] });
  watchTasks(exec.id);
  for (let i = 0; i < 3; i += 1) supervisor.submitTasks(exec.id, Array.from({ length: 1000 }, (_, k) => [String(i * 1000 + k)]));

  // A worker pool with 200,000 tasks queued behind slow ones, then random worker kills, then terminate.
  const workers = supervisor.createPool({ processes: 4, command: 'python3', args: [PY_WORKER] });
  watchTasks(workers.id);
  supervisor.submitTasks(workers.id, Array.from({ length: 40 }, () => [{ sleep: 0.05, value: 1 }]));
  for (let i = 0; i < 20; i += 1) supervisor.submitTasks(workers.id, Array.from({ length: 10_000 }, (_, k) => [k]));
  for (let kill = 0; kill < 5; kill += 1) {
    const worker = await until(() => supervisor.poolOf(workers.id).workers.find((proc) => proc.isAlive()), 'a live worker to kill');
    rememberDescendants();
    worker.kill();
    await worker.join();
  }
  phase('5 workers killed');
  await supervisor.terminatePool(workers.id);
  phase('200,000 queued tasks cancelled');

  await supervisor.processOf(flood.id).join();
  await until(() => {
    const counts = supervisor.poolOf(exec.id).counts;
    return settled(counts) === 3000;
  }, 'the exec pool to finish its 3,000 tasks', { timeoutMs: 180_000 });
  rememberDescendants();
  phase('3,000 exec tasks ran');
  await supervisor.terminatePool(exec.id);

  // Every task settled exactly once.
  for (const [poolId, total] of [[exec.id, 3000], [workers.id, 200_040]] as const) {
    const counts = supervisor.poolOf(poolId).counts;
    expect(counts.queued + counts.running).toBe(0);
    expect(settled(counts)).toBe(total);
    const { byId, inBulk } = finals.get(poolId)!;
    expect([...byId.values()].filter((times) => times !== 1)).toEqual([]);
    expect(byId.size + inBulk).toBe(total);
  }

  await supervisor.shutdown({ terminateAll: true });
  await supervisor.dispose();

  // No process left (the watchdog ends with dispose()).
  const left = await until(() => {
    const now = ourDescendants().filter((pid) => !before.has(pid));
    return now.length === 0 ? now : null;
  }, () => `every process the soak started to end (left: ${ourDescendants().filter((pid) => !before.has(pid)).join(', ')})`);
  expect(left).toEqual([]);

  // fds back near the baseline, memory within a bound of it.
  const fds = await until(() => (openFds() <= baseline.fds + FD_SLACK ? openFds() : null), () => `fds back near ${baseline.fds} (now ${openFds()})`);
  expect(fds).toBeLessThanOrEqual(baseline.fds + FD_SLACK);
  collectGarbage();
  const rss = process.memoryUsage().rss;
  console.log(`soak: fds ${baseline.fds} → ${fds}, rss ${(baseline.rss / 2 ** 20).toFixed(0)} → ${(rss / 2 ** 20).toFixed(0)} MiB`);
  expect(rss).toBeLessThan(baseline.rss + RSS_SLACK_BYTES);
});
