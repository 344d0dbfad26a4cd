import { describe, expect, it } from 'vitest';
import type { PoolTask } from '../../main/core/pool-task.js';
import { PoolTaskRows, resultText, taskResultText } from '../../main/app/task-rows.js';

function task(id: number, state: PoolTask['state'], extra: Partial<PoolTask> = {}): PoolTask {
  return { id, args: [id], state, workerPid: state === 'queued' ? null : 100, workerName: null, queuedAt: 0, startedAt: null, endedAt: null, ...extra };
}

describe('PoolTaskRows', () => {
  it('keeps one row per task, keyed by pool and task id, with the result as JSON text', () => {
    const rows = new PoolTaskRows('pool1', 10);
    rows.update(task(0, 'queued'));
    const done = rows.update(task(0, 'done', { value: { square: 4 } }));
    expect(done).toMatchObject({ key: 'pool1:0', poolId: 'pool1', taskId: 0, state: 'done', result: '{"square":4}' });
    expect(rows.rows()).toHaveLength(1);
  });

  it('drops the tasks that finished first when full, never a running one', () => {
    const rows = new PoolTaskRows('pool1', 3);
    rows.update(task(0, 'queued'));
    rows.update(task(1, 'running'));
    rows.update(task(2, 'done'));
    rows.update(task(3, 'failed', { error: { type: 'ValueError', message: 'bad' } }));
    rows.update(task(4, 'done'));
    expect(rows.rows().map((row) => row.taskId)).toEqual([1, 3, 4]);
  });

  it('keeps no row for a queued task, and drops the row of a task sent back to the queue', () => {
    const rows = new PoolTaskRows('pool1', 10);
    expect(rows.update(task(0, 'queued'))).toBeNull();
    rows.update(task(0, 'running'));
    expect(rows.has(0)).toBe(true);
    expect(rows.update(task(0, 'queued'))).toBeNull();
    expect(rows.rows()).toEqual([]);
  });

  it('gives a window of the running tasks and the newest finished ones', () => {
    const rows = new PoolTaskRows('pool1', 100);
    for (let id = 1; id <= 6; id += 1) rows.update(task(id, 'done'));
    rows.update(task(9, 'running'));
    rows.update(task(7, 'running'));
    expect(rows.window(4).map((row) => row.taskId)).toEqual([9, 7, 5, 6]);
  });

  it('shows a chunk as one row: its first argument lists, how many more, and which item failed', () => {
    const rows = new PoolTaskRows('pool1', 10);
    const args = Array.from({ length: 12 }, (_, i) => [i]);
    const row = rows.update(
      task(20, 'failed', { args, items: { index: 0, count: 12, star: true, failedItem: 3 }, error: { type: 'Error', message: 'boom' } }),
    );
    expect(row?.args).toHaveLength(11);
    expect(row?.args[10]).toBe('… 2 more');
    expect(row?.error?.message).toBe('item 3 (task 23): boom');
  });

  it("shows a big chunk's values as the text of the whole list cut to the limit, without stringifying it whole", () => {
    const values = Array.from({ length: 25_000 }, (_, i) => i * i);
    const chunk = task(0, 'done', { items: { index: 0, count: values.length, star: false }, args: [], value: values });
    const text = taskResultText(chunk);
    expect(text).toBe(resultText(values));
    expect(text!.length).toBeLessThan(JSON.stringify(values).length);
    // Short chunks and single tasks: their whole value.
    expect(taskResultText(task(1, 'done', { items: { index: 0, count: 3, star: false }, args: [], value: [1, 4, 9] }))).toBe('[1,4,9]');
    expect(taskResultText(task(2, 'failed', { error: { type: 'Error', message: 'boom' } }))).toBeNull();
  });

  it('estimates the time left from the recent completion rate', () => {
    const rows = new PoolTaskRows('pool1', 100);
    expect(rows.eta({ queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 })).toBe(0);
    expect(rows.eta({ queued: 5, running: 0, done: 0, failed: 0, cancelled: 0 })).toBeNull();
    // A chunk of 11 items that ran from t=1000 to t=2000: ten intervals of 100 ms each.
    rows.update(task(0, 'done', { startedAt: 1000, endedAt: 2000, items: { index: 0, count: 11, star: false }, args: [], value: [] }));
    const eta = rows.eta({ queued: 10, running: 0, done: 11, failed: 0, cancelled: 0 }, 2000 + 0);
    expect(eta).toBeGreaterThan(0);
  });
});
