// A worker-mode pool of a program that is not a worker (`sleep 0`): the workers end before saying
// anything, the pool stops starting them, its row goes to errored, and its queued tasks fail with one
// error that says what happened and suggests exec mode.
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/errored-pool.test.ts', "its not-a-worker is sleep 0 (node's slower exit races the breaker's count)");

const fixture = useQuietSupervisor('pooldeck-errored-pool-');

describe.skipIf(skipHere)('a worker-mode pool of a program that is not a worker', () => {
  it('goes to errored, fails its queued tasks with one error suggesting exec mode, and stops respawning', async () => {
    const { supervisor } = fixture;
    const created = supervisor.createPool({ processes: 2, command: 'sleep', args: ['0'], tasks: Array.from({ length: 20 }, (_, index) => [index]) });
    const pool = await until(() => supervisor.snapshot().pools.find((row) => row.id === created.id && row.state === 'errored'), 'the pool to go to errored');
    expect(pool.error).toMatch(/workers in a row ended before answering any task; the last, .* exited with code 0\. They never spoke the worker protocol: .*exec mode/);
    await until(() => supervisor.snapshot().pools[0].counts.queued === 0, 'the queue to empty');
    const failed = supervisor.listTasks(created.id, { state: 'failed', limit: 100 });
    expect(failed.total).toBe(20);
    // The queued ones share the pool's one error; those a worker held say how that worker ended.
    const queuedErrors = failed.tasks.filter((task) => task.workerPid === null).map((task) => task.error?.message);
    expect(queuedErrors.length).toBeGreaterThan(0);
    expect(new Set(queuedErrors)).toEqual(new Set([pool.error]));
    const workersBefore = supervisor.snapshot().processes.length;
    // A tripped breaker starts a worker again only when a task comes: well past the first waits after
    // bad endings (100 to 400 ms), none started.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(supervisor.snapshot().processes.length).toBe(workersBefore);
    expect(supervisor.snapshot().processes.every((row) => !row.isAlive)).toBe(true);
  });

  it('a terminated errored pool reads terminated, not errored', async () => {
    const { supervisor } = fixture;
    const created = supervisor.createPool({ processes: 1, command: 'sleep', args: ['0'] });
    await until(() => supervisor.snapshot().pools.find((row) => row.state === 'errored'), 'errored');
    await supervisor.terminatePool(created.id);
    expect(supervisor.snapshot().pools[0]).toMatchObject({ state: 'terminated', error: null });
  });
});
