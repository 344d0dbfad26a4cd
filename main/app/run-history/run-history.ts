// The run history as the backend uses it: the store on disk, the recorder listening to the Supervisor,
// and what the History view asks of a past run (a page of runs, its log, Run again, Retry failed tasks).
import { join, resolve, sep } from 'node:path';
import type { RunFilter, RunPage, RunRecord, RunStarted } from '../../protocol/history.js';
import type { LogFilePiece, SearchLogsResult } from '../../protocol/commands.js';
import { PoolSpecSchema, ProcessSpecSchema, type PoolSpec } from '../../protocol/schemas.js';
import { SupervisorError } from '../errors.js';
import { readLogPiece } from '../log-download.js';
import { LogSearches } from '../log-search.js';
import type { Supervisor } from '../supervisor.js';
import { queryRuns } from './query.js';
import { RunRecorder } from './recorder.js';
import { RunStore } from './store.js';

export interface RunHistoryOptions {
  /** The app's data folder: the history is `<dataDir>/history/runs.jsonl`. */
  dataDir: string;
  /** Runs kept, the oldest dropped first. Default 100,000. */
  maxRuns?: number;
}

export class RunHistory {
  readonly store: RunStore;
  readonly #recorder: RunRecorder;
  readonly #searches = new LogSearches();
  /** Where the app writes logs: a record naming a file elsewhere (an edited history) is not read. */
  readonly #logsDir: string;

  constructor(
    private readonly supervisor: Supervisor,
    options: RunHistoryOptions,
  ) {
    this.#logsDir = resolve(options.dataDir, 'logs') + sep;
    this.store = new RunStore({ path: join(options.dataDir, 'history', 'runs.jsonl'), maxRuns: options.maxRuns });
    this.#recorder = new RunRecorder(supervisor, this.store);
    this.#recorder.closeRunsOfEarlierLaunches();
  }

  list(filter: RunFilter = {}, offset = 0, limit = 100): RunPage {
    const page = queryRuns([...this.store.values()], filter, offset, limit);
    return { ...page, runs: page.runs.map((run) => this.#recorder.withLiveCounts(run)) };
  }

  /** A piece of a past run's log file (its parts as one file), from byte `offset`. */
  async readLog(runId: string, offset: number): Promise<LogFilePiece> {
    return readLogPiece(this.#logFilesOf(runId), offset);
  }

  async searchLog(runId: string, text: string, limit = 1000): Promise<SearchLogsResult> {
    const logFiles = this.#logFilesOf(runId);
    return { ...(await this.#searches.search(runId, logFiles, text, limit)), filePath: logFiles.at(-1) ?? null };
  }

  /**
   * Starts the same again: a process's spec as a new row; a pool with the same spec and the tasks it
   * ran; a task's arguments in its pool if the pool still takes tasks, else in a new pool like it.
   */
  async runAgain(runId: string): Promise<RunStarted> {
    const run = this.#run(runId);
    if (run.kind === 'process') {
      const spec = ProcessSpecSchema.parse(run.spec);
      const row = await this.supervisor.createProcess(spec);
      return { kind: 'process', id: row.id, tasks: 0 };
    }
    if (run.kind === 'pool') return this.#toPool(run, this.#taskArgs(run.id, false));
    if (run.poolRunId === null) throw new SupervisorError('not_found', `runId: ${runId} belongs to no pool run`);
    return this.#toPool(this.#run(run.poolRunId), taskArgsOf(run, false));
  }

  /**
   * GNU parallel's --retry-failed: the failed tasks of a pool run (given by the pool's run id or one of
   * its tasks') go again, to the pool if it still takes tasks, else to a new pool with the same spec.
   */
  retryFailedTasks(runId: string): RunStarted {
    let run = this.#run(runId);
    if (run.kind === 'task' && run.poolRunId !== null) run = this.#run(run.poolRunId);
    if (run.kind !== 'pool') throw new SupervisorError('conflict', `runId: ${run.name} is not a pool run: only a pool's tasks are retried`);
    const failed = this.#taskArgs(run.id, true);
    if (failed.length === 0) throw new SupervisorError('conflict', `runId: ${run.name} has no failed task to retry`);
    return this.#toPool(run, failed);
  }

  dispose(): void {
    this.#recorder.dispose();
    this.#searches.cancelAll();
    this.store.close();
  }

  #toPool(poolRun: RunRecord, tasks: unknown[][]): RunStarted {
    const livePool = this.#recorder.livePoolOf(poolRun.id);
    if (livePool !== undefined) {
      this.supervisor.submitTasks(livePool, tasks);
      return { kind: 'pool', id: livePool, tasks: tasks.length };
    }
    const spec: PoolSpec = PoolSpecSchema.parse({ ...(poolRun.spec as PoolSpec), tasks });
    const row = this.supervisor.createPool(spec);
    // Closed at once, as a run of GNU parallel ends with its jobs: the pool finishes on its own, and so does its run.
    this.supervisor.closePool(row.id);
    return { kind: 'pool', id: row.id, tasks: tasks.length };
  }

  /** The argument lists of a pool run's recorded tasks (only the failed ones with `onlyFailed`), in task order. */
  #taskArgs(poolRunId: string, onlyFailed: boolean): unknown[][] {
    const tasks: RunRecord[] = [];
    for (const record of this.store.values()) {
      if (record.poolRunId === poolRunId && (!onlyFailed || record.status !== 'ok')) tasks.push(record);
    }
    tasks.sort((a, b) => taskNumber(a) - taskNumber(b));
    return tasks.flatMap((task) => taskArgsOf(task, onlyFailed));
  }

  #logFilesOf(runId: string): string[] {
    return this.#run(runId).logFiles.filter((path) => resolve(path).startsWith(this.#logsDir));
  }

  #run(runId: string): RunRecord {
    const run = this.store.get(runId);
    if (run === undefined) throw new SupervisorError('not_found', `runId: no run ${runId} in the history (it may have been dropped: the history keeps the last ${this.store.maxRuns})`);
    return run;
  }
}

/** A task record's argument lists: one, or a chunk's items (only the failed one when `onlyFailed`). */
function taskArgsOf(task: RunRecord, onlyFailed: boolean): unknown[][] {
  const items = task.items;
  if (items === undefined) return [task.args];
  const lists = task.args.map((item) => (items.star ? (item as unknown[]) : [item]));
  return onlyFailed && items.failedItem !== undefined ? lists.slice(items.failedItem, items.failedItem + 1) : lists;
}

function taskNumber(task: RunRecord): number {
  return Number(task.id.slice(task.id.lastIndexOf(':') + 1));
}
