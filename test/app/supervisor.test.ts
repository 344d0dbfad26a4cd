import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../main/app/supervisor.js';
import type { Delta, ProcessRow } from '../../main/protocol/rows.js';
import { readProcStat } from '../../main/core/proc-stat.js';
import { PY_WORKER } from '../fixtures/pool-harness.js';
import { until } from '../helpers/until.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/supervisor.test.ts', 'its jobs are sh -c scripts, sleep and python3');

let supervisor: Supervisor;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-supervisor-'));
  supervisor = new Supervisor({ dataDir, sampleIntervalMs: 200, graceMs: 500 });
});

afterEach(async () => {
  // Ends every job, daemon or not, so no test leaves a process behind even when it failed.
  await supervisor.shutdown({ terminateAll: true, graceMs: 500 });
  await supervisor.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

function row(id: string): ProcessRow | undefined {
  return supervisor.snapshot().processes.find((candidate) => candidate.id === id);
}

describe.skipIf(skipHere)('Supervisor', () => {
  it('keeps a row per process under a stable id and records its exit', async () => {
    const created = await supervisor.createProcess({ command: 'sh', args: ['-c', 'echo hello; exit 3'] });
    expect(created.id).toMatch(/^p\d+$/);
    expect(created.pid).toBeGreaterThan(0);
    const ended = await until(() => (row(created.id)?.state === 'exited' ? row(created.id) : null), 'the row to show the exit');
    expect(ended).toMatchObject({ exitcode: 3, isAlive: false, kind: 'process' });
    const logs = await until(() => {
      const read = supervisor.readLogs(created.id);
      return read.lines.some((line) => line.text.includes('hello')) ? read : null;
    }, 'the line "hello" in the logs');
    expect(logs.lines.find((line) => line.text.includes('hello'))?.stream).toBe('stdout');
  });

  it('shows a failed start as a failed row with the OS error, and other jobs go on', async () => {
    const failed = await supervisor.createProcess({ command: 'pooldeck-no-such-program' });
    expect(failed).toMatchObject({ state: 'failed', pid: null, isAlive: false });
    expect(failed.error).toMatch(/pooldeck-no-such-program.*ENOENT/);
    const badCwd = await supervisor.createProcess({ command: 'ls', cwd: '/no/such/folder' });
    expect(badCwd.error).toMatch(/\/no\/such\/folder/);
    const fine = await supervisor.createProcess({ command: 'sleep', args: ['30'] });
    expect(fine.isAlive).toBe(true);
  });

  it('samples CPU and memory of live processes into rows and deltas', async () => {
    const busy = await supervisor.createProcess({ command: 'python3', args: ['-c', 'import time\nend=time.time()+30\nwhile time.time()<end: pass'] });
    const sampled = await until(() => {
      const current = row(busy.id);
      // The first sample of a pid reads 0, and the sampler's first tick (pidusage's own start-up) may
      // leave the next one only a few ms later: by the fourth, samples are a full interval apart.
      return current && current.memory !== null && supervisor.snapshot().cpuHistory[busy.id].length >= 4 ? current : null;
    }, 'four samples of the busy process');
    expect(sampled.memory).toBeGreaterThan(0);
    expect(sampled.cpu).toBeGreaterThan(0);
    const delta = await until(() => supervisor.takeDelta(), 'a delta');
    expect(delta.seq).toBeGreaterThan(0);
    expect(delta.app?.cores).toBeGreaterThan(0);
  });

  it('leaves a sampled row out of the delta while its CPU, memory and stopped state stay the same', async () => {
    const idle = await supervisor.createProcess({ command: 'sleep', args: ['30'] });
    supervisor.takeDelta();
    // An idle sleep reads 0 % and the same RSS at every tick once pidusage has its first figures.
    const quiet = await until(() => {
      const delta = supervisor.takeDelta();
      return delta?.sampled && !delta.processes.some((p) => p.id === idle.id) ? delta : null;
    }, 'a sampled delta without the idle row');
    expect(quiet.sampled).toBe(true);
    // Its history still advanced at every tick: a UI adds a point per sampled delta for every live row.
    expect(supervisor.snapshot().cpuHistory[idle.id].length).toBeGreaterThanOrEqual(2);
  });

  it('hands out deltas with only the rows that changed', async () => {
    const quiet = new Supervisor({ dataDir, sampleIntervalMs: 60_000 });
    try {
      const a = await quiet.createProcess({ command: 'sleep', args: ['30'] });
      const b = await quiet.createProcess({ command: 'sleep', args: ['30'] });
      const first = quiet.takeDelta()!;
      expect(first.processes.map((p) => p.id).sort()).toEqual([a.id, b.id].sort());
      expect(quiet.takeDelta()).toBeNull();
      quiet.terminate(b.id);
      const after: Delta = await until(() => {
        const delta = quiet.takeDelta();
        return delta && delta.processes.some((p) => p.id === b.id && p.exitcode !== null) ? delta : null;
      }, "a delta with b's exit");
      // Only b changed, unless a sample tick happened to land in between (then every live row changed).
      if (!after.sampled) expect(after.processes.map((p) => p.id)).toEqual([b.id]);
      expect(after.processes[0].exitcode).toBe(-15);
      expect(after.seq).toBeGreaterThan(first.seq);
    } finally {
      await quiet.shutdown({ terminateAll: true, graceMs: 500 });
      await quiet.dispose();
    }
  });

  it('runs a pool: worker rows, task rows with the pid that ran each, counts', async () => {
    // Each task answers with the pid of the worker that ran it.
    const pool = supervisor.createPool({
      processes: 3,
      command: 'python3',
      args: [PY_WORKER],
      tasks: Array.from({ length: 5 }, () => ['pid']),
    });
    await until(() => {
      const snapshot = supervisor.snapshot();
      return snapshot.tasks.filter((task) => task.poolId === pool.id && task.state === 'done').length === 5;
    }, 'five tasks done');
    const snapshot = supervisor.snapshot();
    const tasks = snapshot.tasks.filter((task) => task.poolId === pool.id);
    const workers = snapshot.processes.filter((p) => p.poolId === pool.id);
    expect(workers).toHaveLength(3);
    expect(workers.every((w) => w.kind === 'worker' && w.daemon)).toBe(true);
    const workerPids = new Set(workers.map((w) => w.pid));
    for (const task of tasks) {
      expect(workerPids.has(task.workerPid)).toBe(true);
      expect(JSON.parse(task.result!)).toBe(task.workerPid);
    }
    expect(workers.reduce((sum, w) => sum + w.tasksDone, 0)).toBe(5);
    expect(snapshot.pools[0].counts).toMatchObject({ done: 5, queued: 0, running: 0 });
  });

  it('refuses Join before Close or Terminate, as Python does', async () => {
    const pool = supervisor.createPool({ processes: 1, command: 'python3', args: [PY_WORKER] });
    await expect(supervisor.joinPool(pool.id)).rejects.toThrow(/still running/);
    supervisor.closePool(pool.id);
    await supervisor.joinPool(pool.id);
    expect(supervisor.snapshot().pools[0].state).toBe('joined');
  });

  it('shows each exec-mode task as a row of its own', async () => {
    const pool = supervisor.createPool({ processes: 2, mode: 'exec', command: 'sh', args: ['-c', 'echo task {}; exit {1}'], tasks: [[0], [2]] });
    await until(() => supervisor.snapshot().tasks.filter((t) => t.poolId === pool.id && (t.state === 'done' || t.state === 'failed')).length === 2, 'both tasks to end');
    const rows = supervisor.snapshot().processes.filter((p) => p.poolId === pool.id);
    expect(rows.map((r) => r.kind)).toEqual(['task', 'task']);
    expect(rows.map((r) => r.exitcode).sort()).toEqual([0, 2]);
  });

  it('keeps the task list bounded, dropping the tasks that finished first, and credits each worker', async () => {
    await supervisor.dispose();
    supervisor = new Supervisor({ dataDir, sampleIntervalMs: 200, graceMs: 500, maxTaskRowsPerPool: 10 });
    // The test worker doubles a number at once.
    const pool = supervisor.createPool({
      processes: 2,
      command: 'python3',
      args: [PY_WORKER],
      tasks: Array.from({ length: 40 }, (_, i) => [i]),
    });
    // The order the tasks finish in (the workers start after createPool returns, so none is missed).
    const finished: number[] = [];
    supervisor.poolOf(pool.id).on('task', (task) => {
      if (task.state === 'done') finished.push(task.id);
    });
    await until(() => supervisor.snapshot().pools[0]?.counts.done === 40, 'forty tasks done');
    const snapshot = supervisor.snapshot();
    const tasks = snapshot.tasks.filter((task) => task.poolId === pool.id);
    expect(tasks).toHaveLength(10);
    expect(tasks.every((task) => task.state === 'done')).toBe(true);
    // The ten that finished last survive: none of the first thirty to finish is still listed.
    expect(finished).toHaveLength(40);
    expect(tasks.map((task) => task.taskId).sort((a, b) => a - b)).toEqual(finished.slice(-10).sort((a, b) => a - b));
    const workers = snapshot.processes.filter((p) => p.poolId === pool.id);
    expect(workers.reduce((sum, w) => sum + w.tasksDone, 0)).toBe(40);
  });

  it('keeps only the newest ended exec-mode task rows', async () => {
    await supervisor.dispose();
    supervisor = new Supervisor({ dataDir, sampleIntervalMs: 200, graceMs: 500, maxEndedTaskRowsPerPool: 3 });
    const pool = supervisor.createPool({ processes: 2, mode: 'exec', command: 'true', tasks: Array.from({ length: 8 }, (_, i) => [i]) });
    await until(() => supervisor.snapshot().pools[0]?.counts.done === 8, 'eight tasks done');
    const rows = supervisor.snapshot().processes.filter((p) => p.poolId === pool.id);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.kind === 'task' && r.exitcode === 0)).toBe(true);
  });

  it('restarts a process under the same id with a new pid', async () => {
    const first = await supervisor.createProcess({ command: 'sleep', args: ['30'], name: 'sleeper' });
    const again = await supervisor.restart(first.id);
    expect(again.id).toBe(first.id);
    expect(again.name).toBe('sleeper');
    expect(again.pid).not.toBe(first.pid);
    expect(again.restarts).toBe(1);
    expect(readProcStat(first.pid!)?.state ?? 'gone').not.toMatch(/^[RS]$/);
  });

  it('shutdown ends daemon jobs and reports the others still running', async () => {
    const daemon = await supervisor.createProcess({ command: 'sleep', args: ['30'], daemon: true });
    const userJob = await supervisor.createProcess({ command: 'sleep', args: ['30'] });
    const pool = supervisor.createPool({ processes: 2, command: 'python3', args: [PY_WORKER] });
    const workerPids = await until(() => {
      const pids = supervisor.snapshot().processes.filter((p) => p.poolId === pool.id && p.pid !== null).map((p) => p.pid!);
      return pids.length === 2 ? pids : null;
    }, 'both workers to start');
    const { stillRunning } = await supervisor.shutdown();
    expect(stillRunning.map((r) => r.id)).toEqual([userJob.id]);
    expect(row(daemon.id)).toMatchObject({ isAlive: false, exitcode: -15 });
    for (const pid of workerPids) expect(readProcStat(pid)?.state ?? 'gone').not.toMatch(/^[RS]$/);
    expect(row(userJob.id)?.isAlive).toBe(true);
  });

  it('waitForNonDaemon resolves once every non-daemon process has ended, daemons aside', async () => {
    const gate = join(dataDir, 'gate');
    const quick = await supervisor.createProcess({ command: 'sh', args: ['-c', 'exit 0'] });
    const gated = await supervisor.createProcess({ command: 'sh', args: ['-c', `while [ ! -e '${gate}' ]; do sleep 0.02; done`] });
    const daemon = await supervisor.createProcess({ command: 'sleep', args: ['30'], daemon: true });
    let resolved = false;
    const waiting = supervisor.waitForNonDaemon().then(() => {
      resolved = true;
    });
    await until(() => row(quick.id)?.state === 'exited', 'the quick process to exit');
    // A fixed pause on purpose: it gives a wait that wrongly ended with the quick process the time to
    // resolve. The gated process cannot end before the gate exists: the wait must still be pending.
    await new Promise((r) => setTimeout(r, 50));
    expect(resolved).toBe(false);
    expect(supervisor.runningNonDaemon().map((r) => r.id)).toEqual([gated.id]);
    writeFileSync(gate, '');
    await waiting;
    expect(row(gated.id)).toMatchObject({ isAlive: false, exitcode: 0 });
    expect(supervisor.runningNonDaemon()).toEqual([]);
    expect(row(daemon.id)?.isAlive).toBe(true);
  });

  it('dispose waits for the sampler: no sample lands after it resolves', async () => {
    // A 1 ms interval keeps a tick in flight most of the time; a few rounds make catching one near certain.
    for (let round = 0; round < 5; round += 1) {
      const fast = new Supervisor({ dataDir, sampleIntervalMs: 1 });
      try {
        const sleepers = await Promise.all(Array.from({ length: 10 }, () => fast.createProcess({ command: 'sleep', args: ['30'] })));
        await until(() => fast.takeDelta()?.sampled, 'a sampled delta');
        await fast.dispose();
        fast.takeDelta();
        let changes = 0;
        fast.on('change', () => (changes += 1));
        // A fixed pause on purpose, since it proves that nothing happens: over these many intervals, a tick
        // left running, or a timer left armed, would show as a sampled delta.
        await new Promise((r) => setTimeout(r, 30));
        expect(changes).toBe(0);
        expect(fast.takeDelta()).toBeNull();
        for (const sleeper of sleepers) expect(fast.processOf(sleeper.id).isAlive()).toBe(true);
      } finally {
        await fast.shutdown({ terminateAll: true, graceMs: 500 });
        await fast.dispose();
      }
    }
  });

  it('refuses unknown ids with a not_found error', () => {
    expect(() => supervisor.terminate('p999')).toThrow(/no process with id p999/);
    expect(() => supervisor.closePool('pool999')).toThrow(/no pool with id pool999/);
  });
});
