// A pool under load: what a queued task costs, how its records are read in pages, and how
// terminate() cancels a crowd of queued tasks (one summary event, each promise settled once).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, type Pool, type PoolTask } from '../../main/core/index.js';
import { nodePool, startedWorkers, trackPools, until } from '../fixtures/pool-harness.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const { make } = trackPools();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A one-worker pool whose worker is busy with a long task, so that every task submitted now waits. */
async function busyPool(): Promise<Pool> {
  const pool = make(nodePool({ processes: 1 }));
  pool.apply(['sleep', 60_000]).catch(() => undefined);
  await startedWorkers(pool);
  await until(() => pool.counts.running === 1, 'the long task to run');
  return pool;
}

const QUEUED = 100_000;

describe('queued tasks under load', () => {
  it('a queued tiny task costs its encoded line and a few numbers (≤ 200 bytes), and a page builds only its records', async () => {
    const pool = await busyPool();
    const before = heapUsed();
    // Inside a function, so that only what the pool keeps of the inputs is measured.
    ((): void => {
      const lists: number[][] = [];
      for (let i = 0; i < QUEUED; i += 1) lists.push([i]);
      pool.submit(lists);
    })();
    const perTask = (heapUsed() - before) / QUEUED;
    // Before queued tasks were compact: ~480 bytes per task queued by map, ~1,900 by applyAsync.
    expect(perTask, `${Math.round(perTask)} bytes per queued task`).toBeLessThan(200);
    expect(pool.counts.queued).toBeGreaterThanOrEqual(QUEUED - 2);

    const first = pool.tasksPage(0, 3);
    expect(first.total).toBe(QUEUED + 1);
    expect(first.tasks.map((task) => task.state)).toEqual(['running', expect.stringMatching(/queued|running/), 'queued']);
    const page = pool.tasksPage(50_000, 3);
    expect(page.tasks.map((task) => task.args)).toEqual([[49_999], [50_000], [50_001]]);
    expect(page.tasks.map((task) => task.id)).toEqual([first.tasks[0].id + 50_000, first.tasks[0].id + 50_001, first.tasks[0].id + 50_002]);
    expect(pool.tasksPage(QUEUED, 10).tasks.map((task) => task.args)).toEqual([[QUEUED - 1]]);
    expect(() => pool.tasksPage(-1, 10)).toThrow(/offset must be a non-negative integer/);
  });

  it('a map queued behind a busy worker keeps its tasks compact too', async () => {
    const pool = await busyPool();
    const before = heapUsed();
    let pending: Promise<unknown> | undefined;
    ((): void => {
      const items: number[] = [];
      for (let i = 0; i < QUEUED; i += 1) items.push(i);
      pending = pool.map(items, { chunksize: 1 });
      pending.catch(() => undefined);
    })();
    const perTask = (heapUsed() - before) / QUEUED;
    // The map also keeps its items and result array; before, ~480 bytes per task.
    expect(perTask, `${Math.round(perTask)} bytes per queued task`).toBeLessThan(300);
    await pool.terminate();
    await expect(pending).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('terminate() cancels the queued tasks with one summary event and settles each promise once', async () => {
    const pool = await busyPool();
    const count = 20_000;
    let rejected = 0;
    let resolved = 0;
    const messages = new Set<string>();
    for (let i = 0; i < count; i += 1) {
      pool.apply([i]).then(
        () => (resolved += 1),
        (error: Error) => {
          rejected += 1;
          if (messages.size < 3 && error instanceof TaskCancelledError) messages.add(error.message);
        },
      );
    }
    const taskEvents: PoolTask[] = [];
    const summaries: { count: number; firstId: number; lastId: number }[] = [];
    pool.on('task', (task) => taskEvents.push(task));
    pool.on('tasksCancelled', (range) => summaries.push(range));
    await pool.terminate();
    await until(() => rejected === count, 'every promise to settle');
    expect(resolved).toBe(0);
    expect(pool.counts).toMatchObject({ queued: 0, running: 0, cancelled: count + 1 });
    // Only the tasks the worker held get their own event; the queued ones, one summary.
    expect(taskEvents.length).toBeLessThanOrEqual(3);
    expect(summaries).toHaveLength(1);
    expect(summaries[0].count + taskEvents.length).toBe(count + 1);
    expect(summaries[0].lastId - summaries[0].firstId + 1).toBe(summaries[0].count);
    // The records keep the last 10,000, each cancelled, and a queued one says it never ran.
    const records = pool.tasks;
    expect(records.length).toBeLessThanOrEqual(10_000);
    expect(records.every((task) => task.state === 'cancelled')).toBe(true);
    expect(records.at(-1)!.error!.message).toMatch(/while task \d+ was still queued \(it never ran\)/);
    expect([...messages].every((message) => /still queued \(it never ran\)/.test(message) && !/while running/.test(message))).toBe(true);
  });
});

describe('messages of tasks that never ran', () => {
  it.skipIf(skipUnless(unixLike, 'test/core/pool-load.test.ts', 'its worker is sh -c exit 3'))('a task sent to a worker that died before saying anything does not say it was running', async () => {
    const pool = make({ processes: 1, command: 'sh', args: ['-c', 'exit 3'] });
    const error = (await pool.apply(['x']).catch((caught: unknown) => caught)) as Error;
    expect(error.message).not.toMatch(/while running/);
    expect(error.message).toMatch(/exited with code 3 before it said anything \(task \d+ had been sent to it; it never started\)/);
  });
});

describe('submit()', () => {
  it('queues many tasks with one tasksQueued event; each gets task events once it runs, and the records show their values', async () => {
    const pool = make(nodePool({ processes: 2 }));
    const queuedEvents: { firstId: number; count: number }[] = [];
    const states: string[] = [];
    pool.on('tasksQueued', (range) => queuedEvents.push(range));
    pool.on('task', (task) => states.push(task.state));
    const range = pool.submit([['double', 1], ['double', 2], ['double', 3]]);
    expect(queuedEvents).toEqual([range]);
    expect(range.count).toBe(3);
    expect(states).toEqual([]);
    await until(() => pool.counts.done === 3, 'the three tasks to finish');
    expect(states.filter((state) => state === 'done')).toHaveLength(3);
    expect(states).not.toContain('queued');
    const { tasks } = pool.tasksPage(0, 10);
    expect(tasks.map((task) => [task.id, task.args, task.value])).toEqual([
      [range.firstId, ['double', 1], 2],
      [range.firstId + 1, ['double', 2], 4],
      [range.firstId + 2, ['double', 3], 6],
    ]);
    expect(() => pool.submit([['double', 1], 'x' as unknown as unknown[]])).toThrow(/submit\(argLists\): argLists\[1\] must be an array/);
    expect(pool.counts.queued + pool.counts.running).toBe(0);
  });
});
