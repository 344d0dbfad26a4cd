import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Process, type ProcessOptions } from './process.js';
import { Pool, type PoolOptions, type PoolTask } from './pool.js';
import { Sampler, readOwnUsage } from './sampler.js';
import { LogStore } from './log-store.js';
import type {
  AppStats,
  Delta,
  LogLine,
  PoolRow,
  ProcessKind,
  ProcessRow,
  Snapshot,
  TaskRow,
} from './rows.js';

export interface SupervisorOptions {
  /** Where log files go (`<dataDir>/logs`). */
  dataDir: string;
  /** How often every live process is sampled. Default 1000 ms. */
  sampleIntervalMs?: number;
  /** Grace between SIGTERM and SIGKILL when the supervisor stops jobs. Default 3000 ms. */
  graceMs?: number;
  /** Ended exec-mode task rows kept per pool; older ones are dropped from the table (their logs too). */
  maxEndedTaskRowsPerPool?: number;
  /** Task-list entries kept per pool; the tasks that finished first are dropped first. Default 5000. */
  maxTaskRowsPerPool?: number;
}

export interface ProcessSpec {
  command: string;
  args?: string[];
  name?: string;
  daemon?: boolean;
  cwd?: string;
  env?: Record<string, string>;
}

export interface PoolSpec extends ProcessSpec {
  processes: number;
  mode?: 'worker' | 'exec';
  maxTasksPerChild?: number;
  tasks?: unknown[][];
}

/** The supervisor refuses a request (unknown id, a join before close, …): the message is for the user. */
export class SupervisorError extends Error {
  override name = 'SupervisorError';
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

interface ProcessEntry {
  row: ProcessRow;
  process: Process;
  log: LogStore;
  spec: ProcessSpec | null;
  history: number[];
}

interface PoolEntry {
  row: PoolRow;
  pool: Pool;
  tasks: Map<number, TaskRow>;
  /** Ids of finished tasks in the order they finished: the ones to drop first when the list is full. */
  finishedTaskIds: number[];
  /** Where finishedTaskIds starts; a head index instead of shift(), which copies the array each time. */
  finishedTaskHead: number;
  /** The row id of each worker by pid, so a finished task credits its worker without a scan. */
  workerIdByPid: Map<number, string>;
  endedTaskRowIds: string[];
  /** Recent completion times, for the ETA. */
  recentCompletions: number[];
}

export interface SupervisorEvents {
  /** Something changed: a delta is ready to take. */
  change: [];
}

const CPU_HISTORY_LENGTH = 60;
const RESULT_TEXT_LIMIT = 4096;

/**
 * The registry of every process and pool, under stable ids. It owns the sampler and the logs, keeps
 * one row per process and pool up to date, and hands out snapshots and deltas of the rows that changed.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly dataDir: string;
  readonly sampleIntervalMs: number;
  readonly graceMs: number;
  readonly #maxEndedTaskRows: number;
  readonly #maxTaskRows: number;
  readonly #processes = new Map<string, ProcessEntry>();
  readonly #pools = new Map<string, PoolEntry>();
  readonly #sampler: Sampler;
  readonly #changedProcesses = new Set<string>();
  readonly #removedProcesses = new Set<string>();
  readonly #changedPools = new Set<string>();
  readonly #removedPools = new Set<string>();
  readonly #changedTasks = new Map<string, TaskRow>();
  readonly #adopted = new WeakSet<Process>();
  #sampledSinceDelta = false;
  #app: AppStats | null = null;
  #seq = 0;
  #nextProcessId = 1;
  #nextPoolId = 1;
  #disposed = false;

  constructor(options: SupervisorOptions) {
    super();
    this.dataDir = options.dataDir;
    this.sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    this.graceMs = options.graceMs ?? 3000;
    this.#maxEndedTaskRows = options.maxEndedTaskRowsPerPool ?? 2000;
    this.#maxTaskRows = options.maxTaskRowsPerPool ?? 5000;
    this.#sampler = new Sampler({ sampleIntervalMs: this.sampleIntervalMs });
    this.#sampler.on('sample', (sample) => this.#applySample(sample));
    this.#sampler.start();
  }

  // ---- processes ------------------------------------------------------------------------------

  /** Starts a process. A failed start does not throw: the row shows state `failed` and the OS error. */
  async createProcess(spec: ProcessSpec): Promise<ProcessRow> {
    const id = `p${this.#nextProcessId++}`;
    const process = new Process(processOptions(spec));
    const entry = this.#register(id, process, 'process', spec, null);
    await this.#start(entry);
    return { ...entry.row };
  }

  terminate(id: string): void {
    const entry = this.#processEntry(id);
    if (entry.process.isAlive()) this.#markStopping(entry);
    entry.process.terminate();
  }

  kill(id: string): void {
    const entry = this.#processEntry(id);
    if (entry.process.isAlive()) this.#markStopping(entry);
    entry.process.kill();
  }

  async stop(id: string, graceMs = this.graceMs): Promise<{ exitcode: number; forced: boolean }> {
    const entry = this.#processEntry(id);
    if (!entry.process.started || entry.row.state === 'failed') {
      return { exitcode: entry.row.exitcode ?? -1, forced: false };
    }
    if (entry.process.isAlive()) this.#markStopping(entry);
    return entry.process.stop({ graceMs });
  }

  /** Ends the process if it still runs, then starts the same spec again under the same id. */
  async restart(id: string): Promise<ProcessRow> {
    const entry = this.#processEntry(id);
    if (entry.spec === null) {
      throw new SupervisorError('conflict', `${entry.row.name} belongs to pool ${entry.row.poolName}: restart the pool's tasks instead`);
    }
    if (entry.process.isAlive()) {
      this.#markStopping(entry);
      await entry.process.stop({ graceMs: this.graceMs });
    }
    const process = new Process({ ...processOptions(entry.spec), name: entry.row.name });
    entry.process = process;
    entry.row.restarts += 1;
    Object.assign(entry.row, { pid: null, exitcode: null, error: null, cpu: null, memory: null, startedAt: null, endedAt: null });
    entry.log.appendSystem(`restarted (${entry.row.restarts})`);
    this.#wire(entry);
    await this.#start(entry);
    return { ...entry.row };
  }

  /** Forgets an ended process: its row leaves the table and its log leaves memory (the file stays). */
  remove(id: string): void {
    const entry = this.#processEntry(id);
    if (entry.process.isAlive()) throw new SupervisorError('conflict', `${entry.row.name} is still running: terminate it first`);
    this.#forget(id, entry);
  }

  readLogs(id: string, afterSeq = -1, limit = 2000, search?: string) {
    const entry = this.#processEntry(id);
    const lines: LogLine[] = search ? entry.log.search(search, limit) : entry.log.lines(afterSeq, limit);
    return {
      lines,
      lastSeq: lines.length > 0 ? lines[lines.length - 1].seq : afterSeq,
      partial: search ? [] : entry.log.partialLines(),
      droppedBytes: entry.log.droppedBytes,
      filePath: entry.log.filePath,
    };
  }

  // ---- pools ----------------------------------------------------------------------------------

  createPool(spec: PoolSpec): PoolRow {
    const id = `pool${this.#nextPoolId++}`;
    const pool = new Pool(poolOptions(spec));
    const entry: PoolEntry = {
      pool,
      tasks: new Map(),
      finishedTaskIds: [],
      finishedTaskHead: 0,
      workerIdByPid: new Map(),
      endedTaskRowIds: [],
      recentCompletions: [],
      row: {
        id,
        name: pool.name,
        mode: pool.mode,
        processes: pool.processes,
        command: spec.command,
        args: [...(spec.args ?? [])],
        maxTasksPerChild: spec.maxTasksPerChild ?? null,
        daemon: pool.daemon,
        state: pool.state,
        counts: { ...pool.counts },
        total: 0,
        createdAt: Date.now(),
        etaMs: null,
      },
    };
    this.#pools.set(id, entry);
    pool.on('worker', (process) => this.#adoptWorker(entry, process));
    pool.on('task', (task) => this.#onTask(entry, task));
    pool.on('state', (state) => {
      entry.row.state = state;
      this.#touchPool(id);
    });
    // Workers announced during construction came before we listened.
    for (const process of pool.workers) this.#adoptWorker(entry, process);
    this.#touchPool(id);
    if (spec.tasks && spec.tasks.length > 0) this.submitTasks(id, spec.tasks);
    return { ...entry.row };
  }

  submitTasks(poolId: string, tasks: unknown[][]): number {
    const entry = this.#poolEntry(poolId);
    if (entry.pool.state !== 'running') {
      throw new SupervisorError('conflict', `${entry.row.name} is ${entry.pool.state}: it takes no new tasks (Pool not running)`);
    }
    for (const args of tasks) {
      // Results are kept in the task rows; a failed task is a row, never an unhandled rejection.
      entry.pool.applyAsync(args).get().catch(() => undefined);
    }
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
    for (const [processId, processEntry] of this.#processes) {
      if (processEntry.row.poolId === id && !processEntry.process.isAlive()) this.#forget(processId, processEntry);
    }
    for (const key of entry.tasks.keys()) this.#changedTasks.delete(`${id}:${key}`);
    this.#pools.delete(id);
    this.#changedPools.delete(id);
    this.#removedPools.add(id);
    this.#changed();
  }

  listTasks(poolId: string): TaskRow[] {
    return [...this.#poolEntry(poolId).tasks.values()].map((task) => ({ ...task }));
  }

  /** The live Pool object of a row, for callers inside the app (tests, benchmarks, the demo). */
  poolOf(id: string): Pool {
    return this.#poolEntry(id).pool;
  }

  processOf(id: string): Process {
    return this.#processEntry(id).process;
  }

  // ---- snapshots and deltas --------------------------------------------------------------------

  snapshot(): Snapshot {
    const cpuHistory: Record<string, number[]> = {};
    for (const [id, entry] of this.#processes) cpuHistory[id] = [...entry.history];
    const tasks: TaskRow[] = [];
    for (const pool of this.#pools.values()) for (const task of pool.tasks.values()) tasks.push({ ...task });
    return {
      seq: this.#seq,
      time: Date.now(),
      processes: [...this.#processes.values()].map((entry) => ({ ...entry.row })),
      pools: [...this.#pools.values()].map((entry) => this.#poolRowCopy(entry)),
      tasks,
      cpuHistory,
      app: this.#app,
      sampleIntervalMs: this.sampleIntervalMs,
    };
  }

  /** The rows that changed since the last call, or null if nothing did. */
  takeDelta(): Delta | null {
    const empty =
      this.#changedProcesses.size === 0 &&
      this.#removedProcesses.size === 0 &&
      this.#changedPools.size === 0 &&
      this.#removedPools.size === 0 &&
      this.#changedTasks.size === 0 &&
      !this.#sampledSinceDelta;
    if (empty) return null;
    const processes: ProcessRow[] = [];
    for (const id of this.#changedProcesses) {
      const entry = this.#processes.get(id);
      if (entry) processes.push({ ...entry.row });
    }
    const pools: PoolRow[] = [];
    for (const id of this.#changedPools) {
      const entry = this.#pools.get(id);
      if (entry) pools.push(this.#poolRowCopy(entry));
    }
    this.#seq += 1;
    const delta: Delta = {
      seq: this.#seq,
      time: Date.now(),
      processes,
      removedProcesses: [...this.#removedProcesses],
      pools,
      removedPools: [...this.#removedPools],
      tasks: [...this.#changedTasks.values()].map((task) => ({ ...task })),
      sampled: this.#sampledSinceDelta,
      app: this.#app,
    };
    this.#changedProcesses.clear();
    this.#removedProcesses.clear();
    this.#changedPools.clear();
    this.#removedPools.clear();
    this.#changedTasks.clear();
    this.#sampledSinceDelta = false;
    return delta;
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  /** Non-daemon processes still running: what the quit dialog asks about. */
  runningNonDaemon(): ProcessRow[] {
    return [...this.#processes.values()].filter((entry) => entry.process.isAlive() && !entry.row.daemon).map((entry) => ({ ...entry.row }));
  }

  /** Resolves once no non-daemon process is running. */
  async waitForNonDaemon(): Promise<void> {
    for (;;) {
      const running = [...this.#processes.values()].filter((entry) => entry.process.isAlive() && !entry.row.daemon);
      if (running.length === 0) return;
      await Promise.all(running.map((entry) => entry.process.join()));
    }
  }

  /**
   * Ends every daemon job (pools and processes) with the ladder; with `terminateAll`, every job.
   * Reports the non-daemon processes left running.
   */
  async shutdown({ terminateAll = false, graceMs = this.graceMs }: { terminateAll?: boolean; graceMs?: number } = {}): Promise<{ stillRunning: ProcessRow[] }> {
    const endings: Promise<unknown>[] = [];
    for (const entry of this.#pools.values()) {
      if (entry.pool.daemon || terminateAll) endings.push(entry.pool.terminate());
    }
    for (const entry of this.#processes.values()) {
      if (entry.row.poolId !== null && (this.#pools.get(entry.row.poolId)?.pool.daemon || terminateAll)) continue;
      if (entry.process.isAlive() && (entry.row.daemon || terminateAll)) {
        this.#markStopping(entry);
        endings.push(entry.process.stop({ graceMs }));
      }
    }
    await Promise.allSettled(endings);
    return { stillRunning: this.runningNonDaemon() };
  }

  /** Stops sampling and flushes logs. Does not end jobs: call shutdown() first. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#sampler.stop();
    await Promise.allSettled([...this.#processes.values()].map((entry) => entry.log.close()));
  }

  // ---- internals ----------------------------------------------------------------------------------

  #register(id: string, process: Process, kind: ProcessKind, spec: ProcessSpec | null, pool: PoolEntry | null): ProcessEntry {
    const entry: ProcessEntry = {
      process,
      spec,
      history: [],
      log: new LogStore({ directory: join(this.dataDir, 'logs'), name: id, ...(kind === 'task' ? { tailBytes: 64 * 1024 } : {}) }),
      row: {
        id,
        name: process.name,
        kind,
        command: process.command,
        args: [...process.args],
        cwd: process.cwd ?? null,
        pid: null,
        isAlive: false,
        daemon: process.daemon,
        exitcode: null,
        state: 'starting',
        error: null,
        cpu: null,
        memory: null,
        startedAt: null,
        endedAt: null,
        poolId: pool?.row.id ?? null,
        poolName: pool?.row.name ?? null,
        tasksDone: 0,
        restarts: 0,
      },
    };
    this.#processes.set(id, entry);
    this.#wire(entry);
    this.#touchProcess(id);
    return entry;
  }

  #wire(entry: ProcessEntry): void {
    const { process } = entry;
    const id = entry.row.id;
    process.on('started', (pid) => {
      if (entry.process !== process) return;
      Object.assign(entry.row, { pid, isAlive: true, state: 'running', startedAt: process.startedAt });
      if (entry.row.poolId !== null) this.#pools.get(entry.row.poolId)?.workerIdByPid.set(pid, id);
      this.#sampler.track(pid);
      this.#touchProcess(id);
    });
    process.on('startFailed', (error) => {
      if (entry.process !== process) return;
      Object.assign(entry.row, { state: 'failed', error: error.message, isAlive: false, endedAt: Date.now() });
      entry.log.appendSystem(error.message);
      this.#touchProcess(id);
    });
    process.on('output', (stream, chunk) => entry.log.append(stream, chunk));
    process.on('exit', (exitcode) => {
      if (entry.process !== process) return;
      Object.assign(entry.row, { isAlive: false, exitcode, state: 'exited', endedAt: process.endedAt, cpu: null });
      if (process.pid !== null) this.#sampler.untrack(process.pid);
      entry.log.appendSystem(`exited with ${exitcode}`);
      this.#touchProcess(id);
      if (entry.row.kind === 'task') this.#trimEndedTaskRows(id, entry);
    });
  }

  async #start(entry: ProcessEntry): Promise<void> {
    // A failed start is reported through the 'startFailed' event wired above.
    await entry.process.start().catch(() => undefined);
  }

  #adoptWorker(pool: PoolEntry, process: Process): void {
    if (this.#adopted.has(process)) return;
    this.#adopted.add(process);
    // The pool starts its workers itself; one that fails to start shows as a failed row.
    this.#register(`p${this.#nextProcessId++}`, process, pool.pool.mode === 'exec' ? 'task' : 'worker', null, pool);
  }

  #onTask(pool: PoolEntry, task: PoolTask): void {
    const poolId = pool.row.id;
    const key = `${poolId}:${task.id}`;
    const previous = pool.tasks.get(task.id);
    // A chunk of a map (one event for many items) is one row: its args and values, shortened.
    const items = task.items;
    const row: TaskRow = {
      key,
      poolId,
      taskId: task.id,
      args: items ? chunkArgsPreview(task.args, items.count) : task.args,
      state: task.state,
      workerPid: task.workerPid,
      workerName: task.workerName,
      queuedAt: task.queuedAt,
      startedAt: task.startedAt,
      endedAt: task.endedAt,
      result: task.state === 'done' ? resultText(items ? chunkValuesForText(task.value) : task.value) : null,
      error: task.error ? chunkError(task) : null,
    };
    pool.tasks.set(task.id, row);
    const wasFinished = previous !== undefined && previous.state !== 'queued' && previous.state !== 'running';
    if (!wasFinished && task.state !== 'queued' && task.state !== 'running') pool.finishedTaskIds.push(task.id);
    trimTaskRows(pool, this.#maxTaskRows);
    if ((task.state === 'done' || task.state === 'failed') && task.workerPid !== null) {
      noteCompletions(pool.recentCompletions, task, items ? items.count : 1);
      const workerId = pool.workerIdByPid.get(task.workerPid);
      const worker = workerId === undefined ? undefined : this.#processes.get(workerId);
      if (worker && worker.row.pid === task.workerPid) {
        worker.row.tasksDone += items ? items.count : 1;
        this.#touchProcess(workerId!);
      }
    }
    this.#changedTasks.set(key, row);
    this.#touchPool(poolId);
  }

  #trimEndedTaskRows(id: string, entry: ProcessEntry): void {
    const pool = entry.row.poolId ? this.#pools.get(entry.row.poolId) : undefined;
    if (!pool) return;
    pool.endedTaskRowIds.push(id);
    while (pool.endedTaskRowIds.length > this.#maxEndedTaskRows) {
      const oldest = pool.endedTaskRowIds.shift()!;
      const oldEntry = this.#processes.get(oldest);
      if (oldEntry) this.#forget(oldest, oldEntry);
    }
  }

  #forget(id: string, entry: ProcessEntry): void {
    void entry.log.close();
    const pool = entry.row.poolId === null ? undefined : this.#pools.get(entry.row.poolId);
    if (pool && entry.row.pid !== null && pool.workerIdByPid.get(entry.row.pid) === id) pool.workerIdByPid.delete(entry.row.pid);
    this.#processes.delete(id);
    this.#changedProcesses.delete(id);
    this.#removedProcesses.add(id);
    this.#changed();
  }

  #applySample(sample: SampleLike): void {
    for (const [id, entry] of this.#processes) {
      const pid = entry.row.pid;
      if (pid === null || !entry.row.isAlive) continue;
      const usage = sample.trees.get(pid) ?? sample.processes.get(pid);
      if (!usage) continue;
      entry.row.cpu = usage.cpu;
      entry.row.memory = usage.memory;
      entry.history.push(usage.cpu);
      if (entry.history.length > CPU_HISTORY_LENGTH) entry.history.shift();
      this.#changedProcesses.add(id);
    }
    for (const [id, entry] of this.#pools) {
      entry.row.etaMs = estimateEta(entry);
      this.#changedPools.add(id);
    }
    const own = readOwnUsage();
    this.#app = { cpu: own.cpu, memory: own.memory, cores: cpus().length };
    this.#sampledSinceDelta = true;
    this.#changed();
  }

  #markStopping(entry: ProcessEntry): void {
    if (entry.row.state === 'running') {
      entry.row.state = 'stopping';
      this.#touchProcess(entry.row.id);
    }
  }

  #touchProcess(id: string): void {
    this.#changedProcesses.add(id);
    this.#changed();
  }

  #touchPool(id: string): void {
    const entry = this.#pools.get(id);
    if (entry) {
      entry.row.counts = { ...entry.pool.counts };
      entry.row.state = entry.pool.state;
    }
    this.#changedPools.add(id);
    this.#changed();
  }

  #changed(): void {
    this.emit('change');
  }

  #poolRowCopy(entry: PoolEntry): PoolRow {
    return { ...entry.row, counts: { ...entry.row.counts }, args: [...entry.row.args] };
  }

  #processEntry(id: string): ProcessEntry {
    const entry = this.#processes.get(id);
    if (!entry) throw new SupervisorError('not_found', `no process with id ${id}`);
    return entry;
  }

  #poolEntry(id: string): PoolEntry {
    const entry = this.#pools.get(id);
    if (!entry) throw new SupervisorError('not_found', `no pool with id ${id}`);
    return entry;
  }
}

interface UsageLike {
  cpu: number;
  memory: number;
}

interface SampleLike {
  processes: Map<number, UsageLike>;
  trees: Map<number, UsageLike>;
}

function processOptions(spec: ProcessSpec): ProcessOptions {
  return { command: spec.command, args: spec.args, name: spec.name, daemon: spec.daemon, cwd: spec.cwd, env: spec.env };
}

function poolOptions(spec: PoolSpec): PoolOptions {
  return {
    processes: spec.processes,
    command: spec.command,
    args: spec.args,
    mode: spec.mode,
    maxTasksPerChild: spec.maxTasksPerChild,
    name: spec.name,
    daemon: spec.daemon,
    cwd: spec.cwd,
    env: spec.env,
  };
}

function resultText(value: unknown): string | null {
  if (value === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > RESULT_TEXT_LIMIT ? `${text.slice(0, RESULT_TEXT_LIMIT)}…` : text;
}

/** How many of a chunk's argument lists its task row shows. */
const CHUNK_ARGS_SHOWN = 10;

/** A chunk row's args: its first argument lists, then how many more (the row stays small). */
function chunkArgsPreview(argLists: unknown[], count: number): unknown[] {
  if (count <= CHUNK_ARGS_SHOWN) return argLists;
  return [...argLists.slice(0, CHUNK_ARGS_SHOWN), `… ${count - CHUNK_ARGS_SHOWN} more`];
}

/** A chunk's values cut to what the result text can show (each takes at least two characters). */
function chunkValuesForText(values: unknown): unknown {
  const limit = RESULT_TEXT_LIMIT / 2 + 1;
  return Array.isArray(values) && values.length > limit ? values.slice(0, limit) : values;
}

/** A failed chunk's error says which of its items failed. */
function chunkError(task: PoolTask): TaskRow['error'] {
  const error = { ...task.error! };
  const failed = task.items?.failedItem;
  if (failed !== undefined) error.message = `item ${failed} (task ${task.id + failed}): ${error.message}`;
  return error;
}

/**
 * Records the completion times the ETA is computed from: a chunk's items are taken to have
 * finished evenly over its run, so that the rate stays in items per ms.
 */
function noteCompletions(times: number[], task: PoolTask, count: number): void {
  const end = task.endedAt ?? Date.now();
  const start = task.startedAt ?? end;
  const shown = Math.min(count, 50);
  for (let i = count - shown; i < count; i += 1) times.push(count === 1 ? Date.now() : start + ((end - start) * (i + 1)) / count);
  if (times.length > 50) times.splice(0, times.length - 50);
}

/** Time to finish what is queued and running, at the rate of the recent completions. */
function estimateEta(entry: PoolEntry): number | null {
  const remaining = entry.pool.counts.queued + entry.pool.counts.running;
  if (remaining === 0) return 0;
  const times = entry.recentCompletions;
  if (times.length < 2) return null;
  const span = Math.max(1, Date.now() - times[0]);
  const perMs = (times.length - 1) / span;
  return Math.round(remaining / perMs);
}

/** Keeps a pool's task list bounded: drops the tasks that finished first, never a queued or running one. */
function trimTaskRows(pool: PoolEntry, limit: number): void {
  while (pool.tasks.size > limit && pool.finishedTaskHead < pool.finishedTaskIds.length) {
    pool.tasks.delete(pool.finishedTaskIds[pool.finishedTaskHead++]);
  }
  if (pool.finishedTaskHead > 4096 && pool.finishedTaskHead * 2 > pool.finishedTaskIds.length) {
    pool.finishedTaskIds = pool.finishedTaskIds.slice(pool.finishedTaskHead);
    pool.finishedTaskHead = 0;
  }
}
