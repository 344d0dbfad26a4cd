// Queued tasks are counts, not rows: the snapshot and deltas carry a bounded window of task rows, and
// the task list reads pages (listTasks) of any length of queue.
import { describe, expect, it } from 'vitest';
import { TASK_WINDOW_PER_POOL } from '../../main/app/supervisor.js';
import { ListTasksArgsSchema } from '../../main/protocol/schemas.js';
import { nodeProgram } from '../helpers/platform.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const app = useQuietSupervisor('pooldeck-queued-');

const QUEUED = 20_000;
/** An exec-mode program whose task is a number of seconds to sleep (a portable `sleep`). */
const SLEEPER = { ...nodeProgram('setTimeout(() => {}, Number(process.argv[1]) * 1000)'), mode: 'exec' as const };

describe('queued tasks', () => {
  it('keeps 20,000 queued tasks out of the snapshot and deltas, and pages them in task order', async () => {
    const pool = app.supervisor.createPool({ processes: 1, ...SLEEPER });
    app.supervisor.takeDelta();
    app.supervisor.submitTasks(pool.id, Array.from({ length: QUEUED }, () => ['30']));
    await until(() => app.supervisor.poolOf(pool.id).counts.running === 1, 'the first task to run');
    const delta = app.supervisor.takeDelta()!;
    expect(delta.tasks.length).toBeLessThanOrEqual(TASK_WINDOW_PER_POOL);
    const snapshot = app.supervisor.snapshot();
    expect(snapshot.pools[0].counts).toMatchObject({ queued: QUEUED - 1, running: 1 });
    expect(snapshot.tasks.length).toBeLessThanOrEqual(TASK_WINDOW_PER_POOL);
    expect(snapshot.tasks.every((task) => task.state !== 'queued')).toBe(true);

    const all = app.supervisor.listTasks(pool.id, { offset: 0, limit: 3 });
    expect(all).toMatchObject({ total: QUEUED, offset: 0, workOffset: 0 });
    expect(all.tasks.map((task) => [task.taskId, task.state])).toEqual([[1, 'running'], [2, 'queued'], [3, 'queued']]);
    const queued = app.supervisor.listTasks(pool.id, { state: 'queued', offset: QUEUED - 3, limit: 50 });
    expect(queued.total).toBe(QUEUED - 1);
    expect(queued.tasks.map((task) => task.taskId)).toEqual([QUEUED - 1, QUEUED]);
    expect(queued.tasks[0]).toMatchObject({ key: `${pool.id}:${QUEUED - 1}`, args: ['30'], state: 'queued', poolId: pool.id });
    expect(app.supervisor.listTasks(pool.id, { state: 'done' })).toMatchObject({ total: 0, tasks: [], workOffset: null });
  });

  it('cancelling them leaves a bounded window of rows, and the pages show the cancelled tasks', async () => {
    const pool = app.supervisor.createPool({ processes: 1, ...SLEEPER });
    app.supervisor.submitTasks(pool.id, Array.from({ length: QUEUED }, () => ['30']));
    await until(() => app.supervisor.poolOf(pool.id).counts.running === 1, 'the first task to run');
    app.supervisor.takeDelta();
    await app.supervisor.terminatePool(pool.id);
    const delta = app.supervisor.takeDelta()!;
    expect(delta.tasks.length).toBeLessThanOrEqual(TASK_WINDOW_PER_POOL);
    expect(delta.pools[0].counts).toMatchObject({ queued: 0, running: 0, cancelled: QUEUED });
    expect(app.supervisor.snapshot().tasks.length).toBeLessThanOrEqual(TASK_WINDOW_PER_POOL);
    const page = app.supervisor.listTasks(pool.id, { state: 'cancelled', offset: 0, limit: 10 });
    expect(page.total).toBeGreaterThan(0);
    expect(page.tasks.every((task) => task.state === 'cancelled')).toBe(true);
    expect(page.workOffset).toBeNull();
  });

  it('shows queued tasks failed at once by the breaker in the pool counts of the next delta', async () => {
    const pool = app.supervisor.createPool({ processes: 1, ...nodeProgram('') });
    app.supervisor.submitTasks(pool.id, Array.from({ length: 1000 }, () => [1]));
    app.supervisor.takeDelta();
    const failed = await until(() => {
      const delta = app.supervisor.takeDelta();
      const row = delta?.pools.find((candidate) => candidate.id === pool.id);
      return row && row.counts.failed === 1000 ? row : null;
    }, 'a delta with the 1,000 tasks failed', { timeoutMs: 30_000 });
    expect(failed.counts.queued).toBe(0);
    const page = app.supervisor.listTasks(pool.id, { state: 'failed', limit: 2 });
    expect(page.total).toBe(1000);
    expect(page.tasks[0].error?.message).toBeTruthy();
  }, 40_000);

  it('refuses a page of a pool that does not exist, or a page too long', () => {
    expect(() => app.supervisor.listTasks('pool-x', {})).toThrow(/no pool with id pool-x/);
    expect(ListTasksArgsSchema.safeParse({ poolId: 'pool1', limit: 5000 }).error?.issues[0].message).toBe('limit must be at most 1000');
    expect(ListTasksArgsSchema.safeParse({ poolId: 'pool1', state: 'lost' }).error?.issues[0].message).toMatch(/state must be one of 'queued'/);
  });
});
