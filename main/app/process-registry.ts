// Every process the app shows, under a stable id: its row, the Process behind it, its log and its CPU
// history. Keeps each row in step with its Process's events and tells the change tracker.
import { LogStore } from '../core/log-store.js';
import type { Process } from '../core/process.js';
import type { OrphanWatchdog } from '../core/orphan-watchdog.js';
import type { Sampler } from '../core/sampler.js';
import type { ProcessSpec } from '../protocol/schemas.js';
import type { ProcessKind, ProcessRow } from '../protocol/rows.js';
import type { ChangeTracker } from './change-tracker.js';
import { SupervisorError } from './errors.js';
import { resultText } from './task-rows.js';

/** The last minute of CPU samples at the default 1 s interval. */
const CPU_HISTORY_LENGTH = 60;
/** An exec-mode task's log is one task's output: a smaller tail than a job's. */
const TASK_TAIL_BYTES = 64 * 1024;
/** Previous runs' exit codes a process row keeps. */
const PREVIOUS_EXITCODES_KEPT = 10;

export interface ProcessEntry {
  row: ProcessRow;
  process: Process;
  log: LogStore;
  /** What to start again on restart; null for a pool's worker or task, which the pool starts. */
  spec: ProcessSpec | null;
  history: number[];
}

export interface Usage {
  cpu: number;
  memory: number;
}

export class ProcessRegistry {
  readonly #entries = new Map<string, ProcessEntry>();
  /** Per pool, the row id of each worker by pid, so a finished task credits its worker without a scan. */
  readonly #workersByPool = new Map<string, Map<number, string>>();
  readonly #adopted = new WeakSet<Process>();
  #nextId = 1;

  constructor(
    private readonly logDirectory: string,
    private readonly sampler: Sampler,
    private readonly changes: ChangeTracker,
    /** Told of every process group the app starts, so they end with the app even when it is killed. */
    private readonly watchdog: OrphanWatchdog | null,
    /** Called when an exec-mode task's process ends (its pool keeps only the newest such rows). */
    private readonly onTaskProcessEnded: (entry: ProcessEntry) => void,
  ) {}

  newId(): string {
    return `p${this.#nextId++}`;
  }

  get(id: string): ProcessEntry {
    const entry = this.#entries.get(id);
    if (!entry) throw new SupervisorError('not_found', `no process with id ${id}`);
    return entry;
  }

  find(id: string): ProcessEntry | undefined {
    return this.#entries.get(id);
  }

  entries(): IterableIterator<[string, ProcessEntry]> {
    return this.#entries.entries();
  }

  values(): IterableIterator<ProcessEntry> {
    return this.#entries.values();
  }

  /** A pool's worker (or exec task) is registered once, however often the pool announces it. */
  adopt(process: Process, kind: ProcessKind, pool: { id: string; name: string }): void {
    if (this.#adopted.has(process)) return;
    this.#adopted.add(process);
    this.register(this.newId(), process, kind, null, pool);
  }

  register(id: string, process: Process, kind: ProcessKind, spec: ProcessSpec | null, pool: { id: string; name: string } | null): ProcessEntry {
    const entry: ProcessEntry = {
      process,
      spec,
      history: [],
      log: new LogStore({ directory: this.logDirectory, name: id, ...(kind === 'task' ? { tailBytes: TASK_TAIL_BYTES } : {}) }),
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
        suspended: false,
        error: null,
        target: process.target,
        targetArgs: [...process.targetArgs],
        kwargs: process.kwargs === undefined ? null : { ...process.kwargs },
        returnValue: null,
        targetError: null,
        cpu: null,
        memory: null,
        startedAt: null,
        endedAt: null,
        poolId: pool?.id ?? null,
        poolName: pool?.name ?? null,
        tasksDone: 0,
        restarts: 0,
        nextRestartAt: null,
        previousExitcodes: [],
      },
    };
    this.#entries.set(id, entry);
    this.#wire(entry);
    this.changes.process(id);
    return entry;
  }

  /** Puts a new Process (the same spec started again) behind an existing row. */
  replace(entry: ProcessEntry, process: Process): void {
    entry.process = process;
    entry.row.restarts += 1;
    if (entry.row.exitcode !== null) entry.row.previousExitcodes = [...entry.row.previousExitcodes, entry.row.exitcode].slice(-PREVIOUS_EXITCODES_KEPT);
    Object.assign(entry.row, { state: 'starting', suspended: false, pid: null, exitcode: null, error: null, returnValue: null, targetError: null, cpu: null, memory: null, startedAt: null, endedAt: null, nextRestartAt: null });
    entry.log.startRun();
    entry.log.appendSystem(`restarted (${entry.row.restarts})`);
    this.#wire(entry);
  }

  /** Forgets a row: it leaves the table and its log leaves memory (the file stays). */
  forget(id: string, entry: ProcessEntry): void {
    void entry.log.close();
    const workers = entry.row.poolId === null ? undefined : this.#workersByPool.get(entry.row.poolId);
    if (workers && entry.row.pid !== null && workers.get(entry.row.pid) === id) workers.delete(entry.row.pid);
    this.#entries.delete(id);
    this.changes.processRemoved(id);
  }

  /** The pool's worker (or exec task) row that had `pid`, if it is still kept. */
  findPoolProcess(poolId: string, pid: number): ProcessEntry | undefined {
    const id = this.#workersByPool.get(poolId)?.get(pid);
    return id === undefined ? undefined : this.#entries.get(id);
  }

  forgetPool(poolId: string): void {
    this.#workersByPool.delete(poolId);
  }

  markStopping(entry: ProcessEntry): void {
    if (entry.row.state === 'running') {
      entry.row.state = 'stopping';
      this.changes.process(entry.row.id);
    }
  }

  /** Credits `count` finished tasks to the pool's worker that had `pid`, if its row still has it. */
  creditWorker(poolId: string, pid: number, count: number): void {
    const id = this.#workersByPool.get(poolId)?.get(pid);
    const worker = id === undefined ? undefined : this.#entries.get(id);
    if (worker && worker.row.pid === pid) {
      worker.row.tasksDone += count;
      this.changes.process(worker.row.id);
    }
  }

  /**
   * A sample's usage for each live row, and whether the kernel holds it stopped; both answer by pid.
   * Only rows whose figures changed go into the next delta: a UI advances every live row's CPU history
   * at each sampled delta anyway, so an idle process costs no row copy and no serialization per tick.
   */
  applyUsage(usageOf: (pid: number) => Usage | undefined, stopped: ReadonlySet<number>): void {
    for (const [id, entry] of this.#entries) {
      const row = entry.row;
      if (row.pid === null || !row.isAlive) continue;
      const usage = usageOf(row.pid);
      if (!usage) continue;
      const suspended = stopped.has(row.pid);
      entry.history.push(usage.cpu);
      if (entry.history.length > CPU_HISTORY_LENGTH) entry.history.shift();
      if (row.suspended === suspended && row.cpu === usage.cpu && row.memory === usage.memory) continue;
      row.suspended = suspended;
      row.cpu = usage.cpu;
      row.memory = usage.memory;
      this.changes.processSampled(id);
    }
  }

  cpuHistory(): Record<string, number[]> {
    const history: Record<string, number[]> = {};
    for (const [id, entry] of this.#entries) history[id] = [...entry.history];
    return history;
  }

  rows(): ProcessRow[] {
    return [...this.#entries.values()].map((entry) => ({ ...entry.row }));
  }

  /** Non-daemon processes still running. */
  runningNonDaemon(): ProcessEntry[] {
    return [...this.#entries.values()].filter((entry) => entry.process.isAlive() && !entry.row.daemon);
  }

  /** Closes every log (flushing it to its file). */
  async closeLogs(): Promise<void> {
    await Promise.allSettled([...this.#entries.values()].map((entry) => entry.log.close()));
  }

  #wire(entry: ProcessEntry): void {
    const { process } = entry;
    const id = entry.row.id;
    process.on('started', (pid) => {
      if (entry.process !== process) return;
      Object.assign(entry.row, { pid, isAlive: true, state: 'running', startedAt: process.startedAt });
      if (entry.row.poolId !== null) this.#workersOf(entry.row.poolId).set(pid, id);
      this.watchdog?.register(pid);
      this.sampler.track(pid);
      this.changes.process(id);
    });
    process.on('startFailed', (error) => {
      if (entry.process !== process) return;
      Object.assign(entry.row, { state: 'failed', error: error.message, isAlive: false, endedAt: Date.now() });
      entry.log.appendSystem(error.message);
      void entry.log.releaseFile();
      this.changes.process(id);
    });
    process.on('output', (stream, chunk) => entry.log.append(stream, chunk));
    process.on('exit', (exitcode) => {
      if (entry.process !== process) return;
      Object.assign(entry.row, {
        isAlive: false,
        exitcode,
        state: 'exited',
        suspended: false,
        endedAt: process.endedAt,
        cpu: null,
        returnValue: resultText(process.returnValue),
        targetError: process.error === null ? null : { ...process.error },
      });
      if (process.pid !== null) {
        this.sampler.untrack(process.pid);
        this.watchdog?.release(process.pid);
      }
      entry.log.appendSystem(`exited with ${exitcode}`);
      // Output still in the pipes came before 'exit'; whatever comes after reopens the file.
      void entry.log.releaseFile();
      this.changes.process(id);
      if (entry.row.kind === 'task') this.onTaskProcessEnded(entry);
    });
  }

  #workersOf(poolId: string): Map<number, string> {
    let workers = this.#workersByPool.get(poolId);
    if (!workers) {
      workers = new Map();
      this.#workersByPool.set(poolId, workers);
    }
    return workers;
  }
}
