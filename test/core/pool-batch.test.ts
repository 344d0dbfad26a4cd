// The batch extension of worker protocol v1: map-style calls send chunks as one `batch` message
// to workers that opted in ({"type":"ready","batch":true}) and as per-item `task` lines to others.
// Real worker processes throughout; every pool is terminated after its test (trackPools).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TaskCancelledError, TaskFailedError, WorkerLostError, type Pool, type PoolTask } from '../../main/core/index.js';
import { TaskBook, TaskEntry } from '../../main/core/pool-task.js';
import { Supervisor } from '../../main/app/supervisor.js';
import { NODE_SYNC_WORKER, NODE_WORKER, PY_WORKER, pyPool, startedWorkers, trackPools, until } from '../fixtures/pool-harness.js';

const { make } = trackPools();

const scratch = mkdtempSync(join(tmpdir(), 'pooldeck-batch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A raw worker written by hand (no helper). It answers every message it understands with a value
 * naming the message: `task:<id>` for a task line, `batch:<id>:<k>` for item k of a batch, so a
 * test can see what went over the wire. `optIn`: its ready says "batch": true; otherwise it never
 * says ready at all (ready is optional in v1).
 */
function rawWorker(optIn: boolean): string {
  const file = join(scratch, optIn ? 'raw-batch-worker.cjs' : 'raw-v1-worker.cjs');
  writeFileSync(
    file,
    `'use strict';
const net = require('node:net');
const channel = new net.Socket({ fd: Number(process.env.POOLDECK_CHANNEL_FD), readable: true, writable: true });
channel.setEncoding('utf8');
${optIn ? `channel.write('{"type":"ready","batch":true}\\n');` : ''}
let rest = '';
channel.on('data', (chunk) => {
  const lines = (rest + chunk).split('\\n');
  rest = lines.pop();
  let out = '';
  for (const line of lines) {
    if (!line) continue;
    const message = JSON.parse(line);
    if (message.type === 'exit') process.exit(0);
    if (message.type === 'task') out += JSON.stringify({ type: 'result', id: message.id, ok: true, value: 'task:' + message.id }) + '\\n';
    if (message.type === 'batch') {
      const list = message.items !== undefined ? message.items : message.args;
      out += JSON.stringify({ type: 'batch_result', id: message.id, ok: true, values: list.map((_, k) => 'batch:' + message.id + ':' + k) }) + '\\n';
    }
  }
  if (out) channel.write(out);
});
channel.on('end', () => process.exit(0));
`,
  );
  return file;
}

/** Collects a pool's task events (chunks come as one record carrying `items`). */
function events(pool: Pool): PoolTask[] {
  const seen: PoolTask[] = [];
  pool.on('task', (task) => seen.push(task));
  return seen;
}

describe('map-style calls in chunks, one batch message per chunk', () => {
  for (const [helper, command, script] of [
    ['Python', 'python3', PY_WORKER],
    ['Node (async handler)', 'node', NODE_WORKER],
    ['Node (sync handler)', 'node', NODE_SYNC_WORKER],
  ] as const) {
    it(`${helper} helper: map, starmap, mapAsync, imap and imapUnordered keep every value, in input order`, async () => {
      const pool = make({ processes: 2, command, args: [script] });
      const seen = events(pool);
      const items = Array.from({ length: 1000 }, (_, i) => i);
      const doubled = items.map((i) => i * 2);
      // The node fixtures: 'double' doubles; the sync one doubles its only argument.
      const isNodeAsync = script === NODE_WORKER;
      const mapped = isNodeAsync ? await pool.starmap(items.map((i) => ['double', i])) : await pool.map(items);
      expect(mapped).toEqual(doubled);
      // Default chunksize, as Python's: ceil(1000 / (4 × 2)) = 125, so eight chunks.
      const chunks = seen.filter((task) => task.items !== undefined && task.state === 'done');
      expect(chunks.map((task) => task.items!.count)).toEqual(Array(8).fill(125));
      expect(chunks.map((task) => task.items!.index).sort((a, b) => a - b)).toEqual([0, 125, 250, 375, 500, 625, 750, 875]);
      for (const chunk of chunks) expect((chunk.value as unknown[]).length).toBe(125);
      expect(pool.counts).toMatchObject({ done: 1000, queued: 0, running: 0 });
      // pool.tasks lists the chunks' items one by one, with their own ids, args and values.
      const records = pool.tasks;
      expect(records).toHaveLength(1000);
      expect(records[3]).toMatchObject({ id: records[0].id + 3, state: 'done', value: 6 });

      if (!isNodeAsync) {
        expect(await pool.mapAsync(items, { chunksize: 33 }).get()).toEqual(doubled);
        const ordered: unknown[] = [];
        for await (const value of pool.imap(items, { chunksize: 64 })) ordered.push(value);
        expect(ordered).toEqual(doubled);
        const unordered: number[] = [];
        for await (const value of pool.imapUnordered<number>(items, { chunksize: 64 })) unordered.push(value);
        expect(unordered.sort((a, b) => a - b)).toEqual(doubled);
      } else {
        expect(await pool.starmapAsync(items.map((i) => ['double', i]), { chunksize: 33 }).get()).toEqual(doubled);
      }
      // An explicit chunksize is respected.
      const before = seen.length;
      await pool.starmap([['echo', 1], ['echo', 2], ['echo', 3], ['echo', 4], ['echo', 5]], { chunksize: 2 });
      const sizes = seen.slice(before).filter((task) => task.state === 'done').map((task) => task.items?.count);
      expect(sizes.sort()).toEqual([1, 2, 2]);
    });
  }

  it('a worker that opted in gets batch messages (items for map, args for starmap)', async () => {
    const pool = make({ processes: 1, command: 'node', args: [rawWorker(true)] });
    await until(() => pool.workers[0]?.pid !== null, 'the worker to start');
    const values = await pool.map(Array.from({ length: 10 }, (_, i) => i), { chunksize: 4 });
    const first = pool.tasks[0].id;
    const expected = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1].map((k, i) => `batch:${first + i - k}:${k}`);
    expect(values).toEqual(expected);
    expect(await pool.starmap([[1, 2], [3, 4]], { chunksize: 2 })).toEqual([`batch:${first + 10}:0`, `batch:${first + 10}:1`]);
  });

  it('a hand-written v1 worker that does not opt in gets per-task lines, and map works', async () => {
    const pool = make({ processes: 2, command: 'node', args: [rawWorker(false)] });
    const seen = events(pool);
    const values = await pool.map(Array.from({ length: 40 }, (_, i) => i));
    const first = pool.tasks[0].id;
    expect(values).toEqual(Array.from({ length: 40 }, (_, i) => `task:${first + i}`));
    // Still chunks to the pool (one record per chunk, counts in items), lines on the wire.
    expect(seen.filter((task) => task.state === 'done').map((task) => task.items?.count)).toEqual(Array(8).fill(5));
    expect(pool.counts.done).toBe(40);
    expect(pool.tasks.map((task) => task.value)).toEqual(values);
  });

  it('an error in one item rejects the map with that item’s error, and the pool goes on', async () => {
    for (const [command, script] of [
      ['python3', PY_WORKER],
      ['node', NODE_WORKER],
    ] as const) {
      const pool = make({ processes: 2, command, args: [script] });
      const seen = events(pool);
      const items: unknown[] = Array.from({ length: 12 }, (_, i) => (script === PY_WORKER ? i : ['double', i]));
      items[6] = script === PY_WORKER ? { fail: 'item six is bad' } : ['fail', 'item six is bad'];
      const error = await (script === PY_WORKER ? pool.map(items, { chunksize: 4 }) : pool.starmap(items as unknown[][], { chunksize: 4 })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).message).toBe('item six is bad');
      expect((error as TaskFailedError).remoteType).toBe(script === PY_WORKER ? 'RuntimeError' : 'RangeError');
      expect((error as TaskFailedError).traceback).toBeTruthy();
      const failed = seen.find((task) => task.state === 'failed')!;
      expect(failed.items).toMatchObject({ index: 4, count: 4, failedItem: 2 });
      expect(failed.error?.message).toBe('item six is bad');
      const record = pool.tasks.find((task) => task.id === failed.id + 2)!;
      expect(record).toMatchObject({ state: 'failed', error: { message: 'item six is bad' } });
      const again =
        script === PY_WORKER ? pool.map([1, 2, 3, 4, 5, 6], { chunksize: 3 }) : pool.starmap([1, 2, 3, 4, 5, 6].map((i) => ['double', i]), { chunksize: 3 });
      expect(await again).toEqual([2, 4, 6, 8, 10, 12]);
      await pool.terminate();
    }
  });

  it('a worker SIGKILLed mid-batch fails the map with WorkerLostError; the pool replaces it and goes on', async () => {
    const pool = make(pyPool({ processes: 1 }));
    const [worker] = await startedWorkers(pool);
    const pending = pool.map([{ sleep: 30, value: 1 }, 2, 3, 4], { chunksize: 4 });
    pending.catch(() => undefined);
    await until(() => pool.counts.running === 4 && worker.pid !== null, 'the chunk to run');
    const pid = worker.pid!;
    process.kill(pid, 'SIGKILL');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerLostError);
    expect((error as WorkerLostError).pid).toBe(pid);
    expect((error as Error).message).toMatch(/signal 9 \(SIGKILL\)/);
    expect(pool.counts).toMatchObject({ failed: 4, running: 0, queued: 0 });
    expect(await pool.map([1, 2, 3, 4, 5, 6, 7, 8], { chunksize: 2 })).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    const pids = await pool.starmap<number>([['pid'], ['pid']], { chunksize: 2 });
    expect(pids[0]).not.toBe(pid);
  });

  it('terminate cancels queued and running chunks with TaskCancelledError', async () => {
    const pool = make(pyPool({ processes: 1 }));
    const seen = events(pool);
    const summaries: { count: number; firstId: number; lastId: number }[] = [];
    pool.on('tasksCancelled', (range) => summaries.push(range));
    const pending = pool.map(
      Array.from({ length: 10 }, () => ({ sleep: 30, value: 0 })),
      { chunksize: 2 },
    );
    pending.catch(() => undefined);
    await until(() => pool.counts.running === 2, 'the first chunk to run');
    await pool.terminate();
    await expect(pending).rejects.toBeInstanceOf(TaskCancelledError);
    expect(pool.counts).toEqual({ queued: 0, running: 0, done: 0, failed: 0, cancelled: 10 });
    const cancelled = seen.filter((task) => task.state === 'cancelled');
    // The two chunks the worker held get an event each; the three still queued, one summary.
    expect(cancelled.map((task) => task.items?.count)).toEqual([2, 2]);
    const first = pool.tasks[0].id;
    expect(summaries).toEqual([{ count: 6, firstId: first + 4, lastId: first + 9 }]);
    expect(pool.tasks.every((task) => task.state === 'cancelled' && task.error?.type === 'TaskCancelledError')).toBe(true);
  });

  it('maxTasksPerChild counts items: a worker is recycled once it ran that many', async () => {
    const pool = make(pyPool({ processes: 1, maxTasksPerChild: 4 }));
    const pids = await pool.starmap<number>(Array.from({ length: 12 }, () => ['pid']), { chunksize: 2 });
    const counts = new Map<number, number>();
    for (const pid of pids) counts.set(pid, (counts.get(pid) ?? 0) + 1);
    expect([...counts.values()]).toEqual([4, 4, 4]);
  });
});

describe('the task book counts chunks as their items', () => {
  it('keeps exactly the newest finished items, cutting a chunk that straddles the limit', () => {
    const book = new TaskBook(10);
    const finish = (entry: TaskEntry): void => {
      entry.state = 'done';
      book.add(entry);
      book.finished(entry);
    };
    const chunk = new TaskEntry(1, Array.from({ length: 25 }, (_, i) => i), 0, '', null, 0, 25, true, false);
    chunk.value = Array.from({ length: 25 }, (_, i) => i * 2);
    finish(chunk);
    expect(book.list().map((task) => task.id)).toEqual(Array.from({ length: 10 }, (_, i) => 16 + i));
    expect(book.list()[0]).toMatchObject({ args: [15], value: 30, state: 'done' });
    for (let id = 26; id < 56; id += 1) finish(new TaskEntry(id, [id], 0, '', null, 0));
    expect(book.list().map((task) => task.id)).toEqual(Array.from({ length: 10 }, (_, i) => 46 + i));
    // An unfinished task is always kept, and finished ones behind it are still bounded.
    const running = new TaskEntry(56, [56], 0, '', null, 0);
    book.add(running);
    for (let id = 57; id < 100; id += 1) finish(new TaskEntry(id, [id], 0, '', null, 0));
    const ids = book.list().map((task) => task.id);
    expect(ids).toContain(56);
    expect(ids.filter((id) => id !== 56)).toEqual(Array.from({ length: 10 }, (_, i) => 90 + i));
  });
});

describe('the Supervisor shows a chunk as one task row', () => {
  it('one row per chunk, counts and worker credits in items', async () => {
    const dataDir = mkdtempSync(join(scratch, 'supervisor-'));
    const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 200, graceMs: 500 });
    try {
      const row = supervisor.createPool({ processes: 2, command: 'python3', args: [PY_WORKER] });
      const values = await supervisor.poolOf(row.id).map(Array.from({ length: 100 }, (_, i) => i));
      expect(values).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
      const snapshot = supervisor.snapshot();
      const tasks = snapshot.tasks.filter((task) => task.poolId === row.id);
      expect(tasks).toHaveLength(8); // ceil(100 / 8) = 13 items a chunk
      expect(tasks.every((task) => task.state === 'done')).toBe(true);
      // The rows' order is the Supervisor's window's; the first chunk is the one holding item 0.
      const first = tasks.find((task) => task.args[0] === 0)!;
      expect(JSON.parse(first.result!)).toEqual(Array.from({ length: 13 }, (_, i) => i * 2));
      expect(first.args.slice(0, 2)).toEqual([0, 1]);
      expect(snapshot.pools.find((pool) => pool.id === row.id)!.counts).toMatchObject({ done: 100, queued: 0, running: 0 });
      const workers = snapshot.processes.filter((process) => process.poolId === row.id);
      expect(workers.reduce((sum, worker) => sum + worker.tasksDone, 0)).toBe(100);

      const failing = await supervisor
        .poolOf(row.id)
        .map([1, 2, { fail: 'bad one' }, 4], { chunksize: 4 })
        .catch((e: unknown) => e);
      expect(failing).toBeInstanceOf(TaskFailedError);
      const failedRow = await until(
        () => supervisor.snapshot().tasks.some((task) => task.poolId === row.id && task.state === 'failed'),
        'the failed row',
      ).then(() => supervisor.snapshot().tasks.find((task) => task.poolId === row.id && task.state === 'failed')!);
      expect(failedRow.error?.message).toMatch(/^item 2 \(task \d+\): bad one$/);
    } finally {
      await supervisor.shutdown({ terminateAll: true, graceMs: 500 });
      await supervisor.dispose();
    }
  });
});
