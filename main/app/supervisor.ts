import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ChannelServer, type RefusedAttempt } from '../core/channel-server.js';
import { defaultBroker } from '../core/channels/broker.js';
import { DEFAULT_GRACE_MS } from '../core/defaults.js';
import { OrphanWatchdog } from '../core/orphan-watchdog.js';
import { defaultMaxLiveProcesses } from '../core/os-limits.js';
import { Pool, type PoolOptions } from '../core/pool.js';
import type { PoolTask } from '../core/pool-task.js';
import { Process, type ProcessOptions } from '../core/process.js';
import { Sampler, readOwnUsage, type SampleResult } from '../core/sampler.js';
import type { AppStats, Delta, LogFilePiece, PoolRow, ProcessRow, SearchLogsResult, Snapshot, TaskPage, TaskRow, TaskState } from '../protocol/index.js';
import type { Inspection } from '../protocol/inspection.js';
import type { PoolSpec, ProcessSpec } from '../protocol/schemas.js';
import { ChangeTracker } from './change-tracker.js';
import { ChannelActions } from './channel-actions.js';
import { ChannelRows, type AbandonedLock } from './channel-rows.js';
import { JobInspections } from './inspector.js';
import { inspectedEnv } from './inspector-env.js';
import { LogSearches } from './log-search.js';
import { readLogPiece } from './log-download.js';
import { SupervisorError } from './errors.js';
import { ProcessRegistry, type ProcessEntry } from './process-registry.js';
import { DEFAULT_BACKOFF, ProcessRestarts, type Backoff } from './restart-policy.js';
import { PoolTaskRows, taskRow } from './task-rows.js';

export { SupervisorError } from './errors.js';

/**
 * Task rows per pool that a snapshot or a delta carries at most: the running tasks and the newest
 * finished ones. The task list reads any other row by page (listTasks).
 */
export const TASK_WINDOW_PER_POOL = 200;
/** Rows a listTasks page holds when the caller does not say. */
const DEFAULT_TASK_PAGE = 100;

export interface SupervisorOptions {
  /** Where log files go (`<dataDir>/logs`). */
  dataDir: string;
  /** How often every live process is sampled. Default 1000 ms. */
  sampleIntervalMs?: number;
  /** Grace between SIGTERM and SIGKILL when the supervisor stops jobs. Default DEFAULT_GRACE_MS. */
  graceMs?: number;
  /** Ended exec-mode task rows kept per pool; older ones are dropped from the table (their logs too). */
  maxEndedTaskRowsPerPool?: number;
  /** Task-list entries kept per pool; the tasks that finished first are dropped first. Default 5000. */
  maxTaskRowsPerPool?: number;
  /**
   * Start an orphan watchdog, so that every job still running ends if the app dies without shutting
   * down (SIGKILL, crash). Default true. Jobs still running at dispose() (those the user chose to
   * keep) are left alone.
   */
  orphanWatchdog?: boolean;
  /**
   * Live processes the app starts at most, standalone ones and pool workers together (a pool counts
   * its `processes` while it runs). Beyond it, starts are refused. Default: half of `ulimit -u`,
   * at most 512 per CPU.
   */
  maxLiveProcesses?: number;
  /** The helpers' folder (resources/workers) that runs targets. Default: the core's own lookup, beside its sources. */
  workersDir?: string;
  /** The wait before a restart policy's restarts: doubling from baseMs to maxMs. Default 1 s to 60 s. */
  restartBackoff?: Backoff;
}

interface PoolEntry {
  row: PoolRow;
  pool: Pool;
  tasks: PoolTaskRows;
  /** Process row ids of this pool's ended exec-mode tasks, oldest first. */
  endedTaskRowIds: string[];
}

export interface SupervisorEvents {
  /** Something changed: a delta is ready to take. */
  change: [];
  /** A connection to the channel failed its handshake or said no hello (also kept in refusedChannelAttempts). */
  channelRefused: [attempt: RefusedAttempt];
  /** A process's run begins (its first start or a restart of its row), just before it starts: the run history listens. */
  processRun: [entry: ProcessEntry];
  /** A pool was made, before its first task: the run history listens. */
  poolCreated: [row: PoolRow, pool: Pool, spec: PoolSpec];
}

/**
 * The app's registry of every process and pool, under stable ids. It owns the sampler and the logs,
 * keeps one row per process and pool up to date, and hands out snapshots and deltas of the rows that
 * changed. The parts: ProcessRegistry (process rows, logs, CPU history), PoolTaskRows (task rows,
 * ETAs), ChangeTracker (seq and what changed).
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly dataDir: string;
  readonly sampleIntervalMs: number;
  readonly graceMs: number;
  readonly maxLiveProcesses: number;
  readonly workersDir: string | undefined;
  readonly #maxEndedTaskRows: number;
  readonly #maxTaskRows: number;
  readonly #changes = new ChangeTracker(() => this.emit('change'));
  readonly #sampler: Sampler;
  readonly #processes: ProcessRegistry;
  readonly #watchdog: OrphanWatchdog | null;
  /** The run's channel: every process and pool worker gets its address (POOLDECK_ADDRESS). */
  readonly channel = new ChannelServer();
  readonly #stopServingChannelObjects: () => void;
  /** The Channels view's rows, read at each sampling tick, and what the view does to the objects. */
  readonly channels: ChannelRows;
  readonly channelActions = new ChannelActions(defaultBroker());
  /** What the multiprocessing inspector reported inside each Python job. */
  readonly #inspections: JobInspections;
  readonly #pools = new Map<string, PoolEntry>();
  readonly #logSearches = new LogSearches();
  readonly #cores = cpus().length;
  #app: AppStats | null = null;
  /** The last sampling tick: per-pid figures of every job and its descendants (the expanded tree reads them). */
  #lastSample: SampleResult | null = null;
  #nextPoolId = 1;
  #disposed: Promise<void> | null = null;
  readonly #restarts: ProcessRestarts;

  constructor(options: SupervisorOptions) {
    super();
    this.dataDir = options.dataDir;
    this.sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.maxLiveProcesses = options.maxLiveProcesses ?? defaultMaxLiveProcesses();
    if (!Number.isInteger(this.maxLiveProcesses) || this.maxLiveProcesses < 1) {
      throw new RangeError(`Supervisor: maxLiveProcesses must be a whole number of at least 1, not ${this.maxLiveProcesses}`);
    }
    this.workersDir = options.workersDir;
    this.#restarts = new ProcessRestarts(options.restartBackoff ?? DEFAULT_BACKOFF, {
      restart: (id) => this.#restartByPolicy(id),
      changed: (id) => this.#changes.process(id),
    });
    this.#maxEndedTaskRows = options.maxEndedTaskRowsPerPool ?? 2000;
    this.#maxTaskRows = options.maxTaskRowsPerPool ?? 5000;
    this.#sampler = new Sampler({ sampleIntervalMs: this.sampleIntervalMs });
    this.#watchdog = options.orphanWatchdog === false ? null : new OrphanWatchdog({ graceMs: this.graceMs });
    this.#processes = new ProcessRegistry(join(this.dataDir, 'logs'), this.#sampler, this.#changes, this.#watchdog, (entry) =>
      this.#trimEndedTaskRows(entry),
    );
    this.#sampler.on('sample', (sample) => this.#applySample(sample));
    this.#sampler.start();
    this.channel.on('refused', (attempt) => this.emit('channelRefused', attempt));
    // Queues, pipes, locks and events made with the default broker are served on the run's channel.
    this.#stopServingChannelObjects = defaultBroker().serve(this.channel);
    this.channels = new ChannelRows(defaultBroker(), this.sampleIntervalMs, (event) => this.#noteAbandoned(event));
    this.#inspections = new JobInspections(this.channel, (member) => {
      for (const [id, entry] of this.#processes.entries()) if (entry.process === member) return id;
      return null;
    });
  }

  // ---- processes ------------------------------------------------------------------------------

  /** Starts a process. A failed start does not throw: the row shows state `failed` and the OS error. */
  async createProcess(spec: ProcessSpec): Promise<ProcessRow> {
    this.#checkRoomFor(1, 'end some jobs or raise the cap');
    const entry = this.#processes.register(this.#processes.newId(), new Process({ ...processOptions(spec, this.workersDir, this.dataDir), channelServer: this.channel }), 'process', spec, null);
    this.#restarts.watch(entry);
    this.emit('processRun', entry);
    await start(entry);
    return { ...entry.row };
  }

  terminate(id: string): void {
    const entry = this.#processes.get(id);
    this.#restarts.userActed(entry);
    if (entry.process.isAlive()) this.#processes.markStopping(entry);
    entry.process.terminate();
  }

  kill(id: string): void {
    const entry = this.#processes.get(id);
    this.#restarts.userActed(entry);
    if (entry.process.isAlive()) this.#processes.markStopping(entry);
    entry.process.kill();
  }

  async stop(id: string, graceMs = this.graceMs): Promise<{ exitcode: number; forced: boolean }> {
    const entry = this.#processes.get(id);
    this.#restarts.userActed(entry);
    if (!entry.process.started || entry.row.state === 'failed') {
      return { exitcode: entry.row.exitcode ?? -1, forced: false };
    }
    if (entry.process.isAlive()) this.#processes.markStopping(entry);
    return entry.process.stop({ graceMs });
  }

  /** Ends the process if it still runs, then starts the same spec again under the same id. */
  async restart(id: string): Promise<ProcessRow> {
    const entry = this.#processes.get(id);
    if (entry.spec === null) {
      throw new SupervisorError('conflict', `${entry.row.name} belongs to pool ${entry.row.poolName}: restart the pool's tasks instead`);
    }
    this.#restarts.userActed(entry);
    if (entry.process.isAlive()) {
      this.#processes.markStopping(entry);
      await entry.process.stop({ graceMs: this.graceMs });
    }
    await this.#startAgain(entry, entry.spec);
    return { ...entry.row };
  }

  async #startAgain(entry: ProcessEntry, spec: ProcessSpec): Promise<void> {
    this.#checkRoomFor(1, 'end some jobs or raise the cap');
    this.#processes.replace(entry, new Process({ ...processOptions(spec, this.workersDir, this.dataDir), name: entry.row.name, channelServer: this.channel }));
    this.#restarts.watch(entry);
    this.emit('processRun', entry);
    await start(entry);
  }

  /** A restart policy's turn came: the row starts again, or goes to errored when the app's cap refuses it. */
  async #restartByPolicy(id: string): Promise<void> {
    const entry = this.#processes.find(id);
    if (entry === undefined || entry.spec === null) return;
    await this.#startAgain(entry, entry.spec).catch((error: unknown) => {
      Object.assign(entry.row, { state: 'errored', error: `could not restart: ${error instanceof Error ? error.message : String(error)}` });
      this.#changes.process(id);
    });
  }

  /** Forgets an ended process: its row leaves the table and its log leaves memory (the file stays). */
  remove(id: string): void {
    const entry = this.#processes.get(id);
    if (entry.process.isAlive()) throw new SupervisorError('conflict', `${entry.row.name} is still running: terminate it first`);
    this.#restarts.userActed(entry);
    this.#processes.forget(id, entry);
    this.#inspections.forget(id);
  }

  /** What the multiprocessing inspector saw inside a Python job (null when it reported nothing). */
  inspection(id: string): Inspection | null {
    this.#processes.get(id);
    return this.#inspections.of(id);
  }

  readLogs(id: string, afterSeq = -1, limit = 2000) {
    const entry = this.#processes.get(id);
    const lines = entry.log.lines(afterSeq, limit);
    return {
      lines,
      lastSeq: lines.length > 0 ? lines[lines.length - 1].seq : afterSeq,
      partial: entry.log.partialLines(),
      droppedBytes: entry.log.droppedBytes,
      filePath: entry.log.filePath,
    };
  }

  /** Searches the whole of the current run's log file on disk (not only the tail in memory). */
  async searchLogs(id: string, text: string, limit = 1000): Promise<SearchLogsResult> {
    const { log } = this.#processes.get(id);
    // What the process printed just now is in the file before it is searched.
    await log.flush();
    return { ...(await this.#logSearches.search(id, log.filePaths(), text, limit)), filePath: log.filePath };
  }

  /** A piece of the current run's log file (its parts as one file), from byte `offset`. */
  async readLogFile(id: string, offset: number): Promise<LogFilePiece> {
    const { log } = this.#processes.get(id);
    await log.flush();
    return readLogPiece(log.filePaths(), offset);
  }

  /** Sends a line (a newline is added) to a running process's standard input, as typed at a prompt. */
  async writeStdin(id: string, text: string): Promise<void> {
    const { process, row } = this.#processes.get(id);
    if (row.kind !== 'process') throw new SupervisorError('conflict', `id: ${row.name} is a worker of pool ${row.poolName}: its input belongs to the pool`);
    if (!process.isAlive()) throw new SupervisorError('conflict', `id: ${row.name} is not running: only a running process reads input`);
    const closed = `id: ${row.name} closed its standard input: it reads no more`;
    if (!process.stdinOpen) throw new SupervisorError('conflict', closed);
    // EPIPE: the program closed its end, which is learnt only by writing.
    await process.writeStdin(`${text}\n`).catch(() => {
      throw new SupervisorError('conflict', closed);
    });
  }

  // ---- pools ----------------------------------------------------------------------------------

  createPool(spec: PoolSpec): PoolRow {
    this.#checkRoomFor(spec.processes, `a pool of ${spec.processes} would exceed it`);
    const id = `pool${this.#nextPoolId++}`;
    const pool = new Pool({ ...poolOptions(spec, this.workersDir), channelServer: this.channel });
    const entry: PoolEntry = {
      pool,
      tasks: new PoolTaskRows(id, this.#maxTaskRows),
      endedTaskRowIds: [],
      row: {
        id,
        name: pool.name,
        mode: pool.mode,
        processes: pool.processes,
        command: pool.command,
        args: [...pool.args],
        target: pool.target,
        initializer: spec.initializer ?? null,
        maxTasksPerChild: spec.maxTasksPerChild ?? null,
        daemon: pool.daemon,
        state: pool.state,
        error: null,
        counts: { ...pool.counts },
        total: 0,
        createdAt: Date.now(),
        etaMs: null,
      },
    };
    this.#pools.set(id, entry);
    const adopt = (process: Process): void => this.#processes.adopt(process, pool.mode === 'exec' ? 'task' : 'worker', entry.row);
    pool.on('worker', adopt);
    pool.on('task', (task) => this.#onTask(entry, task));
    // Whole queues queued, cancelled or failed come as one event each: the counts say it, the task
    // list pages the tasks in.
    for (const event of ['tasksQueued', 'tasksCancelled', 'tasksFailed', 'broken', 'state'] as const) pool.on(event, () => this.#touchPool(id));
    // Workers announced during construction came before we listened.
    for (const process of pool.workers) adopt(process);
    this.#touchPool(id);
    this.emit('poolCreated', entry.row, pool, spec);
    if (spec.tasks && spec.tasks.length > 0) this.submitTasks(id, spec.tasks);
    return { ...entry.row };
  }

  submitTasks(poolId: string, tasks: unknown[][]): number {
    const entry = this.#poolEntry(poolId);
    if (entry.pool.state !== 'running') {
      throw new SupervisorError('conflict', `${entry.row.name} is ${entry.pool.state}: it takes no new tasks (Pool not running)`);
    }
    // No promise per task: outcomes are read from the records and the counts, and a queued task
    // stays a compact line in the pool.
    entry.pool.submit(tasks);
    entry.row.total += tasks.length;
    this.#touchPool(poolId);
    return tasks.length;
  }

  closePool(id: string): void {
    this.#poolEntry(id).pool.close();
  }

  async terminatePool(id: string): Promise<void> {
    await this.#poolEntry(id).pool.terminate();
  }

  async joinPool(id: string): Promise<void> {
    const entry = this.#poolEntry(id);
    if (entry.pool.state === 'running') {
      throw new SupervisorError('conflict', `${entry.row.name} is still running: Close or Terminate it before Join (as in Python)`);
    }
    await entry.pool.join();
  }

  /** Forgets a pool that has ended, with its worker and task rows. */
  removePool(id: string): void {
    const entry = this.#poolEntry(id);
    if (entry.pool.state !== 'terminated' && entry.pool.state !== 'joined') {
      throw new SupervisorError('conflict', `${entry.row.name} is ${entry.pool.state}: Terminate or Join it first`);
    }
    for (const [processId, processEntry] of [...this.#processes.entries()]) {
      if (processEntry.row.poolId === id && !processEntry.process.isAlive()) this.#processes.forget(processId, processEntry);
    }
    this.#processes.forgetPool(id);
    this.#pools.delete(id);
    this.#changes.poolRemoved(id, entry.tasks.keys());
  }

  /**
   * A page of a pool's task list in task id order, read from the pool's own records (every unfinished
   * task and its newest finished ones): the tasks that started, then the queued ones. Only the page's
   * records are built, however long the queue.
   */
  listTasks(poolId: string, { offset = 0, limit = DEFAULT_TASK_PAGE, state }: { offset?: number; limit?: number; state?: TaskState } = {}): TaskPage {
    const { pool } = this.#poolEntry(poolId);
    const { queued, running } = pool.counts;
    const records = pool.tasksPage(0, 0).total;
    // Queued tasks are the newest records: they come last in id order.
    const started = Math.max(0, records - queued);
    const rows = (tasks: PoolTask[]): TaskRow[] => tasks.map((task) => taskRow(poolId, task));
    if (state === undefined) {
      const page = pool.tasksPage(offset, limit);
      const workOffset = queued + running > 0 ? Math.max(0, started - running) : null;
      return { total: page.total, offset, tasks: rows(page.tasks), workOffset };
    }
    if (state === 'queued') {
      const page = pool.tasksPage(started + offset, limit);
      return { total: queued, offset, tasks: rows(page.tasks.filter((task) => task.state === 'queued')), workOffset: queued > 0 ? 0 : null };
    }
    const matching = pool.tasksPage(0, started).tasks.filter((task) => task.state === state);
    const workOffset = state === 'running' && matching.length > 0 ? 0 : null;
    return { total: matching.length, offset, tasks: rows(matching.slice(offset, offset + limit)), workOffset };
  }

  /** The live Pool object of a row, for callers inside the app (tests, benchmarks, the demo). */
  poolOf(id: string): Pool {
    return this.#poolEntry(id).pool;
  }

  /** The log files of the pool's worker (or exec task) that had `pid`, while its row is kept; else none. */
  poolProcessLogFiles(poolId: string, pid: number): string[] {
    return this.#processes.findPoolProcess(poolId, pid)?.log.filePaths() ?? [];
  }

  processOf(id: string): Process {
    return this.#processes.get(id).process;
  }

  /** The process with this pid was just sent a signal: the next ticks say whether it stopped or runs again. */
  watchStateOf(pid: number): void {
    this.#sampler.watchState(pid);
  }

  /** The last sampling tick's figures (null before the first): the expanded process tree's CPU, memory and uptime. */
  lastSample(): SampleResult | null {
    return this.#lastSample;
  }

  /** The jobs the inspector has reported on, with what it saw in each. */
  inspectedJobs(): { row: ProcessRow; inspection: Inspection }[] {
    const jobs: { row: ProcessRow; inspection: Inspection }[] = [];
    for (const [id, entry] of this.#processes.entries()) {
      const inspection = this.#inspections.of(id);
      if (inspection !== null) jobs.push({ row: entry.row, inspection });
    }
    return jobs;
  }

  /** The latest connections the channel refused (a wrong key, garbage, silence), oldest first. */
  refusedChannelAttempts(): RefusedAttempt[] {
    return this.channel.refusedAttempts;
  }

  // ---- snapshots and deltas --------------------------------------------------------------------

  snapshot(): Snapshot {
    const tasks: TaskRow[] = [];
    for (const pool of this.#pools.values()) tasks.push(...pool.tasks.window(TASK_WINDOW_PER_POOL));
    return {
      seq: this.#changes.seq,
      time: Date.now(),
      processes: this.#processes.rows(),
      pools: [...this.#pools.values()].map(poolRowCopy),
      tasks,
      cpuHistory: this.#processes.cpuHistory(),
      app: this.#app,
      sampleIntervalMs: this.sampleIntervalMs,
    };
  }

  /** The rows that changed since the last call, or null if nothing did. */
  takeDelta(): Delta | null {
    const changes = this.#changes.take();
    if (changes === null) return null;
    const processes: ProcessRow[] = [];
    for (const id of changes.processIds) {
      const entry = this.#processes.find(id);
      if (entry) processes.push({ ...entry.row });
    }
    const pools: PoolRow[] = [];
    for (const id of changes.poolIds) {
      const entry = this.#pools.get(id);
      if (entry) pools.push(poolRowCopy(entry));
    }
    return {
      seq: changes.seq,
      time: Date.now(),
      processes,
      removedProcesses: changes.removedProcesses,
      pools,
      removedPools: changes.removedPools,
      tasks: this.#taskWindow(changes.tasks),
      sampled: changes.sampled,
      app: this.#app,
    };
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  /** Non-daemon processes still running: what the quit dialog asks about. */
  runningNonDaemon(): ProcessRow[] {
    return this.#processes.runningNonDaemon().map((entry) => ({ ...entry.row }));
  }

  /** Resolves once no non-daemon process is running. */
  async waitForNonDaemon(): Promise<void> {
    for (;;) {
      const running = this.#processes.runningNonDaemon();
      if (running.length === 0) return;
      await Promise.all(running.map((entry) => entry.process.join()));
    }
  }

  /**
   * Ends every daemon job (pools and processes) with the ladder; with `terminateAll`, every job.
   * Reports the non-daemon processes left running.
   */
  async shutdown({ terminateAll = false, graceMs = this.graceMs }: { terminateAll?: boolean; graceMs?: number } = {}): Promise<{ stillRunning: ProcessRow[] }> {
    // Quitting never starts anything again, whatever a restart policy says.
    this.#restarts.close();
    const endings: Promise<unknown>[] = [];
    for (const entry of this.#pools.values()) {
      if (entry.pool.daemon || terminateAll) endings.push(entry.pool.terminate());
    }
    for (const entry of this.#processes.values()) {
      if (entry.row.poolId !== null && (this.#pools.get(entry.row.poolId)?.pool.daemon || terminateAll)) continue;
      if (entry.process.isAlive() && (entry.row.daemon || terminateAll)) {
        this.#processes.markStopping(entry);
        endings.push(entry.process.stop({ graceMs }));
      }
    }
    await Promise.allSettled(endings);
    return { stillRunning: this.runningNonDaemon() };
  }

  /**
   * Stops sampling (a tick in flight finishes first: no sample arrives after this resolves), closes
   * the channel (removing its socket) and flushes logs. Does not end jobs: call shutdown() first.
   */
  dispose(): Promise<void> {
    this.#disposed ??= this.#dispose();
    return this.#disposed;
  }

  async #dispose(): Promise<void> {
    // What still runs now is what the user chose to keep: the watchdog must not end it later.
    this.#watchdog?.dispose();
    this.#restarts.close();
    this.#logSearches.cancelAll();
    this.#stopServingChannelObjects();
    this.channels.dispose();
    this.#inspections.dispose();
    await this.channel.close();
    await this.#sampler.dispose();
    await this.#processes.closeLogs();
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** Live standalone processes, plus each pool's `processes` until it has ended. */
  #liveProcessCount(): number {
    let count = 0;
    for (const entry of this.#processes.values()) {
      if (entry.row.kind === 'process' && (entry.row.state === 'starting' || entry.process.isAlive())) count += 1;
    }
    for (const { pool } of this.#pools.values()) {
      if (pool.state !== 'terminated' && pool.state !== 'joined') count += pool.processes;
    }
    return count;
  }

  #checkRoomFor(adding: number, advice: string): void {
    const live = this.#liveProcessCount();
    if (live + adding <= this.maxLiveProcesses) return;
    throw new SupervisorError(
      'conflict',
      `the app starts at most ${this.maxLiveProcesses} processes at once (maxLiveProcesses) and ${live} run: ${advice}`,
    );
  }

  #onTask(pool: PoolEntry, task: PoolTask): void {
    const row = pool.tasks.update(task);
    if ((task.state === 'done' || task.state === 'failed') && task.workerPid !== null) {
      this.#processes.creditWorker(pool.row.id, task.workerPid, task.items ? task.items.count : 1);
    }
    if (row !== null) this.#changes.task(row);
    this.#touchPool(pool.row.id);
  }

  /**
   * A delta's task rows: those still kept (a burst of 100,000 cancellations keeps few), at most the
   * newest TASK_WINDOW_PER_POOL of each pool. The task list pages in the rest.
   */
  #taskWindow(changed: TaskRow[]): TaskRow[] {
    const perPool = new Map<string, number>();
    const kept: TaskRow[] = [];
    for (let i = changed.length - 1; i >= 0; i -= 1) {
      const row = changed[i];
      if (!this.#pools.get(row.poolId)?.tasks.has(row.taskId)) continue;
      const count = perPool.get(row.poolId) ?? 0;
      if (count >= TASK_WINDOW_PER_POOL) continue;
      perPool.set(row.poolId, count + 1);
      kept.push({ ...row });
    }
    return kept.reverse();
  }

  #trimEndedTaskRows(entry: ProcessEntry): void {
    const pool = entry.row.poolId ? this.#pools.get(entry.row.poolId) : undefined;
    if (!pool) return;
    pool.endedTaskRowIds.push(entry.row.id);
    while (pool.endedTaskRowIds.length > this.#maxEndedTaskRows) {
      const oldest = pool.endedTaskRowIds.shift()!;
      const oldEntry = this.#processes.find(oldest);
      if (oldEntry) this.#processes.forget(oldest, oldEntry);
    }
  }

  #applySample(sample: SampleResult): void {
    this.#lastSample = sample;
    this.#processes.applyUsage((pid) => sample.trees.get(pid) ?? sample.processes.get(pid), sample.stopped);
    for (const [id, entry] of this.#pools) {
      entry.row.etaMs = entry.tasks.eta(entry.pool.counts);
      this.#changes.poolSampled(id);
    }
    const own = readOwnUsage();
    this.#app = { cpu: own.cpu, memory: own.memory, cores: this.#cores };
    this.#changes.sampled();
    this.channels.tick();
  }

  /** The dead holder's log says what it left behind (its row may be gone, or another app's process). */
  #noteAbandoned({ kind, name, holder }: AbandonedLock): void {
    for (const entry of this.#processes.values()) {
      if (entry.row.pid === holder.pid) entry.log.appendSystem(`ended holding ${kind} ${name}: the app released it`);
    }
  }

  #touchPool(id: string): void {
    const entry = this.#pools.get(id);
    if (entry) {
      entry.row.counts = { ...entry.pool.counts };
      // Errored only while tasks would still run: a terminated pool is over, whatever its workers did.
      const broken = entry.pool.brokenError !== null && (entry.pool.state === 'running' || entry.pool.state === 'closed');
      entry.row.state = broken ? 'errored' : entry.pool.state;
      entry.row.error = broken ? entry.pool.brokenError!.message : null;
    }
    this.#changes.pool(id);
  }

  #poolEntry(id: string): PoolEntry {
    const entry = this.#pools.get(id);
    if (!entry) throw new SupervisorError('not_found', `no pool with id ${id}`);
    return entry;
  }
}

/** A failed start is reported through the row (the registry listens for 'startFailed'). */
async function start(entry: ProcessEntry): Promise<void> {
  await entry.process.start().catch(() => undefined);
}

function poolRowCopy(entry: PoolEntry): PoolRow {
  return { ...entry.row, counts: { ...entry.row.counts }, args: [...entry.row.args] };
}

function processOptions(spec: ProcessSpec, workersDir: string | undefined, dataDir: string): ProcessOptions {
  // stdin stays open for writeStdin (a program asking at a prompt), as in a terminal.
  const common = { name: spec.name, daemon: spec.daemon, cwd: spec.cwd, env: inspectedEnv(spec, workersDir, dataDir), stdin: true };
  if (spec.target !== undefined) {
    return { ...common, target: spec.target, args: spec.args, kwargs: spec.kwargs, python: spec.python, node: spec.node, workersDir };
  }
  return { ...common, command: spec.command!, args: commandArgs(spec.args) };
}

/** A command's arguments: the schema let only text through when there is a command. */
function commandArgs(args: unknown[] | undefined): string[] | undefined {
  return args?.map((argument) => {
    if (typeof argument !== 'string') throw new TypeError('the arguments of a command are text');
    return argument;
  });
}

function poolOptions(spec: PoolSpec, workersDir: string | undefined): PoolOptions {
  const common = {
    processes: spec.processes,
    maxTasksPerChild: spec.maxTasksPerChild,
    name: spec.name,
    daemon: spec.daemon,
    cwd: spec.cwd,
    env: spec.env,
  };
  if (spec.target !== undefined) {
    return {
      ...common,
      target: spec.target,
      initializer: spec.initializer,
      initargs: spec.initargs,
      python: spec.python,
      node: spec.node,
      workersDir,
    };
  }
  return { ...common, command: spec.command, args: spec.args, mode: spec.mode };
}
