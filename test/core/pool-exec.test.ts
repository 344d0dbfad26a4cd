import { describe, expect, it } from 'vitest';
import {
  expandTemplate,
  hasPlaceholder,
  ProcessStartError,
  TaskCancelledError,
  TaskFailedError,
  type Process,
  type TaskOutput,
} from '../../main/core/index.js';
import { maxOverlap, trackPools, treeAlive, until } from '../fixtures/pool-harness.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/core/pool-exec.test.ts', 'its exec-mode programs are sh -c scripts and python3');

const { make } = trackPools();

/** A python3 program printing its argv (after the script) as JSON. */
const PRINT_ARGV = 'import json, sys; print(json.dumps(sys.argv[1:]))';
const argvOf = (output: unknown): string[] => JSON.parse((output as TaskOutput).stdout) as string[];

describe.skipIf(skipHere)('exec-mode templates', () => {
  it('substitutes {} and {N}, or appends the arguments when there is no placeholder', () => {
    expect(expandTemplate(['-n', '{}'], [1, 'a b'])).toEqual(['-n', '1', 'a b']);
    expect(expandTemplate(['pre-{}-post'], [1, 2])).toEqual(['pre-1 2-post']);
    expect(expandTemplate(['{2}', '{1}', 'x{1}y{1}'], ['a', 'b'])).toEqual(['b', 'a', 'xaya']);
    expect(expandTemplate(['{3}'], ['a'])).toEqual(['']);
    expect(expandTemplate(['fixed'], [1, true, null])).toEqual(['fixed', '1', 'true', 'null']);
    expect(expandTemplate([], ['only'])).toEqual(['only']);
    // Not placeholders: left alone, so the arguments are appended.
    expect(expandTemplate(['{0}', '{x}', '${HOME}', '{01}'], [7])).toEqual(['{0}', '{x}', '${HOME}', '{01}', '7']);
    expect(hasPlaceholder(['a', 'b{}'])).toBe(true);
    expect(hasPlaceholder(['{12}'])).toBe(true);
    expect(hasPlaceholder(['{0}', '}{', '{ }'])).toBe(false);
  });
});

describe.skipIf(skipHere)('Pool (exec mode): the GNU parallel model', () => {
  const execPool = (args: string[], processes = 2, command = 'python3') => make({ processes, command, args, mode: 'exec' });

  it('passes {} as separate arguments and resolves to { exitcode, stdout, stderr }', async () => {
    const pool = execPool(['-c', `${PRINT_ARGV}; import sys; sys.stderr.write("note\\n")`, '{}']);
    expect(pool.mode).toBe('exec');
    expect(pool.maxTasksPerChild).toBe(1);
    const output = await pool.apply<TaskOutput>([1, 'two words', 3.5]);
    expect(output).toEqual({ exitcode: 0, stdout: '["1", "two words", "3.5"]\n', stderr: 'note\n' });
  });

  it('substitutes {1}, {2} and {} inside a longer argument; appends when there is no placeholder', async () => {
    const numbered = execPool(['-c', PRINT_ARGV, '{2}', '--', '{1}']);
    expect(argvOf(await numbered.apply(['a', 'b']))).toEqual(['b', '--', 'a']);
    const inside = execPool(['-c', PRINT_ARGV, '--name=job-{}.txt']);
    expect(argvOf(await inside.apply([1, 2]))).toEqual(['--name=job-1 2.txt']);
    const appended = execPool(['-c', PRINT_ARGV, 'fixed']);
    expect((await appended.map([1, 2])).map(argvOf)).toEqual([
      ['fixed', '1'],
      ['fixed', '2'],
    ]);
    expect((await appended.starmap([['x', 'y']])).map(argvOf)).toEqual([['fixed', 'x', 'y']]);
  });

  it('a non-zero exit rejects with TaskFailedError carrying the exit code and output', async () => {
    const pool = execPool(['-c', 'echo out; echo oops >&2; exit "$1"', 'sh'], 2, 'sh');
    const error = (await pool.apply([3]).catch((e: unknown) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.exitcode).toBe(3);
    expect(error.stdout).toBe('out\n');
    expect(error.stderr).toBe('oops\n');
    expect(error.message).toMatch(/exited with code 3/);
    expect(pool.tasks[0]).toMatchObject({ state: 'failed', error: { type: 'TaskFailedError' } });
    expect(await pool.apply([0])).toEqual({ exitcode: 0, stdout: 'out\n', stderr: 'oops\n' });
  });

  it('death by a signal rejects with TaskFailedError and a negative exitcode', async () => {
    const pool = execPool(['-c', 'echo before; kill -9 $$'], 1, 'sh');
    const error = (await pool.apply([]).catch((e: unknown) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.exitcode).toBe(-9);
    expect(error.stdout).toBe('before\n');
    expect(error.message).toMatch(/killed by signal 9 \(SIGKILL\), exitcode -9/);
  });

  it('runs at most `processes` tasks at once; pool.workers lists the running ones', async () => {
    const script = 'import json, time, os; s = time.time(); time.sleep(0.3); print(json.dumps({"pid": os.getpid(), "start": s, "end": time.time()}))';
    const pool = execPool(['-c', script], 2);
    let maxWorkers = 0;
    const started: Process[] = [];
    pool.on('worker', (proc) => {
      started.push(proc);
      maxWorkers = Math.max(maxWorkers, pool.workers.length);
    });
    pool.on('task', () => {
      maxWorkers = Math.max(maxWorkers, pool.workers.length);
      expect(pool.counts.running).toBeLessThanOrEqual(2);
    });
    const outputs = await pool.starmap<TaskOutput>(Array.from({ length: 6 }, () => []));
    const runs = outputs.map((o) => JSON.parse(o.stdout) as { pid: number; start: number; end: number });
    expect(maxOverlap(runs)).toBeLessThanOrEqual(2);
    expect(maxWorkers).toBeLessThanOrEqual(2);
    expect(new Set(runs.map((r) => r.pid)).size).toBe(6); // a fresh process per task
    expect(started.map((p) => p.name)).toEqual(Array.from({ length: 6 }, (_, i) => `${pool.name}-Worker-${i + 1}`));
    expect(pool.workers).toEqual([]);
    expect(pool.tasks.every((t) => t.state === 'done' && t.workerPid !== null)).toBe(true);
  });

  it('a program that cannot start is a failed task with the ProcessStartError, not a crash', async () => {
    const pool = make({ processes: 2, command: 'pooldeck-no-such-command', mode: 'exec' });
    const error = await pool.apply(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as Error).message).toMatch(/Cannot start pooldeck-no-such-command: no such program/);
    const results = await Promise.allSettled([pool.apply([1]), pool.apply([2]), pool.apply([3])]);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof ProcessStartError)).toBe(true);
    expect(pool.counts).toMatchObject({ failed: 4, queued: 0, running: 0 });
    expect(pool.tasks[0].error).toMatchObject({ type: 'ProcessStartError' });
    pool.close();
    await pool.join();
  });

  it('keeps the last 64 KiB of each stream', async () => {
    const pool = execPool(['-c', 'import sys; sys.stdout.write("a" * 100000 + "END"); sys.stderr.write("é" * 40000)'], 1);
    const output = await pool.apply<TaskOutput>([]);
    expect(output.stdout).toHaveLength(64 * 1024);
    expect(output.stdout.endsWith('aEND')).toBe(true);
    // 'é' is 2 bytes: no half character at the cut.
    expect(output.stderr).toBe('é'.repeat(32 * 1024));
    // The kept task record holds a shorter tail, so that thousands of records stay small.
    const record = pool.tasks[0].value as TaskOutput;
    expect(record.stdout).toHaveLength(4096);
    expect(record.stdout.endsWith('aEND')).toBe(true);
  });

  it('terminate cancels running and queued tasks and ends their whole process trees', async () => {
    const pool = execPool(['-c', 'sleep 30 & sleep 30; wait'], 2, 'sh');
    const tasks = Array.from({ length: 4 }, () => pool.applyAsync([]));
    await until(() => pool.counts.running === 2, 'two running tasks');
    const pids = pool.workers.map((p) => p.pid!);
    await pool.terminate();
    for (const task of tasks) await expect(task.get()).rejects.toBeInstanceOf(TaskCancelledError);
    expect(pool.counts).toMatchObject({ cancelled: 4, running: 0, queued: 0 });
    for (const pid of pids) expect(treeAlive(pid)).toBe(false);
    expect(pool.workers).toEqual([]);
    await pool.terminate();
    await pool.join();
  });

  it('close then join waits for the queued tasks', async () => {
    const pool = execPool(['-c', 'echo $1', 'sh'], 2, 'sh');
    const outputs = pool.map([1, 2, 3, 4, 5]);
    pool.close();
    await expect(pool.apply([6])).rejects.toThrow(/Pool not running/);
    await pool.join();
    expect(pool.state).toBe('joined');
    expect((await outputs).map((o) => (o as TaskOutput).stdout)).toEqual(['1\n', '2\n', '3\n', '4\n', '5\n']);
  });
});
