import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AsyncResult,
  Pool,
  POOL_FINISHED_TASKS_KEPT,
  ProcessStartError,
  TaskCancelledError,
  TaskFailedError,
  TimeoutError,
  WorkerLostError,
  type PoolState,
  type PoolTask,
  type Process,
} from '../../main/core/index.js';
import { NODE_SYNC_WORKER, SH_WORKER, maxOverlap, nodePool, pyPool, sleep, startedWorkers, trackPools, treeAlive, until } from '../fixtures/pool-harness.js';

const { make } = trackPools();

type Slept = { pid: number; start: number; end: number };

describe('Pool (worker mode): the multiprocessing model', () => {
  it('runs 5 tasks on a pool of 3: at most 3 at once, on at most 3 reused pids', async () => {
    const pool = make(pyPool({ processes: 3 }));
    expect(await startedWorkers(pool)).toHaveLength(3);
    let maxRunning = 0;
    pool.on('task', () => {
      maxRunning = Math.max(maxRunning, pool.counts.running);
    });
    const results = await pool.starmap<Slept>(Array.from({ length: 5 }, () => ['sleep', 0.3]));
    expect(results).toHaveLength(5);
    const pids = new Set(results.map((r) => r.pid));
    expect(pids.size).toBeLessThanOrEqual(3);
    expect(maxOverlap(results)).toBeLessThanOrEqual(3);
    expect(maxRunning).toBeLessThanOrEqual(3);
    const workerPids = new Set(pool.workers.map((w) => w.pid));
    for (const pid of pids) expect(workerPids.has(pid)).toBe(true);
    // Each task's row names the worker that ran it.
    for (const task of pool.tasks) {
      expect(task.state).toBe('done');
      expect(pids.has(task.workerPid!)).toBe(true);
      expect(task.workerName).toMatch(new RegExp(`^${pool.name}-Worker-\\d+$`));
    }
  });

  it('map keeps input order, runs each item as a one-argument task, and honours chunksize', async () => {
    const pool = make(pyPool());
    const items = Array.from({ length: 40 }, (_, i) => i);
    expect(await pool.map(items)).toEqual(items.map((i) => i * 2));
    expect(await pool.map(items, { chunksize: 7 })).toEqual(items.map((i) => i * 2));
    expect(await pool.map([])).toEqual([]);
    const slow = [0.3, 0.2, 0.1, 0].map((sleep, value) => ({ sleep, value }));
    expect(await pool.map(slow)).toEqual([0, 1, 2, 3]);
    expect(pool.tasks.slice(0, 2).map((t) => t.args)).toEqual([[0], [1]]);
  });

  it('mapAsync and starmapAsync return one AsyncResult for the whole list', async () => {
    const pool = make(pyPool());
    const seen: unknown[] = [];
    const doubled = pool.mapAsync([1, 2, 3], undefined, { onResult: (values) => seen.push(values) });
    expect(await doubled.get(20_000)).toEqual([2, 4, 6]);
    expect(seen).toEqual([[2, 4, 6]]);
    const failed = pool.starmapAsync([['add', 1, 2], ['fail', 'no']]);
    await failed.wait();
    expect(failed.successful()).toBe(false);
    await expect(failed.get()).rejects.toThrow('no');
  });

  it('starmap passes each argument list as the task arguments', async () => {
    const pool = make(pyPool());
    expect(await pool.starmap([['add', 1, 2], ['add', 10, 20]])).toEqual([3, 30]);
    expect(await pool.starmap([['echo', 1, 2]])).toEqual([[1, 2]]);
    expect(pool.tasks.at(-1)!.args).toEqual(['echo', 1, 2]);
    await expect(pool.starmap([['echo'], 'not a list' as unknown as unknown[]])).rejects.toThrow(/item 1 must be an array/);
  });

  it('imap yields in input order; imapUnordered as results come', async () => {
    const pool = make(pyPool());
    const ordered: unknown[] = [];
    for await (const value of pool.imap([{ sleep: 0.5, value: 'slow' }, { sleep: 0, value: 'fast' }, 3])) ordered.push(value);
    expect(ordered).toEqual(['slow', 'fast', 6]);

    const unordered: unknown[] = [];
    for await (const value of pool.imapUnordered([{ sleep: 0.8, value: 'slow' }, { sleep: 0, value: 'fast' }])) unordered.push(value);
    expect(unordered).toEqual(['fast', 'slow']);

    const seen: unknown[] = [];
    const failing = async (): Promise<void> => {
      for await (const value of pool.imap([1, { fail: 'third time unlucky' }, 3])) seen.push(value);
    };
    await expect(failing()).rejects.toThrow('third time unlucky');
    expect(seen).toEqual([2]);
  });

  it('apply resolves to the value; applyAsync calls onResult / onError', async () => {
    const pool = make(pyPool());
    expect(await pool.apply(['add', 2, 3])).toBe(5);
    const values: unknown[] = [];
    const errors: Error[] = [];
    const ok = pool.applyAsync(['add', 1, 1], { onResult: (v) => values.push(v), onError: (e) => errors.push(e) });
    const bad = pool.applyAsync(['fail', 'nope'], { onResult: (v) => values.push(v), onError: (e) => errors.push(e) });
    expect(ok).toBeInstanceOf(AsyncResult);
    await ok.wait();
    await bad.wait();
    expect(values).toEqual([2]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TaskFailedError);
    expect(errors[0].message).toBe('nope');
  });

  it('AsyncResult: get(timeout) rejects with TimeoutError, successful() throws before ready', async () => {
    const pool = make(pyPool());
    const result = pool.applyAsync<Slept>(['sleep', 0.6]);
    expect(result.ready()).toBe(false);
    expect(() => result.successful()).toThrow(/not ready/);
    await expect(result.get(50)).rejects.toBeInstanceOf(TimeoutError);
    await result.wait(1);
    expect(result.ready()).toBe(false);
    const value = await result.get(20_000);
    expect(typeof value.pid).toBe('number');
    expect(result.ready()).toBe(true);
    expect(result.successful()).toBe(true);

    const failed = pool.applyAsync(['fail', 'bad']);
    await failed.wait();
    expect(failed.successful()).toBe(false);
    await expect(failed.get()).rejects.toBeInstanceOf(TaskFailedError);
    await expect(failed.get(10)).rejects.toThrow('bad');
  });

  it('a worker SIGKILLed mid-task fails that task with WorkerLostError; the pool replaces it and goes on', async () => {
    const pool = make(pyPool({ processes: 1 }));
    const [worker] = await startedWorkers(pool);
    const running = pool.applyAsync(['sleep', 30]);
    const behind = pool.applyAsync(['pid']); // queued behind it, possibly already handed to the same worker
    await until(() => pool.counts.running === 1 && worker.pid !== null, 'the task to run');
    const pid = worker.pid!;
    process.kill(pid, 'SIGKILL');
    const error = await running.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerLostError);
    const lost = error as WorkerLostError;
    expect(lost.pid).toBe(pid);
    expect(lost.exitcode).toBe(-9);
    expect(lost.message).toContain(`pid ${pid}`);
    expect(lost.message).toMatch(/signal 9 \(SIGKILL\)/);
    // The task behind it was not lost: it runs on the replacement.
    const newPid = await behind.get(20_000);
    expect(newPid).not.toBe(pid);
    expect(await pool.apply(['pid'])).toBe(newPid);
    expect(pool.workers.map((w) => w.pid)).toEqual([newPid]);
    const [failedRow] = pool.tasks.filter((t) => t.state === 'failed');
    expect(failedRow.error?.type).toBe('WorkerLostError');
    expect(failedRow.workerPid).toBe(pid);
  });

  it('a worker that exits mid-task: WorkerLostError with its exit code, then the map goes on', async () => {
    const pool = make(pyPool({ processes: 2 }));
    const error = await pool.apply(['exit', 3]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerLostError);
    expect((error as WorkerLostError).exitcode).toBe(3);
    expect((error as Error).message).toMatch(/exited with code 3/);
    await expect(pool.starmap([['pid'], ['kill-self'], ['pid']])).rejects.toBeInstanceOf(WorkerLostError);
    expect(await pool.map([1, 2, 3])).toEqual([2, 4, 6]);
  });

  it('join before close or terminate rejects, as in Python', async () => {
    const pool = make(pyPool({ processes: 1 }));
    await expect(pool.join()).rejects.toThrow(/Pool is still running/);
    expect(pool.state).toBe('running');
  });

  it('close then join: queued tasks finish, workers exit 0, state goes closed → joined', async () => {
    const pool = make(pyPool());
    const states: PoolState[] = [];
    pool.on('state', (s) => states.push(s));
    const workers = await startedWorkers(pool);
    const results = pool.map([1, 2, 3, 4, 5, 6]);
    pool.close();
    pool.close(); // harmless
    expect(pool.state).toBe('closed');
    await pool.join();
    expect(await results).toEqual([2, 4, 6, 8, 10, 12]);
    expect(pool.state).toBe('joined');
    expect(states).toEqual(['closed', 'joined']);
    expect(pool.workers).toEqual([]);
    for (const worker of workers) expect(worker.exitcode).toBe(0);
    await pool.join(); // again: fine
  });

  it('submitting after close or terminate fails with "Pool not running"', async () => {
    const pool = make(pyPool({ processes: 1 }));
    pool.close();
    await expect(pool.apply(['pid'])).rejects.toThrow(/Pool not running/);
    await expect(pool.map([1])).rejects.toThrow(/Pool not running/);
    await expect(pool.starmap([[1]])).rejects.toThrow(/Pool not running/);
    expect(() => pool.applyAsync(['pid'])).toThrow(/Pool not running/);
    expect(() => pool.imap([1])).toThrow(/Pool not running/);
    expect(() => pool.imapUnordered([1])).toThrow(/Pool not running/);
    await pool.terminate();
    await expect(pool.apply(['pid'])).rejects.toThrow(/Pool not running/);
  });

  it('terminate cancels queued and running tasks, stops every worker, and is harmless to repeat', async () => {
    const pool = make(pyPool({ processes: 2 }));
    const results = Array.from({ length: 6 }, () => pool.applyAsync(['sleep', 30]));
    await until(() => pool.counts.running === 2, 'two running tasks');
    const pids = pool.workers.map((w) => w.pid!);
    const states: PoolState[] = [];
    pool.on('state', (s) => states.push(s));
    const terminating = pool.terminate();
    expect(pool.state).toBe('terminating');
    await terminating;
    expect(pool.state).toBe('terminated');
    for (const result of results) await expect(result.get()).rejects.toBeInstanceOf(TaskCancelledError);
    expect(pool.counts).toEqual({ queued: 0, running: 0, done: 0, failed: 0, cancelled: 6 });
    expect(pool.tasks.every((t) => t.state === 'cancelled' && t.error?.type === 'TaskCancelledError')).toBe(true);
    expect(pool.workers).toEqual([]);
    for (const pid of pids) expect(treeAlive(pid)).toBe(false);
    await pool.terminate();
    await pool.join();
    expect(pool.state).toBe('joined');
    await pool.terminate();
    expect(states).toEqual(['terminating', 'terminated', 'joined']);
  });

  it('terminate right after construction, and after close', async () => {
    const a = make(pyPool());
    await a.terminate();
    expect(a.workers).toEqual([]);
    const b = make(pyPool());
    const pending = b.applyAsync(['sleep', 30]);
    b.close();
    await until(() => b.counts.running === 1, 'the task to run');
    await b.terminate();
    await expect(pending.get()).rejects.toBeInstanceOf(TaskCancelledError);
    await b.join();
  });

  it('maxTasksPerChild retires a worker after N tasks and starts a fresh one', async () => {
    const pool = make(pyPool({ processes: 1, maxTasksPerChild: 2 }));
    expect(pool.maxTasksPerChild).toBe(2);
    const workers: Process[] = [];
    pool.on('worker', (proc) => workers.push(proc)); // the first one too: it is announced on the next microtask
    const pids = await pool.starmap<number>(Array.from({ length: 6 }, () => ['pid']));
    const counts = new Map<number, number>();
    for (const pid of pids) counts.set(pid, (counts.get(pid) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);
    expect(workers.slice(0, 3).map((w) => w.pid)).toEqual([...counts.keys()]);
    // Each retired worker was told to exit and did so cleanly; a fresh one replaced it.
    const retired = workers.slice(0, 3);
    await until(() => retired.every((w) => w.exitcode !== null), 'retired workers to exit');
    for (const worker of retired) expect(worker.exitcode).toBe(0);
  });

  it('a missing worker program fails tasks with the ProcessStartError instead of hanging or spinning', async () => {
    const pool = make({ processes: 2, command: 'pooldeck-no-such-program' });
    let workersCreated = 0;
    pool.on('worker', () => (workersCreated += 1));
    const error = await pool.apply(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as Error).message).toMatch(/pooldeck-no-such-program/);
    await expect(pool.map([1, 2, 3])).rejects.toBeInstanceOf(ProcessStartError);
    await sleep(300);
    expect(workersCreated).toBeLessThan(6); // backed off, no tight respawn loop
    expect(pool.counts.failed).toBe(4);
    pool.close();
    await pool.join();
  });

  it('a pool whose program appears later recovers on demand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-pool-'));
    try {
      const program = join(dir, 'worker.sh');
      const pool = make({ processes: 2, command: program });
      await expect(pool.apply(['x'])).rejects.toBeInstanceOf(ProcessStartError);
      copyFileSync(SH_WORKER, program);
      chmodSync(program, 0o755);
      // A task submitted while no worker is up fails at once, and makes the pool try again.
      await expect(pool.apply(['x'])).rejects.toBeInstanceOf(ProcessStartError);
      await until(() => pool.workers.some((w) => w.isAlive()), 'a worker to start');
      expect(await pool.apply(['x'])).toMatch(/^sh:\d+$/);
      await until(() => pool.workers.filter((w) => w.isAlive()).length === 2, 'the pool back at full strength');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a task whose result nobody reads never causes an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const pool = make(pyPool({ processes: 1 }));
      pool.applyAsync(['fail', 'ignored']);
      void pool.apply(['fail', 'ignored too']);
      void pool.map([{ fail: 'x' }]);
      void pool.apply(['kill-self']);
      pool.imap([{ fail: 'never iterated' }]);
      await pool.apply(['pid']).catch(() => undefined);
      for (let i = 0; i < 3; i += 1) pool.applyAsync(['sleep', 30]);
      void pool.apply(['sleep', 30]);
      await until(() => pool.counts.running === 1, 'a running task');
      await pool.terminate();
      void pool.apply(['after terminate']);
      await sleep(50);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('emits worker (before start), task (every state change) and state events', async () => {
    const pool = make(pyPool({ processes: 1, name: 'Emitter' }));
    const announced: { name: string; pid: number | null; started: boolean }[] = [];
    pool.on('worker', (proc) => announced.push({ name: proc.name, pid: proc.pid, started: proc.started }));
    const seen: PoolTask[] = [];
    pool.on('task', (task) => seen.push(task));
    expect(await pool.apply(['add', 1, 2])).toBe(3);
    expect(announced).toEqual([{ name: 'Emitter-Worker-1', pid: null, started: false }]);
    expect(seen.map((t) => t.state)).toEqual(['queued', 'running', 'done']);
    const done = seen[2];
    expect(done).toMatchObject({ id: 1, args: ['add', 1, 2], state: 'done', value: 3, workerName: 'Emitter-Worker-1' });
    expect(done.workerPid).toBe(pool.workers[0].pid);
    expect(done.startedAt).toBeGreaterThanOrEqual(done.queuedAt);
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt!);
    // Snapshots: the first event still says 'queued'.
    expect(seen[0].workerPid).toBeNull();
    await pool.apply(['fail', 'why']).catch(() => undefined);
    expect(seen.at(-1)).toMatchObject({ state: 'failed', error: { type: 'ValueError', message: 'why' } });
    expect(seen.at(-1)!.error!.traceback).toMatch(/ValueError: why/);
    expect(pool.counts).toEqual({ queued: 0, running: 0, done: 1, failed: 1, cancelled: 0 });
  });

  it('has Python-like defaults: names, daemon workers, readonly options', async () => {
    const pool = make(pyPool({ processes: 2 }));
    const other = make(pyPool({ processes: 1 }));
    expect(pool.name).toMatch(/^Pool-\d+$/);
    expect(Number(other.name.slice(5))).toBe(Number(pool.name.slice(5)) + 1);
    await startedWorkers(pool);
    expect(pool.workers.map((w) => w.name)).toEqual([`${pool.name}-Worker-1`, `${pool.name}-Worker-2`]);
    expect(pool.daemon).toBe(true);
    expect(pool.workers.every((w) => w.daemon)).toBe(true);
    expect(pool.mode).toBe('worker');
    expect(pool.processes).toBe(2);
    expect(pool.maxTasksPerChild).toBeNull();
    expect(pool.command).toBe('python3');
    expect(pool.args).toHaveLength(1);
    expect(pool.state).toBe('running');
    expect((await startedWorkers(make(pyPool({ daemon: false })))).every((w) => !w.daemon)).toBe(true);
  });

  it('validates options up front, naming the field', () => {
    const bad: [object, RegExp][] = [
      [{ processes: 0, command: 'x' }, /`processes` must be a positive integer \(got 0\)/],
      [{ processes: 1.5, command: 'x' }, /`processes` must be a positive integer/],
      [{ processes: '2', command: 'x' }, /`processes` must be a positive integer \(got "2"\)/],
      [{ processes: 1, command: '' }, /`command` must be a non-empty string/],
      [{ processes: 1, command: 'x', args: ['a', 2] }, /`args` must be an array of strings \(args\[1\] is 2\)/],
      [{ processes: 1, command: 'x', mode: 'fork' }, /`mode` must be 'worker' or 'exec'/],
      [{ processes: 1, command: 'x', maxTasksPerChild: 0 }, /`maxTasksPerChild` must be a positive integer/],
      [{ processes: 1, command: 'x', mode: 'exec', maxTasksPerChild: 2 }, /maxTasksPerChild` can only be 1/],
      [{ processes: 1, command: 'x', env: { A: 1 } }, /`env` values must be strings \(env.A is 1\)/],
      [{ processes: 1, command: 'x', daemon: 'yes' }, /`daemon` must be true or false/],
    ];
    for (const [options, message] of bad) expect(() => new Pool(options as never)).toThrow(message);
    const pool = make(pyPool({ processes: 1 }));
    expect(() => pool.applyAsync('pid' as never)).toThrow(/must be an array/);
    expect(() => pool.applyAsync([1n])).toThrow(/applyAsync\(args\): args\[0\] is a bigint, which JSON can't carry/);
    expect(() => pool.imap([1], { chunksize: 0 })).toThrow(/chunksize must be a positive integer/);
  });

  it('keeps every unfinished task record and the last 10,000 finished ones', async () => {
    expect(POOL_FINISHED_TASKS_KEPT).toBe(10_000);
    const pool = make({ processes: 2, command: 'node', args: [NODE_SYNC_WORKER] });
    const n = POOL_FINISHED_TASKS_KEPT + 50;
    const values = await pool.map(Array.from({ length: n }, (_, i) => i));
    expect(values[n - 1]).toBe((n - 1) * 2);
    const tasks = pool.tasks;
    expect(tasks).toHaveLength(POOL_FINISHED_TASKS_KEPT);
    expect(tasks[0].id).toBe(51);
    expect(tasks.at(-1)!.id).toBe(n);
    expect(pool.counts.done).toBe(n);
  });
});

describe('worker helpers', () => {
  it('Python helper: an exception is a TaskFailedError with its type and traceback; bad values do not crash it', async () => {
    const pool = make(pyPool({ processes: 1 }));
    const pid = await pool.apply(['pid']);
    const error = (await pool.apply(['fail', 'boom']).catch((e: unknown) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.remoteType).toBe('ValueError');
    expect(error.message).toBe('boom');
    expect(error.traceback).toMatch(/^Traceback \(most recent call last\):/);
    expect(error.traceback).toMatch(/py-worker\.py/);
    expect(error.traceback).toMatch(/ValueError: boom/);
    const nan = (await pool.apply(['nan']).catch((e: unknown) => e)) as TaskFailedError;
    expect(nan).toBeInstanceOf(TaskFailedError);
    expect(nan.message).toMatch(/not JSON-serialisable/);
    await expect(pool.apply(['object'])).rejects.toThrow(/not JSON-serialisable \(object\)/);
    expect(await pool.apply(['pid'])).toBe(pid); // same worker, still serving
    expect(await pool.apply(['echo', 'héllo ✓', { a: [1, null] }])).toEqual(['héllo ✓', { a: [1, null] }]);
  });

  it('Node helper: sync and async handlers, initializer first, errors with stack, many tasks in flight', async () => {
    const pool = make(nodePool({ processes: 1 }));
    expect(await pool.apply(['initialized'])).toBe(1);
    expect(await pool.apply(['echo', 'a', 2])).toEqual(['a', 2]);
    const slept = await pool.apply<Slept>(['sleep', 20]);
    expect(slept.end).toBeGreaterThanOrEqual(slept.start);
    const error = (await pool.apply(['fail', 'out of range']).catch((e: unknown) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.remoteType).toBe('RangeError');
    expect(error.message).toBe('out of range');
    expect(error.traceback).toMatch(/RangeError: out of range\n\s+at /);
    await expect(pool.apply(['reject', 'async no'])).rejects.toThrow('async no');
    await expect(pool.apply(['bigint'])).rejects.toThrow(/not JSON-serialisable/);
    expect(await pool.apply(['undefined'])).toBeNull();
    // Pipelining: a burst of tasks to one worker, each answered under its own id.
    const burst = await pool.starmap(Array.from({ length: 300 }, (_, i) => ['double', i]));
    expect(burst).toEqual(Array.from({ length: 300 }, (_, i) => i * 2));
    const mixed = await Promise.all([pool.apply(['sleep', 30]), pool.apply(['double', 21]), pool.apply(['fail', 'x']).catch(() => 'failed')]);
    expect(mixed.slice(1)).toEqual([42, 'failed']);
    expect(new Set([await pool.apply(['pid'])]).size).toBe(1);
  });

  it('Node helper: answers made before a handler exits the process still arrive', async () => {
    const pool = make({ processes: 1, command: 'node', args: [NODE_SYNC_WORKER] });
    expect(await pool.map(Array.from({ length: 500 }, (_, i) => i))).toHaveLength(500); // deep pipelining by now
    const results = await Promise.allSettled([1, 2, 'exit', 3].map((x) => pool.apply([x])));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([2, 4, 'WorkerLostError', 6]);
    expect(((results[2] as PromiseRejectedResult).reason as Error).message).toMatch(/exited with code 5/);
  });
});
