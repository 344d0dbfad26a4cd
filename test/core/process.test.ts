// The Process contract, against real processes. Every process a test starts (children, grandchildren,
// and anything that escaped its group) is killed in afterEach, even when the test failed.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProcessStartError } from '../../main/core/errors.js';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';
import { Process, type OutputStream, type ProcessOptions } from '../../main/core/process.js';
import { killTreeOf } from '../helpers/kill-processes.js';
import { python, skipUnless, unixLike } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const skipHere = skipUnless(unixLike, 'test/core/process.test.ts', 'its jobs are sleep and sh -c, and it checks signal exit codes (-15, -9), process groups and executable bits');

/** The real interpreter (not a version-manager shim), so that spawning it is quick and its pid is python's. */
const PYTHON = execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

const started: Process[] = [];
/** Pids (with start time) seen during a test, killed in afterEach if still the same process. */
const seen = new Map<number, number>();
const tempDirs: string[] = [];

function make(options: ProcessOptions): Process {
  const process = new Process(options);
  started.push(process);
  return process;
}

function remember(pids: number[]): void {
  for (const pid of pids) {
    const stat = readProcStat(pid);
    if (stat) seen.set(pid, stat.startTime);
  }
}

function descendants(pid: number): number[] {
  return descendantsOf(pid, childrenByParent(readAllProcStats()));
}

/** Alive = in /proc, the same process (start time), and not a zombie. */
function alive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTime === startTime && stat.state !== 'Z';
}

function collectOutput(process: Process): Record<OutputStream, string> {
  const output: Record<OutputStream, string> = { stdout: '', stderr: '' };
  process.on('output', (stream, chunk) => {
    output[stream] += chunk.toString('utf8');
  });
  return output;
}

afterEach(async () => {
  for (const process of started.splice(0)) {
    if (process.pid === null) continue;
    remember([process.pid, ...descendants(process.pid)]);
    killTreeOf(process.pid);
  }
  for (const [pid, startTime] of seen) {
    if (alive(pid, startTime)) {
      try {
        globalThis.process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
  seen.clear();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe.skipIf(skipHere)('names and lifecycle errors', () => {
  it('names processes Process-1, Process-2, … counting up', () => {
    const first = new Process({ command: 'true' });
    const second = new Process({ command: 'true' });
    const number = (name: string): number => Number(/^Process-(\d+)$/.exec(name)?.[1]);
    expect(first.name).toMatch(/^Process-\d+$/);
    expect(number(second.name)).toBe(number(first.name) + 1);
    expect(new Process({ command: 'true', name: 'mine' }).name).toBe('mine');
  });

  it('throws when joining a process that was never started', () => {
    const process = new Process({ command: 'true' });
    expect(() => process.join()).toThrow(/started/);
    expect(() => process.join(10)).toThrow(/started/);
  });

  it('throws when started twice', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    await process.start();
    expect(() => process.start()).toThrow(/once/);
  });

  it('lets daemon be set before start only', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    process.daemon = true;
    expect(process.daemon).toBe(true);
    await process.start();
    expect(() => {
      process.daemon = false;
    }).toThrow(/before start/);
    expect(process.daemon).toBe(true);
  });
});

describe.skipIf(skipHere)('exitcodes', () => {
  it('is null before start and while running', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    expect(process.exitcode).toBeNull();
    expect(process.isAlive()).toBe(false);
    await process.start();
    expect(process.exitcode).toBeNull();
    expect(process.isAlive()).toBe(true);
    expect(process.pid).toBeGreaterThan(0);
  });

  it.each([
    ['exit 0', 0],
    ['exit 3', 3],
  ])('reports %s as %i', async (script, expected) => {
    const process = make({ command: 'sh', args: ['-c', script] });
    await process.start();
    expect(await process.join()).toBe(expected);
    expect(process.exitcode).toBe(expected);
    expect(process.isAlive()).toBe(false);
  });

  it('reports an uncaught Python exception as 1', async () => {
    const process = make({ command: PYTHON, args: ['-c', 'raise ValueError("boom")'] });
    const output = collectOutput(process);
    await process.start();
    expect(await process.join()).toBe(1);
    expect(output.stderr).toContain('ValueError: boom');
  });

  it('reports terminate() as -15 and kill() as -9', async () => {
    const terminated = make({ command: 'sleep', args: ['30'] });
    const killed = make({ command: 'sleep', args: ['30'] });
    await Promise.all([terminated.start(), killed.start()]);
    terminated.terminate();
    killed.kill();
    expect(await terminated.join()).toBe(-15);
    expect(await killed.join()).toBe(-9);
  });

  it('resolves join(timeout) to null for a running process, without throwing', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    await process.start();
    await expect(process.join(50)).resolves.toBeNull();
    expect(process.isAlive()).toBe(true);
    process.kill();
    expect(await process.join(10_000)).toBe(-9);
  });

  it('emits started, output on each stream, then exit', async () => {
    const process = make({ command: 'sh', args: ['-c', 'echo out; echo err >&2; echo more'] });
    const events: string[] = [];
    const output = collectOutput(process);
    process.on('started', (pid) => events.push(`started ${pid === process.pid}`));
    process.on('exit', (code) => events.push(`exit ${code}`));
    await process.start();
    await process.join();
    expect(output.stdout).toBe('out\nmore\n');
    expect(output.stderr).toBe('err\n');
    expect(events).toEqual(['started true', 'exit 0']);
  });
});

describe.skipIf(skipHere)('ending whole trees', () => {
  it('terminate() ends the grandchildren a shell started', async () => {
    const process = make({ command: 'sh', args: ['-c', 'sleep 300 & sleep 300 & wait'] });
    await process.start();
    const below = await until(() => {
      const pids = descendants(process.pid!);
      return pids.length >= 2 && pids;
    }, 'the two sleeps');
    remember(below);
    const recorded = [...seen].filter(([pid]) => below.includes(pid));
    expect(recorded).toHaveLength(2);

    process.terminate();
    expect(await process.join(10_000)).toBe(-15);
    await until(() => recorded.every(([pid, startTime]) => !alive(pid, startTime)), 'the sleeps to end');
  });

  it('terminate() ends a child and grandchild of python, also one that left the process group', async () => {
    // python → python child → sleep grandchild (same group), plus a grandchild in a new session.
    const script = [
      'import subprocess, sys, time',
      'inner = "import subprocess, time; subprocess.Popen([\\"sleep\\", \\"300\\"]); subprocess.Popen([\\"sleep\\", \\"301\\"], start_new_session=True); time.sleep(300)"',
      'subprocess.Popen([sys.executable, "-c", inner])',
      'time.sleep(300)',
    ].join('\n');
    const process = make({ command: PYTHON, args: ['-c', script] });
    await process.start();
    const below = await until(() => {
      const pids = descendants(process.pid!);
      return pids.length >= 3 && pids;
    }, 'child and two grandchildren');
    remember(below);
    const recorded = [...seen].filter(([pid]) => below.includes(pid));
    const escaped = recorded.filter(([pid]) => readProcStat(pid)!.pgrp !== process.pid);
    expect(escaped).toHaveLength(1);

    process.terminate();
    expect(await process.join(10_000)).toBe(-15);
    await until(() => recorded.every(([pid, startTime]) => !alive(pid, startTime)), 'the whole tree to end');
  });

  it('terminate() after the leader exited still ends what it left in its group', async () => {
    const process = make({ command: 'sh', args: ['-c', 'sleep 300 & echo $!'] });
    const output = collectOutput(process);
    await process.start();
    expect(await process.join(10_000)).toBe(0);
    const leftover = Number(output.stdout.trim());
    remember([leftover]);
    const startTime = seen.get(leftover)!;
    expect(alive(leftover, startTime)).toBe(true);
    process.terminate();
    await until(() => !alive(leftover, startTime), 'the leftover sleep to end');
  });

  it('stop() ends a normal process with SIGTERM, not forced', async () => {
    const process = make({ command: 'sleep', args: ['300'] });
    await process.start();
    expect(await process.stop({ graceMs: 5000 })).toEqual({ exitcode: -15, forced: false });
  });

  it('stop() ends a stopped (SIGSTOPped) process with SIGTERM, resuming it rather than waiting out the grace', async () => {
    const process = make({ command: 'sleep', args: ['300'] });
    await process.start();
    process.sendSignal('SIGSTOP', { wholeTree: true });
    await until(() => readProcStat(process.pid!)?.state === 'T', 'the sleep to be stopped');
    // Without SIGCONT the SIGTERM stays pending and the grace ends in SIGKILL (-9, forced).
    expect(await process.stop({ graceMs: 20_000 })).toEqual({ exitcode: -15, forced: false });
  });

  it('stop() kills a process that ignores SIGTERM once the grace period is over', async () => {
    const script = 'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(300)';
    const process = make({ command: PYTHON, args: ['-c', script] });
    const output = collectOutput(process);
    await process.start();
    await until(() => output.stdout.includes('ready'), 'the SIGTERM handler');
    expect(await process.stop({ graceMs: 300 })).toEqual({ exitcode: -9, forced: true });
  });
});

describe.skipIf(skipHere)('start failures', () => {
  it('rejects a missing program with ENOENT, naming it', async () => {
    const process = make({ command: 'pooldeck-no-such-program' });
    const error = await process.start().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toBe('ENOENT');
    expect((error as Error).message).toContain('pooldeck-no-such-program');
    expect(process.pid).toBeNull();
    expect(process.isAlive()).toBe(false);
    await expect(process.join()).resolves.toBeNull();
  });

  it('rejects a file without the executable bit with EACCES, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-process-'));
    tempDirs.push(dir);
    const file = join(dir, 'not-executable.sh');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    const process = make({ command: file });
    const error = await process.start().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toBe('EACCES');
    expect((error as Error).message).toContain(file);
  });

  it('rejects a missing working directory, naming it', async () => {
    const cwd = join(tmpdir(), 'pooldeck-no-such-folder', 'really-not-there');
    const process = make({ command: 'sleep', args: ['1'], cwd });
    const error = await process.start().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as Error).message).toContain(cwd);
    expect(process.pid).toBeNull();
  });
});

describe.skipIf(skipHere)('pid reuse', () => {
  it('signals nothing at all once the process exited (its pid may belong to someone else by now)', async () => {
    const process = make({ command: 'sh', args: ['-c', 'exit 0'] });
    await process.start();
    expect(await process.join()).toBe(0);
    const kill = vi.spyOn(globalThis.process, 'kill');
    process.terminate();
    process.kill();
    await expect(process.stop({ graceMs: 100 })).resolves.toEqual({ exitcode: 0, forced: false });
    const signalled = kill.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined);
    expect(signalled).toEqual([]);
  });

  it('stops signalling a recorded descendant once it is dead, and its group once that emptied', async () => {
    // The parent ignores SIGTERM and so does its child (the disposition is inherited), which leaves the
    // group: terminate() records the child as a descendant outside the group and signals it by pid.
    const script = [
      'import signal, subprocess, time',
      'signal.signal(signal.SIGTERM, signal.SIG_IGN)',
      'child = subprocess.Popen(["sleep", "300"], start_new_session=True)',
      'print(child.pid, flush=True)',
      'time.sleep(300)',
    ].join('\n');
    const process = make({ command: PYTHON, args: ['-c', script] });
    const output = collectOutput(process);
    await process.start();
    const child = await until(() => Number(output.stdout.trim()), 'the child pid');
    remember([child]);
    const kill = vi.spyOn(globalThis.process, 'kill');
    process.terminate();
    expect(kill.mock.calls).toContainEqual([child, 'SIGTERM']);
    expect(kill.mock.calls).toContainEqual([-process.pid!, 'SIGTERM']);
    kill.mockClear();

    // The child dies (and stays a zombie or is reaped); the leader is killed. Nothing of ours is left.
    globalThis.process.kill(child, 'SIGKILL');
    process.kill();
    expect(await process.join(10_000)).toBe(-9);
    await until(() => !alive(child, seen.get(child)!), 'the child to end');
    kill.mockClear();
    process.terminate();
    process.kill();
    const signalled = kill.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined);
    expect(signalled).toEqual([]);
  });
});

describe.skipIf(skipHere)('join timeouts', () => {
  it('resolves join(0) and join(-5) to null at once while the process runs', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    await process.start();
    const afterThisTurn = new Promise((resolve) => setImmediate(() => resolve('after this turn')));
    await expect(Promise.race([process.join(0), afterThisTurn])).resolves.toBeNull();
    await expect(Promise.race([process.join(-5), afterThisTurn])).resolves.toBeNull();
    expect(process.isAlive()).toBe(true);
  });

  it('resolves join(0) and join(-5) to the exitcode of an ended process', async () => {
    const process = make({ command: 'sh', args: ['-c', 'exit 4'] });
    await process.start();
    expect(await process.join()).toBe(4);
    expect(await process.join(0)).toBe(4);
    expect(await process.join(-5)).toBe(4);
  });

  it('waits for the end when the timeout is longer than a timer can wait', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    await process.start();
    const forever = process.join(Infinity);
    const pending = Symbol('pending');
    expect(await process.join(100)).toBeNull();
    expect(await Promise.race([forever, Promise.resolve(pending)])).toBe(pending);
    process.kill();
    expect(await forever).toBe(-9);
  });

  it('rejects a timeout that is not a number, naming timeoutMs', async () => {
    const process = make({ command: 'sleep', args: ['30'] });
    await process.start();
    expect(() => process.join(Number.NaN)).toThrow(/timeoutMs must be a number/);
  });
});

describe.skipIf(skipHere)('Process.activeChildren()', () => {
  it('lists the started processes that are alive and forgets each one when it ends', async () => {
    const first = make({ command: 'sleep', args: ['30'] });
    const second = make({ command: 'sleep', args: ['30'] });
    const quick = make({ command: 'sh', args: ['-c', 'exit 0'] });
    const neverStarted = make({ command: 'sleep', args: ['30'] });
    const missing = make({ command: 'pooldeck-no-such-program' });
    await Promise.all([first.start(), second.start(), quick.start(), missing.start().catch(() => undefined)]);
    expect(Process.activeChildren()).toEqual(expect.arrayContaining([first, second]));

    expect(await quick.join()).toBe(0);
    first.kill();
    expect(await first.join()).toBe(-9);
    const active = Process.activeChildren();
    expect(active).toContain(second);
    for (const gone of [first, quick, neverStarted, missing]) expect(active).not.toContain(gone);
    expect(active.every((process) => process.isAlive())).toBe(true);
  });

  it('keeps no ended process reachable, so it can be garbage collected', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const ended = await (async () => {
      // Not made with make(): the test's own list would keep it alive. It ends by itself.
      const process = new Process({ command: 'sh', args: ['-c', 'exit 0'] });
      await process.start();
      remember([process.pid!]);
      await process.join();
      return new WeakRef(process);
    })();
    await until(() => {
      collectGarbage();
      return ended.deref() === undefined;
    }, 'the ended process to be collected');
  });
});

describe.skipIf(skipHere)('close()', () => {
  it('refuses to close a running process, naming it, and leaves it running', async () => {
    const process = make({ command: 'sleep', args: ['30'], name: 'busy-sleeper' });
    await process.start();
    expect(() => process.close()).toThrow(/Cannot close busy-sleeper while it is still running.*join\(\).*terminate\(\)/);
    expect(process.isAlive()).toBe(true);
    expect(Process.activeChildren()).toContain(process);
  });

  it('makes every later use throw an error naming the closed process, and keeps the record readable', async () => {
    const process = make({ command: 'sh', args: ['-c', 'exit 5'], name: 'finished-job' });
    process.on('exit', () => undefined);
    await process.start();
    const pid = process.pid;
    expect(await process.join()).toBe(5);
    process.close();
    process.close();

    const closed = /finished-job is closed/;
    expect(() => process.start()).toThrow(closed);
    expect(() => process.join()).toThrow(closed);
    expect(() => process.join(0)).toThrow(closed);
    expect(() => process.terminate()).toThrow(closed);
    expect(() => process.kill()).toThrow(closed);
    expect(() => process.isAlive()).toThrow(closed);
    expect(() => {
      process.daemon = true;
    }).toThrow(closed);
    await expect(process.stop()).rejects.toThrow(closed);

    expect(process.pid).toBe(pid);
    expect(process.exitcode).toBe(5);
    expect(process.channel).toBeNull();
    expect(process.listenerCount('exit')).toBe(0);
    expect(Process.activeChildren()).not.toContain(process);
  });

  it('closes a process that was never started, after which it cannot start', () => {
    const process = new Process({ command: 'sleep', args: ['30'] });
    process.close();
    expect(() => process.start()).toThrow(new RegExp(`${process.name} is closed: cannot start\\(\\)`));
  });

  it('closes a process whose start failed', async () => {
    const process = make({ command: 'pooldeck-no-such-program' });
    await expect(process.start()).rejects.toBeInstanceOf(ProcessStartError);
    process.close();
    expect(() => process.join()).toThrow(/is closed/);
  });

  it('closes the output pipes a background grandchild still writes to', async () => {
    // The grandchild keeps stdout open after the shell exited; once close() let go of the pipe's
    // read end, its next write fails (SIGPIPE) and it ends.
    const process = make({ command: 'sh', args: ['-c', '(while echo tick; do sleep 0.05; done) & echo $!'] });
    const output = collectOutput(process);
    await process.start();
    expect(await process.join()).toBe(0);
    const writer = Number(output.stdout.split('\n').find((line) => /^\d+$/.test(line)));
    remember([writer]);
    const startTime = seen.get(writer)!;
    await until(() => output.stdout.includes('tick'), 'the grandchild to write');
    expect(alive(writer, startTime)).toBe(true);

    process.close();
    await until(() => !alive(writer, startTime), 'the grandchild to end on its broken pipe');
  });
});

describe.skipIf(skipHere)('await using', () => {
  it('stops a running process with the ladder when the block ends', async () => {
    let held: Process;
    {
      await using process = make({ command: 'sleep', args: ['300'] });
      held = process;
      await process.start();
    }
    expect(held.exitcode).toBe(-15);
    expect(held.isAlive()).toBe(false);
  });

  it('stops a process whose start was not awaited yet', async () => {
    let held: Process;
    let starting: Promise<void>;
    {
      await using process = make({ command: 'sleep', args: ['300'] });
      held = process;
      starting = process.start();
    }
    await starting;
    expect(held.exitcode).toBe(-15);
  });

  it('ends what an exited process left behind in its group', async () => {
    const process = make({ command: 'sh', args: ['-c', 'sleep 300 & echo $!'] });
    const output = collectOutput(process);
    await process.start();
    expect(await process.join()).toBe(0);
    const leftover = Number(output.stdout.trim());
    remember([leftover]);
    const startTime = seen.get(leftover)!;
    expect(alive(leftover, startTime)).toBe(true);
    await process[Symbol.asyncDispose]();
    expect(alive(leftover, startTime)).toBe(false);
  });

  it('signals nothing for a process never started, ended with nothing left, or closed', async () => {
    const neverStarted = new Process({ command: 'sleep', args: ['30'] });
    const ended = make({ command: 'sh', args: ['-c', 'exit 0'] });
    const closed = make({ command: 'sh', args: ['-c', 'exit 0'] });
    await Promise.all([ended.start(), closed.start()]);
    await Promise.all([ended.join(), closed.join()]);
    closed.close();
    const kill = vi.spyOn(globalThis.process, 'kill');
    for (const process of [neverStarted, ended, closed]) await process[Symbol.asyncDispose]();
    const signalled = kill.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined);
    expect(signalled).toEqual([]);
    expect(ended.exitcode).toBe(0);
  });
});
