import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppBackend, type AppBackend } from '../../main/app/backend.js';
import { dispatchCommand, type AppEvent } from '../../main/protocol/index.js';
import { until } from '../helpers/until.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/server/backend.test.ts', 'its jobs are sleep and sh');

const workersDir = fileURLToPath(new URL('../../resources/workers/', import.meta.url));

let backend: AppBackend;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-backend-'));
  backend = createAppBackend({ dataDir, workersDir, sampleIntervalMs: 200, deltaIntervalMs: 50, graceMs: 500 });
});

afterEach(async () => {
  await backend.shutdown({ terminateAll: true, graceMs: 500 });
  await backend.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(skipHere)('app backend', () => {
  it('sends a snapshot first, then deltas in order', async () => {
    const events: AppEvent[] = [];
    const unsubscribe = backend.events.subscribe((event) => events.push(event));
    expect(events[0].type).toBe('snapshot');
    const outcome = await dispatchCommand(backend.handlers, 'createProcess', { command: 'sleep', args: ['30'], name: 'nap' });
    expect(outcome.ok).toBe(true);
    await until(() => events.some((event) => event.type === 'delta' && event.delta.processes.some((row) => row.name === 'nap' && row.pid !== null)), 'a delta with the running nap');
    const seqs = events.flatMap((event) => (event.type === 'delta' ? [event.delta.seq] : []));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    unsubscribe();
  });

  it('answers errors as values that name what was wrong', async () => {
    expect(await dispatchCommand(backend.handlers, 'terminate', { id: 'p404' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no process with id p404' },
    });
    const created = await dispatchCommand(backend.handlers, 'createPool', { processes: 1, command: 'sh', mode: 'exec' });
    expect(created.ok).toBe(true);
    const id = (created as { value: { id: string } }).value.id;
    const join = await dispatchCommand(backend.handlers, 'joinPool', { id });
    expect(join).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const missing = await dispatchCommand(backend.handlers, 'createProcess', { command: 'pooldeck-missing-program' });
    expect(missing).toMatchObject({ ok: true, value: { row: { state: 'failed' } } });
  });

  it('loads the demo workspace: a pool of 3 given 5 tasks, a daemon, and a process ended by a signal', async () => {
    const outcome = await dispatchCommand(backend.handlers, 'runDemo', {});
    expect(outcome.ok).toBe(true);
    const poolId = (name: string) => backend.supervisor.snapshot().pools.find((pool) => pool.name === name)?.id;
    // The demo pool's worker sleeps up to 1.4 s per task, and the machine may be busy: a longer wait.
    const snapshot = await until(() => {
      const current = backend.supervisor.snapshot();
      const signalled = current.processes.find((row) => row.name === 'demo-ended-by-signal');
      const doneTasks = current.tasks.filter((task) => task.poolId === poolId('demo-squares') && task.state === 'done');
      return signalled?.exitcode != null && doneTasks.length === 5 ? current : null;
    }, 'the demo: five tasks done and the signalled process ended', { timeoutMs: 25_000 });
    expect(snapshot.processes.find((row) => row.name === 'demo-ended-by-signal')?.exitcode).toBe(-15);
    expect(snapshot.processes.find((row) => row.name === 'demo-daemon-ticker')).toMatchObject({ daemon: true, isAlive: true });
    const pids = new Set(snapshot.tasks.filter((task) => task.poolId === poolId('demo-squares')).map((task) => task.workerPid));
    expect(pids.size).toBeLessThanOrEqual(3);
    expect(snapshot.pools.find((pool) => pool.name === 'demo-squares')).toMatchObject({ processes: 3, total: 5 });
  });

  it("loads the seeds' examples as targets: run_task joined one by one, a Pool(3) of run_task, and MyProcess", async () => {
    const outcome = await dispatchCommand(backend.handlers, 'runDemo', {});
    expect(outcome.ok).toBe(true);
    const names = [1, 2, 3, 4, 5].map((n) => `demo-run-task-${n}`);
    // Five processes of about a second each, one after another, on a machine that may be busy.
    const snapshot = await until(() => {
      const current = backend.supervisor.snapshot();
      const runs = names.map((name) => current.processes.find((row) => row.name === name));
      const pool = current.pools.find((row) => row.name === 'demo-pool-run-task');
      return runs.every((row) => row?.state === 'exited') && pool?.counts.done === 5 ? current : null;
    }, 'the five run_task processes and the five pool tasks to end', { timeoutMs: 40_000 });
    const runs = names.map((name) => snapshot.processes.find((row) => row.name === name)!);
    for (const [index, run] of runs.entries()) {
      expect(run).toMatchObject({ target: 'demo_targets.py:run_task', targetArgs: [index + 1], exitcode: 0 });
      expect(JSON.parse(run.returnValue!)).toEqual({ task: index + 1, pid: run.pid });
      // Joined one by one: each started only once the one before had ended.
      if (index > 0) expect(run.startedAt!).toBeGreaterThanOrEqual(runs[index - 1]!.endedAt!);
    }
    const pool = snapshot.pools.find((row) => row.name === 'demo-pool-run-task')!;
    expect(pool).toMatchObject({ target: 'demo_targets.py:run_task', processes: 3, total: 5 });
    const page = backend.supervisor.listTasks(pool.id);
    const results = page.tasks.map((task) => JSON.parse(task.result!) as { task: number; pid: number });
    expect(results.map((result) => result.task)).toEqual([1, 2, 3, 4, 5]);
    // Five tasks on three workers: some pid ran more than one.
    expect(new Set(results.map((result) => result.pid)).size).toBeLessThanOrEqual(3);
    const myProcess = snapshot.processes.find((row) => row.name === 'demo-myprocess');
    expect(myProcess).toMatchObject({ target: 'demo_targets.py:MyProcess', daemon: true, isAlive: true });
    const ticks = await until(() => {
      const lines = backend.supervisor.readLogs(myProcess!.id).lines;
      return lines.some((line) => /^tick \d+ from pid \d+ \(daemon=True\)/.test(line.text)) ? lines : null;
    }, 'a tick from MyProcess');
    expect(ticks.length).toBeGreaterThan(0);
  });
});
