// Turns what the Supervisor does into run records: a process's run when it ends (each restart a run of
// its own), a pool when it is made and when it ends, each pool task when it is done or failed. It only
// listens (the Supervisor's processRun and poolCreated events, the Process's and the Pool's own events),
// so the Supervisor works the same with no history at all.
import { randomBytes } from 'node:crypto';
import type { Pool } from '../../core/pool.js';
import type { PoolTask } from '../../core/pool-task.js';
import type { RunRecord, RunStatus } from '../../protocol/history.js';
import type { PoolRow } from '../../protocol/rows.js';
import type { PoolSpec } from '../../protocol/schemas.js';
import { signalName } from '../../protocol/signals.js';
import type { ProcessEntry } from '../process-registry.js';
import type { Supervisor } from '../supervisor.js';
import { taskResultText } from '../task-rows.js';
import type { RunStore } from './store.js';

export class RunRecorder {
  /** Unique per launch, so run ids never repeat across launches (the live ids p1, pool1 do). */
  readonly #launch = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  #next = 1;
  /** Each live pool's run id by pool id. */
  readonly #poolRuns = new Map<string, string>();
  /** The pools whose run has not ended, by run id: their records show the counts as they are now. */
  readonly #openPools = new Map<string, Pool>();
  readonly #stop: () => void;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly store: RunStore,
  ) {
    const onProcessRun = (entry: ProcessEntry): void => this.#watchProcess(entry);
    const onPoolCreated = (row: PoolRow, pool: Pool, spec: PoolSpec): void => this.#watchPool(row, pool, spec);
    supervisor.on('processRun', onProcessRun);
    supervisor.on('poolCreated', onPoolCreated);
    this.#stop = () => {
      supervisor.off('processRun', onProcessRun);
      supervisor.off('poolCreated', onPoolCreated);
    };
  }

  /** The live pool id of a pool run, if this launch made it and it still takes tasks. */
  livePoolOf(runId: string): string | undefined {
    for (const [poolId, id] of this.#poolRuns) {
      if (id !== runId) continue;
      try {
        return this.supervisor.poolOf(poolId).state === 'running' ? poolId : undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** A pool run's record with its pool's counts as they are now, while it runs. */
  withLiveCounts(record: RunRecord): RunRecord {
    const pool = record.kind === 'pool' ? this.#openPools.get(record.id) : undefined;
    return pool === undefined ? record : { ...record, counts: { done: pool.counts.done, failed: pool.counts.failed, cancelled: pool.counts.cancelled } };
  }

  dispose(): void {
    this.#stop();
  }

  /**
   * Runs an earlier launch left running: that launch ended (a kill -9, a crash, a power cut) before it
   * saw them end, and its processes ended with it (the orphan watchdog) or were left behind.
   */
  closeRunsOfEarlierLaunches(): number {
    const stale = [...this.store.values()].filter((run) => run.status === 'running' && !run.id.startsWith(`${this.#launch}-`));
    for (const run of stale) {
      this.store.put({ ...run, status: 'failed', error: 'the app ended before this run did: how it ended is unknown', liveId: null });
    }
    return stale.length;
  }

  #newId(): string {
    return `${this.#launch}-${this.#next++}`;
  }

  #watchProcess(entry: ProcessEntry): void {
    const { process, row } = entry;
    const spec = entry.spec;
    const runId = this.#newId();
    const record = (status: RunStatus, exitcode: number | null, error: string | null): void => {
      const startedAt = row.startedAt;
      const endedAt = status === 'running' ? null : (row.endedAt ?? Date.now());
      this.store.put({
        id: runId,
        kind: 'process',
        name: row.name,
        command: row.target === null ? row.command : null,
        target: row.target,
        args: row.target === null ? [...row.args] : [...row.targetArgs],
        cwd: row.cwd,
        pid: row.pid,
        startedAt,
        endedAt,
        durationMs: startedAt === null || endedAt === null ? null : endedAt - startedAt,
        exitcode,
        signal: exitcode !== null && exitcode < 0 ? signalName(-exitcode) : null,
        status,
        run: row.restarts + 1,
        poolRunId: null,
        poolName: null,
        workerPid: null,
        result: row.returnValue,
        error,
        logFiles: entry.log.filePaths(),
        liveId: row.id,
        spec,
      });
    };
    // Recorded as running once it has a pid, so that a run the app never saw end (a kill -9 of the
    // app) is still in the history; the record is replaced when it ends.
    process.once('started', () => record('running', null, null));
    // The registry listened first, so the row already says how the run ended.
    process.once('exit', (exitcode) => {
      const targetError = row.targetError === null ? null : `${row.targetError.type}: ${row.targetError.message}`;
      record(statusOf(exitcode), exitcode, targetError);
    });
    process.once('startFailed', (error) => record('failed', null, error.message));
  }

  #watchPool(row: PoolRow, pool: Pool, spec: PoolSpec): void {
    const runId = this.#newId();
    this.#poolRuns.set(row.id, runId);
    const poolRecord = (status: RunStatus, endedAt: number | null): RunRecord => ({
      id: runId,
      kind: 'pool',
      name: row.name,
      command: row.target === null ? row.command : null,
      target: row.target,
      args: [...row.args],
      cwd: spec.cwd ?? null,
      pid: null,
      startedAt: row.createdAt,
      endedAt,
      durationMs: endedAt === null ? null : endedAt - row.createdAt,
      exitcode: null,
      signal: null,
      status,
      run: 1,
      poolRunId: null,
      poolName: null,
      workerPid: null,
      result: null,
      error: row.error,
      logFiles: [],
      liveId: row.id,
      // The tasks are recorded one by one: the spec keeps what makes the pool, not its queue.
      spec: { ...spec, tasks: undefined },
      counts: { done: pool.counts.done, failed: pool.counts.failed, cancelled: pool.counts.cancelled },
    });
    this.store.put(poolRecord('running', null));
    this.#openPools.set(runId, pool);
    // A worker's log files are named once: asked for once per worker, not once per task.
    const workerLogs = new Map<number, string[]>();
    const logFilesOf = (pid: number): string[] => {
      let files = workerLogs.get(pid);
      if (files === undefined) {
        // The part being written now holds the task's output (older parts are earlier tasks').
        files = this.supervisor.poolProcessLogFiles(row.id, pid).slice(-1);
        // An exec-mode pool has a process per task: keep only the latest few pids.
        if (workerLogs.size >= 64) workerLogs.clear();
        if (files.length > 0) workerLogs.set(pid, files);
      }
      return files;
    };
    // The run ends when the pool does, or once it was closed and has no task left to run.
    const endIfOver = (): void => {
      if (pool.state === 'running' || !this.#openPools.has(runId)) return;
      const counts = pool.counts;
      if (pool.state === 'closed' && counts.queued + counts.running > 0) return;
      this.#openPools.delete(runId);
      this.store.put(poolRecord(pool.counts.failed > 0 ? 'failed' : 'ok', Date.now()));
    };
    pool.on('task', (task) => {
      if (task.state === 'done' || task.state === 'failed') this.store.put(this.#taskRecord(row, runId, task, logFilesOf));
      endIfOver();
    });
    pool.on('state', endIfOver);
    // Queued tasks failed at once (the workers keep dying before they answer): each is recorded from
    // the pool's kept records (it keeps the last 10,000 finished), so Retry failed tasks can send them.
    pool.on('tasksFailed', ({ firstId, lastId }) => {
      for (const task of pool.tasksPage(0, Infinity).tasks) {
        if (task.id >= firstId && task.id <= lastId && task.state === 'failed') this.store.put(this.#taskRecord(row, runId, task, logFilesOf));
      }
      endIfOver();
    });
  }

  #taskRecord(pool: PoolRow, poolRunId: string, task: PoolTask, logFilesOf: (pid: number) => string[]): RunRecord {
    const startedAt = task.startedAt;
    const endedAt = task.endedAt;
    const exitcode = execExitcode(task.value);
    const failed = task.state === 'failed' || (exitcode !== null && exitcode !== 0);
    return {
      id: `${poolRunId}:${task.id}`,
      kind: 'task',
      name: `${pool.name} #${task.id}`,
      command: pool.target === null ? pool.command : null,
      target: pool.target,
      args: task.args,
      cwd: null,
      pid: task.workerPid,
      startedAt,
      endedAt,
      durationMs: startedAt === null || endedAt === null ? null : endedAt - startedAt,
      exitcode,
      signal: exitcode !== null && exitcode < 0 ? signalName(-exitcode) : null,
      status: exitcode !== null && exitcode < 0 ? 'signal' : failed ? 'failed' : 'ok',
      run: 1,
      poolRunId,
      poolName: pool.name,
      workerPid: task.workerPid,
      result: taskResultText(task),
      error: task.error ? `${task.error.type}: ${task.error.message}` : null,
      logFiles: task.workerPid === null ? [] : logFilesOf(task.workerPid),
      liveId: pool.id,
      spec: null,
      ...(task.items ? { items: { ...task.items } } : {}),
    };
  }
}

function statusOf(exitcode: number): RunStatus {
  if (exitcode === 0) return 'ok';
  return exitcode < 0 ? 'signal' : 'failed';
}

/** An exec-mode task's value is `{ exitcode, stdout, stderr }`: its exit code. */
function execExitcode(value: unknown): number | null {
  if (value === null || typeof value !== 'object') return null;
  const exitcode = (value as { exitcode?: unknown }).exitcode;
  return typeof exitcode === 'number' ? exitcode : null;
}
