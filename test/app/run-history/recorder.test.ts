// The run history with real processes: how each run ended (an exit code, a signal, a restart as run 2),
// a pool's tasks with their errors and worker pids, Run again and Retry failed tasks, and the history
// read back by the next launch of the app.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppBackend, type AppBackend } from '../../../main/app/backend.js';
import type { RunRecord } from '../../../main/protocol/history.js';
import { until } from '../../helpers/until.js';
import { skipUnless, unixLike } from '../../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/run-history/recorder.test.ts', 'its jobs are sh -c scripts and sleep');

const WORKERS_DIR = new URL('../../../resources/workers/', import.meta.url).pathname;
const HISTORY_APP = new URL('../../fixtures/history-app.ts', import.meta.url).pathname;

/** Fails for a negative number until the file `fixed` exists in the working directory: a flaky task. */
const FLAKY_TASKS = `
import { existsSync } from 'node:fs';
export function check(x) {
  if (x < 0 && !existsSync('fixed')) throw new Error('negative: ' + x);
  return x * 2;
}
`;

let dataDir = '';
let backend: AppBackend | null = null;

function openBackend(): AppBackend {
  backend = createAppBackend({ dataDir, workersDir: WORKERS_DIR, sampleIntervalMs: 60_000, graceMs: 500 });
  return backend;
}

async function closeBackend(): Promise<void> {
  await backend?.shutdown({ terminateAll: true, graceMs: 500 });
  await backend?.dispose();
  backend = null;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-recorder-'));
});
afterEach(async () => {
  await closeBackend();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The runs of `name` that ended, newest first. */
function runsOf(app: AppBackend, name: string): RunRecord[] {
  return app.history.list({ name }, 0, 1000).runs.filter((run) => run.name === name && run.status !== 'running');
}

async function runsNamed(app: AppBackend, name: string, count: number): Promise<RunRecord[]> {
  return until(() => {
    const runs = runsOf(app, name);
    return runs.length >= count ? runs : null;
  }, () => `${count} runs of ${name} (have ${runsOf(app, name).length})`);
}

describe.skipIf(skipHere)('the recorder', () => {
  it('records an exit code, a signal and a restart as run 2, with pid, times, command and log file', async () => {
    const app = openBackend();
    const three = await app.supervisor.createProcess({ name: 'exits-3', command: 'sh', args: ['-c', 'echo hello; exit 3'] });
    const sleeper = await app.supervisor.createProcess({ name: 'sleeper', command: 'sleep', args: ['30'] });
    const [exited] = await runsNamed(app, 'exits-3', 1);
    expect(exited).toMatchObject({ kind: 'process', command: 'sh', args: ['-c', 'echo hello; exit 3'], exitcode: 3, signal: null, status: 'failed', run: 1, pid: three.pid, liveId: three.id });
    expect(exited.endedAt! - exited.startedAt!).toBe(exited.durationMs);
    // The run's file, after the names its older parts would have if it rotated.
    expect(exited.logFiles.at(-1)).toContain(join(dataDir, 'logs'));
    expect((await app.handlers.searchRunLog({ runId: exited.id, text: 'hello' })).matches.map((match) => match.text)).toEqual(['hello']);
    // A record naming a file outside the app's logs (an edited history) reads nothing.
    app.history.store.put({ ...exited, id: 'edited', name: 'edited', logFiles: ['/etc/passwd'] });
    expect(await app.handlers.readRunLog({ runId: 'edited', offset: 0 })).toEqual({ data: '', nextOffset: 0, totalBytes: 0 });

    app.supervisor.terminate(sleeper.id);
    const [terminated] = await runsNamed(app, 'sleeper', 1);
    expect(terminated).toMatchObject({ exitcode: -15, signal: 'SIGTERM', status: 'signal', run: 1 });

    await app.supervisor.restart(three.id);
    const runs = await runsNamed(app, 'exits-3', 2);
    expect(runs.map((run) => run.run)).toEqual([2, 1]);
    expect(runs[0].logFiles.at(-1)).not.toBe(runs[1].logFiles.at(-1));
  });

  it("records a pool's tasks, the failed one with its error and its worker's pid, and the pool's end", async () => {
    const cwd = mkdtempSync(join(dataDir, 'tasks-'));
    writeFileSync(join(cwd, 'tasks.mjs'), FLAKY_TASKS);
    const app = openBackend();
    const pool = app.supervisor.createPool({ name: 'checks', processes: 2, target: 'tasks.mjs:check', cwd, tasks: [[1], [-2], [3]] });
    app.supervisor.closePool(pool.id);
    await app.supervisor.joinPool(pool.id);
    const poolRun = await until(() => app.history.list({ kind: 'pool', name: 'checks' }).runs.find((run) => run.status !== 'running'), 'the pool run to end');
    expect(poolRun).toMatchObject({ kind: 'pool', status: 'failed', target: 'tasks.mjs:check', counts: { done: 2, failed: 1, cancelled: 0 } });
    const tasks = app.history.list({ poolRunId: poolRun.id }).runs;
    expect(tasks).toHaveLength(3);
    const failed = tasks.find((task) => task.status === 'failed')!;
    expect(failed).toMatchObject({ args: [-2], poolName: 'checks', error: expect.stringContaining('negative: -2') as string });
    expect(failed.workerPid).toBeGreaterThan(0);
    expect(failed.logFiles.at(-1)).toContain(join(dataDir, 'logs'));
    expect(tasks.filter((task) => task.status === 'ok').map((task) => task.result).sort()).toEqual(['2', '6']);
  });

  it('records the queued tasks an errored pool failed at once, with the error that says what happened', async () => {
    const app = openBackend();
    // Not a worker: `sleep 0` ends before it answers, so the pool errors and fails its queue.
    const pool = app.supervisor.createPool({ name: 'not-a-worker', processes: 1, command: 'sleep', args: ['0'], tasks: Array.from({ length: 20 }, (_, index) => [index]) });
    const failed = await until(() => {
      const runs = app.history.list({ name: 'not-a-worker', kind: 'task', status: 'failed' }).runs;
      return runs.length === 20 ? runs : null;
    }, 'the twenty tasks to be recorded as failed', { timeoutMs: 20_000 });
    expect(failed.map((task) => task.args[0] as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    // The first ones failed one by one as their workers died; the rest of the queue at once, with the advice.
    expect(failed.some((task) => task.error?.includes('exec mode'))).toBe(true);
    expect(app.history.retryFailedTasks(failed[0].id)).toMatchObject({ kind: 'pool', tasks: 20 });
    await app.supervisor.terminatePool(pool.id);
  });
});

describe.skipIf(skipHere)('a run the app never saw end', () => {
  it('is in the history after the app was SIGKILLed, closed by the next launch as ended unknown', async () => {
    const app = spawn(process.execPath, ['--import', 'tsx', HISTORY_APP, dataDir, WORKERS_DIR], { stdio: ['ignore', 'pipe', 'inherit'] });
    let jobPid: number | undefined;
    try {
      const lines = createInterface({ input: app.stdout! });
      jobPid = await new Promise<number>((resolve) => lines.once('line', (line) => resolve(Number(line))));
      app.kill('SIGKILL');
      await until(() => app.signalCode !== null, 'the app to end');
    } finally {
      if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    }
    try {
      const next = openBackend();
      const [run] = next.history.list({ name: 'long-job' }).runs;
      expect(run).toMatchObject({ kind: 'process', command: 'sleep', args: ['1000'], pid: jobPid, status: 'failed', endedAt: null, liveId: null });
      expect(run.error).toContain('the app ended before this run did');
    } finally {
      // The orphan watchdog ends it; if it has not yet, the test does (the pid is the one it started).
      try {
        if (jobPid !== undefined) process.kill(jobPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
});

describe.skipIf(skipHere)('Run again and Retry failed tasks', () => {
  it('runs a past process again with the same spec, also after the app was restarted', async () => {
    let app = openBackend();
    await app.supervisor.createProcess({ name: 'again', command: 'sh', args: ['-c', 'exit 3'] });
    const [first] = await runsNamed(app, 'again', 1);
    await closeBackend();

    // The next launch: the history is read back, the live row is gone.
    app = openBackend();
    expect(app.history.list({ name: 'again' }).runs[0]).toMatchObject({ id: first.id, exitcode: 3 });
    const started = await app.handlers.runAgain({ runId: first.id });
    expect(started.kind).toBe('process');
    const runs = await runsNamed(app, 'again', 2);
    expect(runs[0]).toMatchObject({ command: 'sh', args: ['-c', 'exit 3'], exitcode: 3, liveId: started.id });
  });

  it('retries the failed tasks in the pool while it takes tasks, and in a new pool like it once it ended', async () => {
    const cwd = mkdtempSync(join(dataDir, 'tasks-'));
    writeFileSync(join(cwd, 'tasks.mjs'), FLAKY_TASKS);
    const app = openBackend();
    const pool = app.supervisor.createPool({ name: 'flaky', processes: 1, target: 'tasks.mjs:check', cwd, tasks: [[1], [-2], [-5]] });
    const poolRunId = await until(() => app.history.list({ kind: 'pool', name: 'flaky' }).runs[0]?.id, 'the pool run');
    await until(() => app.history.list({ poolRunId, status: 'failed' }).total === 2, 'two failed tasks');

    // The pool still runs: the failed tasks go to it (and fail again).
    const again = await app.handlers.retryFailedTasks({ runId: poolRunId });
    expect(again).toEqual({ kind: 'pool', id: pool.id, tasks: 2 });
    await until(() => app.history.list({ poolRunId, status: 'failed' }).total === 4, 'the retried tasks to fail again');

    // Fixed, and the pool gone: a new pool with the same spec runs only the failed tasks' arguments.
    await app.supervisor.terminatePool(pool.id);
    writeFileSync(join(cwd, 'fixed'), '');
    const retried = await app.handlers.retryFailedTasks({ runId: poolRunId });
    expect(retried.kind).toBe('pool');
    expect(retried.id).not.toBe(pool.id);
    expect(retried.tasks).toBe(4);
    const newRunId = await until(() => app.history.list({ kind: 'pool', name: 'flaky' }).runs.find((run) => run.liveId === retried.id)?.id, 'the new pool run');
    const results = await until(() => {
      const tasks = app.history.list({ poolRunId: newRunId }).runs;
      return tasks.length === 4 ? tasks : null;
    }, 'the new pool to run the four retried tasks');
    expect(results.map((task) => task.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(results.map((task) => task.args).sort()).toEqual([[-2], [-2], [-5], [-5]].sort());
    await expect(app.handlers.retryFailedTasks({ runId: newRunId })).rejects.toMatchObject({ error: { code: 'conflict' } });
  });
});
