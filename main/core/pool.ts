// Pool: multiprocessing.Pool for programs. Two modes:
// - worker: N long-lived workers speaking worker protocol v1 on fd 3 (see docs/worker-protocol.md);
// - exec: each task runs the command once, GNU parallel style, at most N at a time.
// Unlike Python's Pool, a worker that dies fails the task it was running (WorkerLostError) and is
// replaced; the pool never hangs on it.

import { EventEmitter } from 'node:events';
import { AsyncResult, type AsyncResultCallbacks, type SettleAsyncResult } from './async-result.js';
import { ProcessStartError, TaskCancelledError, TaskFailedError, WorkerLostError, type TaskOutput } from './errors.js';
import { ExecRun, type ExecOutcome } from './exec-run.js';
import { expandTemplate } from './exec-template.js';
import { describeExit } from './exit-status.js';
import { checkChunksize, checkIterable, checkKwargs, checkTaskArgs, isAsyncOnly, validateOptions, type ApplyAsyncOptions, type MapOptions, type PoolOptions } from './pool-options.js';
import { callItems, callItemsAsync, chunkSize, feed, itemsAhead, planCall, type CallItems, type Encoder, type Plan } from './pool-plan.js';
import { IterSink, MapSink } from './pool-sinks.js';
import { Deque, TaskBook, TaskEntry, type PoolCounts, type PoolMode, type PoolState, type PoolTask, type PoolTaskError, type TaskSink } from './pool-task.js';
import { Process } from './process.js';
import { argumentsJson, encodeBatch, encodeTask, quoteExcerpt, type TaskKwargs, type WorkerErrorInfo, type WorkerToMainMessage } from './worker-channel.js';
import { WorkerSlot, type WorkerSlotHooks } from './worker-slot.js';

export type { PoolMode, PoolState, PoolTask, PoolCounts, PoolTaskError, PoolTaskState } from './pool-task.js';
export type { PoolOptions, MapOptions, ApplyAsyncOptions } from './pool-options.js';

export interface PoolEvents {
  /**
   * A worker Process was created; it is started right after the listeners ran, so its pid is still
   * null here (listen to its 'started' event). `pool.workers` lists it once it has a pid.
   */
  worker: [proc: Process];
  /** A task changed state (a snapshot of its record). */
  task: [task: PoolTask];
  state: [state: PoolState];
}

/** How many finished task records a pool keeps (all unfinished ones are always kept). */
export const POOL_FINISHED_TASKS_KEPT = 10_000;

/** SIGTERM → SIGKILL grace when a pool stops its workers. */
const STOP_GRACE_MS = 3000;
/** Pipelining: hand a worker enough tasks to cover this much of its work, so it never waits for the next one. */
const PIPELINE_TARGET_MS = 2;
const MAX_PIPELINE_DEPTH = 256;
/** Depth before the first answers tell how long tasks take. */
const INITIAL_PIPELINE_DEPTH = 2;
/** Chunks a worker may hold: the one it runs and the next, so that it never waits between them. */
const CHUNK_PIPELINE_DEPTH = 2;
/**
 * How long a started worker that has neither said ready nor answered is given before chunks go
 * to it as per-item lines: the ready message says whether it takes batches, and a chunk sent as
 * lines loses most of the batch's gain.
 */
const BATCH_READY_GRACE_MS = 500;
/**
 * A worker that ends unasked within this time of its start, before writing any line, failed to
 * start (a bad ending). A worker that wrote anything, even a line that breaks the protocol, did start.
 */
const FAST_DEATH_MS = 1000;
/**
 * After this many bad endings in a row the breaker trips: queued tasks, and tasks submitted while
 * the backoff runs, fail at once with the cause; a task submitted after the backoff gets a fresh worker.
 */
const BROKEN_AFTER = 3;
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 10_000;

let poolCounter = 0;
const noop = (): void => {};

/**
 * Exec mode: the task record keeps the last EXEC_RECORD_TAIL characters of each stream (the promise
 * gets the full 64 KiB tails), so that 10,000 kept records cannot hold gigabytes.
 */
const EXEC_RECORD_TAIL = 4096;

function recordedOutput(output: TaskOutput): TaskOutput {
  const cut = (text: string): string => (text.length > EXEC_RECORD_TAIL ? text.slice(-EXEC_RECORD_TAIL) : text);
  return { exitcode: output.exitcode, stdout: cut(output.stdout), stderr: cut(output.stderr) };
}

function errorRecord(error: Error): PoolTaskError {
  if (error instanceof TaskFailedError && error.remoteType !== null) {
    const record: PoolTaskError = { type: error.remoteType, message: error.message };
    if (error.traceback) record.traceback = error.traceback;
    return record;
  }
  return { type: error.name, message: error.message };
}

/**
 * A pool of worker processes, after multiprocessing.Pool.
 *
 * Task records: `pool.tasks` keeps every unfinished task and the last POOL_FINISHED_TASKS_KEPT
 * (10,000) finished ones; `pool.counts` counts all tasks ever submitted.
 */
export class Pool extends EventEmitter<PoolEvents> {
  readonly name: string;
  readonly mode: PoolMode;
  readonly processes: number;
  readonly daemon: boolean;
  /** null: workers are never recycled. Always 1 in exec mode. */
  readonly maxTasksPerChild: number | null;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;

  #state: PoolState = 'running';
  #queue = new Deque<TaskEntry>();
  #book = new TaskBook(POOL_FINISHED_TASKS_KEPT);
  #counts: PoolCounts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  #nextTaskId = 1;
  #nextWorkerNumber = 1;
  #dispatchScheduled = false;

  // worker mode
  #slots = new Set<WorkerSlot>();
  #inflight = 0;
  /** Moving average of how long a task keeps a worker busy (ms); null until measured. */
  #serviceMs: number | null = null;
  #badEndings = 0;
  /** performance.now() before which no worker is started after bad endings (the backoff). */
  #retryAt = 0;
  /** Set while the pool's workers cannot start or keep dying: queued tasks fail with it at once. */
  #brokenError: Error | null = null;
  #demandWhileBroken = false;
  #respawnTimer: NodeJS.Timeout | null = null;

  // exec mode
  #runs = new Map<Process, ExecRun>();
  #execEntries = new Map<Process, TaskEntry>();

  #terminated: Promise<void> | null = null;
  #joinWaiters: (() => void)[] = [];
  #hooks: WorkerSlotHooks;
  readonly #encoder: Encoder;

  constructor(options: PoolOptions) {
    super();
    validateOptions(options);
    this.mode = options.mode ?? 'worker';
    this.processes = options.processes;
    this.command = options.command;
    this.args = Object.freeze([...(options.args ?? [])]);
    this.name = options.name ?? `Pool-${++poolCounter}`;
    this.daemon = options.daemon ?? true;
    this.maxTasksPerChild = this.mode === 'exec' ? 1 : (options.maxTasksPerChild ?? null);
    this.cwd = options.cwd;
    this.env = options.env ? Object.freeze({ ...options.env }) : undefined;
    this.#encoder = {
      takesChunks: this.mode === 'worker',
      task: (id, args) => this.#encodeTask(id, args),
      chunk: (id, items, star) => this.#encodeChunk(id, items, star),
    };
    this.#hooks = {
      started: (slot) => this.#onSlotStarted(slot),
      startFailed: (slot, error) => this.#onSlotStartFailed(slot, error),
      message: (slot, message) => this.#onMessage(slot, message),
      protocolError: (slot, detail) => this.#onProtocolError(slot, detail),
      drained: () => this.#afterChange(),
      gone: (slot, exitcode) => this.#onSlotGone(slot, exitcode),
    };
    if (this.mode === 'worker') {
      // Workers exist from now on (pool.workers lists them) but start on the next microtask,
      // so that listeners attached right after `new Pool(...)` see their 'worker' events first.
      const slots: WorkerSlot[] = [];
      for (let i = 0; i < this.processes; i += 1) slots.push(this.#createSlot());
      queueMicrotask(() => {
        for (const slot of slots) this.#launchSlot(slot);
      });
    }
  }

  get state(): PoolState {
    return this.#state;
  }

  /**
   * The live worker Processes, each with a pid: worker mode's workers (running or retiring), exec
   * mode's running tasks. A worker is listed once the OS gave it a pid (after its 'worker' event).
   */
  get workers(): Process[] {
    const out: Process[] = [];
    if (this.mode === 'exec') {
      for (const proc of this.#execEntries.keys()) if (proc.isAlive()) out.push(proc);
      return out;
    }
    for (const slot of this.#slots) if (slot.state !== 'gone' && slot.proc.isAlive()) out.push(slot.proc);
    return out;
  }

  /** Every unfinished task and the last 10,000 finished ones, in submission order (snapshots). */
  get tasks(): PoolTask[] {
    return this.#book.list();
  }

  get counts(): PoolCounts {
    return { ...this.#counts };
  }

  // ---- submitting -------------------------------------------------------------------------

  /**
   * Runs one task and resolves to its value (exec mode: `{ exitcode, stdout, stderr }`).
   * `kwargs`: keyword arguments (worker mode; see ApplyAsyncOptions.kwargs).
   */
  apply<T = unknown>(args: unknown[], kwargs?: TaskKwargs): Promise<T> {
    let promise: Promise<T>;
    try {
      const submit = this.#prepareTask(args, kwargs, 'apply');
      promise = new Promise<T>((resolve, reject) => {
        submit({ settle: (_entry, ok, value) => (ok ? resolve(value as T) : reject(value)) });
      });
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.catch(noop);
    return promise;
  }

  /**
   * Submits one task; returns its AsyncResult at once. Throws when the pool is not running.
   * `onResult`/`onError` have run by the time `get()` or `wait()` on the result resolves.
   */
  applyAsync<T = unknown>(args: unknown[], options: ApplyAsyncOptions<T> = {}): AsyncResult<T> {
    const submit = this.#prepareTask(args, options?.kwargs, 'applyAsync');
    const id = this.#nextTaskId;
    return new AsyncResult<T>((settle) => submit({ settle: (_entry, ok, value) => settle(ok, value) }), options, `task ${id} of ${this.name}`);
  }

  /** Runs the task once per item (with args `[item]`) and resolves to the values in input order. */
  map<T = unknown>(items: Iterable<unknown> | AsyncIterable<unknown>, options?: MapOptions): Promise<T[]> {
    return this.#mapPromise<T>(items, false, 'map', options);
  }

  /** Like map, with each item being the task's argument list. */
  starmap<T = unknown>(argLists: Iterable<unknown[]> | AsyncIterable<unknown[]>, options?: MapOptions): Promise<T[]> {
    return this.#mapPromise<T>(argLists, true, 'starmap', options);
  }

  /** map_async: an AsyncResult of the whole list. Throws when the pool is not running. */
  mapAsync<T = unknown>(items: Iterable<unknown>, options?: MapOptions, callbacks: AsyncResultCallbacks<T[]> = {}): AsyncResult<T[]> {
    return this.#mapAsyncResult<T>(this.#plan(this.#callItems(items, false, 'mapAsync'), options), callbacks);
  }

  /** starmap_async. Throws when the pool is not running. */
  starmapAsync<T = unknown>(argLists: Iterable<unknown[]>, options?: MapOptions, callbacks: AsyncResultCallbacks<T[]> = {}): AsyncResult<T[]> {
    return this.#mapAsyncResult<T>(this.#plan(this.#callItems(argLists, true, 'starmapAsync'), options), callbacks);
  }

  /**
   * Yields the values in input order; a failed task throws at its turn. The input (an iterable or
   * an async iterable, possibly endless) is read lazily: at most `itemsAhead(processes, chunksize)`
   * items are submitted ahead of the values read. An input that throws ends the results with that
   * error, after the values of the items read before it.
   */
  imap<T = unknown>(items: Iterable<unknown> | AsyncIterable<unknown>, options?: MapOptions): AsyncGenerator<T, void, undefined> {
    return this.#iterate<T>(items, 'imap', options, true);
  }

  /** Like imap, yielding the values as they come. A failed task throws when it comes. */
  imapUnordered<T = unknown>(items: Iterable<unknown> | AsyncIterable<unknown>, options?: MapOptions): AsyncGenerator<T, void, undefined> {
    return this.#iterate<T>(items, 'imapUnordered', options, false);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** No more tasks: the queued ones still run, then the workers are told to exit. */
  close(): void {
    if (this.#state !== 'running') return;
    this.#setState('closed');
    this.#afterChange();
  }

  /**
   * Cancels every unfinished task (TaskCancelledError) and stops the workers with the termination
   * ladder. Resolves once they have exited; never rejects; calling it again is harmless.
   */
  terminate(): Promise<void> {
    if (this.#terminated) return this.#terminated;
    if (this.#state === 'joined') return Promise.resolve();
    this.#setState('terminating');
    this.#clearRespawn();
    for (const entry of this.#queue.drain()) this.#cancel(entry);
    const stops: Promise<void>[] = [];
    for (const slot of this.#slots) {
      for (const entry of slot.inflight.drain()) this.#cancel(entry);
      slot.dismissed = true;
      stops.push(slot.stop(STOP_GRACE_MS));
    }
    this.#inflight = 0;
    for (const run of this.#runs.values()) stops.push(run.stop(STOP_GRACE_MS));
    // Exec tasks are cancelled after their process is told to stop, so that their outcome is ignored.
    for (const entry of this.#execEntries.values()) this.#cancel(entry);
    this.#terminated = Promise.allSettled(stops).then(() => {
      this.#slots.clear();
      this.#runs.clear();
      this.#setState('terminated');
      this.#checkJoined();
    });
    return this.#terminated;
  }

  /**
   * `await using pool = new Pool(…)`: leaving the block terminates the pool and waits for its
   * workers, as leaving Python's `with Pool() as p:` does.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** Waits for the workers to exit. Rejects when the pool was neither closed nor terminated. */
  join(): Promise<void> {
    if (this.#state === 'running') {
      return Promise.reject(new Error(`${this.name}: Pool is still running; call close() or terminate() before join()`));
    }
    if (this.#state === 'joined') return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#joinWaiters.push(resolve);
      this.#checkJoined();
    });
  }

  // ---- internals: submission ------------------------------------------------------------------

  #checkRunning(): void {
    if (this.#state !== 'running') {
      throw new Error(`${this.name}: Pool not running (it is ${this.#state}); tasks can only be submitted before close() or terminate()`);
    }
  }

  /** Checks and encodes a single task at once (so that a bad one throws now); returns what submits it. */
  #prepareTask(args: unknown[], kwargs: unknown, method: string): (sink: TaskSink) => void {
    this.#checkRunning();
    checkTaskArgs(args, `${method}(args): args`);
    checkKwargs(kwargs, `${method}: kwargs`, this.mode);
    const line = this.#encodeTask(this.#nextTaskId, args, kwargs);
    return (sink) => {
      const entry = this.#submit(args, line, sink, 0);
      if (kwargs !== undefined && Object.keys(kwargs).length > 0) entry.kwargs = kwargs;
    };
  }

  #encodeTask(id: number, args: unknown[], kwargs?: TaskKwargs): string {
    if (this.mode !== 'worker') return '';
    try {
      return encodeTask(id, args, kwargs);
    } catch (error) {
      throw new TypeError(`${this.name}: ${(error as Error).message}`);
    }
  }

  #encodeChunk(id: number, items: unknown[], star: boolean): string {
    let json: string;
    try {
      json = argumentsJson(items);
    } catch (error) {
      throw new TypeError(`${this.name}: ${(error as Error).message}`);
    }
    return encodeBatch(id, json, star);
  }

  #callItems(items: Iterable<unknown>, star: boolean, method: string): CallItems {
    this.#checkRunning();
    checkIterable(items, star, method, false);
    return callItems(items, star, method);
  }

  /** A map-family call (Python's default chunksize), encoded before anything is submitted. */
  #plan(items: CallItems, options: MapOptions | undefined): Plan {
    const size = chunkSize(checkChunksize(options), items.list.length, this.processes, this.maxTasksPerChild, this.#encoder.takesChunks);
    return planCall(items, size, this.#nextTaskId, this.#encoder);
  }

  /** Submits a plan's tasks or chunks. */
  #submitPlan(plan: Plan, sink: TaskSink): void {
    const { chunks, lines } = plan;
    if (chunks === null) {
      const argLists = plan.list as unknown[][];
      for (let i = 0; i < argLists.length; i += 1) this.#submit(argLists[i], lines[i], sink, i);
      return;
    }
    for (let k = 0; k < chunks.length; k += 1) this.#submit(chunks[k], lines[k], sink, k * plan.size, chunks[k].length, true, plan.star);
  }

  #mapPromise<T>(items: Iterable<unknown> | AsyncIterable<unknown>, star: boolean, method: string, options: MapOptions | undefined): Promise<T[]> {
    let promise: Promise<T[]>;
    try {
      this.#checkRunning();
      checkIterable(items, star, method, true);
      checkChunksize(options);
      const run = (plan: Plan): Promise<T[]> =>
        new Promise<T[]>((resolve, reject) => {
          const sink = new MapSink(plan.list.length, (ok, value) => (ok ? resolve(value as T[]) : reject(value)));
          this.#submitPlan(plan, sink);
        });
      if (isAsyncOnly(items)) {
        // Read to the end first: the pool must still be running then, and the ids are taken only now.
        promise = callItemsAsync(items, star, method).then((list) => {
          this.#checkRunning();
          return run(this.#plan(list, options));
        });
      } else {
        promise = run(this.#plan(callItems(items, star, method), options));
      }
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.catch(noop);
    return promise;
  }

  #mapAsyncResult<T>(plan: Plan, callbacks: AsyncResultCallbacks<T[]>): AsyncResult<T[]> {
    const first = this.#nextTaskId;
    return new AsyncResult<T[]>(
      (settle: SettleAsyncResult) => {
        const sink = new MapSink(plan.list.length, settle);
        this.#submitPlan(plan, sink);
      },
      callbacks,
      `tasks ${first}–${first + plan.list.length - 1} of ${this.name}`,
    );
  }

  #iterate<T>(items: Iterable<unknown> | AsyncIterable<unknown>, method: string, options: MapOptions | undefined, ordered: boolean): AsyncGenerator<T, void, undefined> {
    this.#checkRunning();
    checkIterable(items, false, method, true);
    const size = chunkSize(checkChunksize(options), null, this.processes, this.maxTasksPerChild, this.#encoder.takesChunks);
    const sink = new IterSink(ordered, itemsAhead(this.processes, size));
    // Starts now, as Python's imap does: the first tasks run before the caller reads.
    void feed(items, false, size, method, sink, (group, index) => {
      this.#checkRunning();
      const id = this.#nextTaskId;
      if (size === 1) this.#submit([group[0]], this.#encodeTask(id, [group[0]]), sink, index);
      else this.#submit(group, this.#encodeChunk(id, group, false), sink, index, group.length, true, false);
    });
    return (async function* results(): AsyncGenerator<T, void, undefined> {
      try {
        for (;;) {
          const next = await sink.next();
          if (next.done) {
            if (next.error !== null) throw next.error.error;
            return;
          }
          if (!next.outcome.ok) throw next.outcome.value;
          yield next.outcome.value as T;
        }
      } finally {
        sink.abandon();
      }
    })();
  }

  /** Queues a task, or a chunk of `count` items (ids id … id + count - 1) when `chunked`. */
  #submit(args: unknown[], line: string, sink: TaskSink, index: number, count = 1, chunked = false, star = true): TaskEntry {
    const entry = new TaskEntry(this.#nextTaskId, args, Date.now(), line, sink, index, count, chunked, star);
    this.#nextTaskId += count;
    this.#book.add(entry);
    this.#counts.queued += count;
    this.#queue.push(entry);
    this.#emitTask(entry);
    if (this.#brokenError) this.#demandWhileBroken = true;
    if (!this.#dispatchScheduled) {
      this.#dispatchScheduled = true;
      queueMicrotask(() => {
        this.#dispatchScheduled = false;
        this.#afterChange();
      });
    }
    return entry;
  }

  // ---- internals: task states -----------------------------------------------------------------

  /**
   * Emits without letting a throwing listener break the pool's bookkeeping: the error is rethrown
   * on the next tick, where it surfaces as an uncaught exception, as a listener bug should.
   */
  #emitSafely<K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: PoolEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
  }

  #emitTask(entry: TaskEntry): void {
    if (this.listenerCount('task') > 0) this.#emitSafely('task', entry.snapshot());
  }

  #markRunning(entry: TaskEntry, pid: number | null, workerName: string, emit = true): void {
    if (entry.state !== 'queued') return;
    entry.state = 'running';
    entry.workerPid = pid;
    entry.workerName = workerName;
    entry.startedAt = Date.now();
    this.#counts.queued -= entry.count;
    this.#counts.running += entry.count;
    if (emit) this.#emitTask(entry);
  }

  /** Puts `entry` in its final state, settles its promise, and emits. */
  #finish(
    entry: TaskEntry,
    ok: boolean,
    valueOrError: unknown,
    final: 'done' | 'failed' | 'cancelled' = ok ? 'done' : 'failed',
    recordedValue: unknown = valueOrError,
  ): void {
    if (entry.finished) return;
    if (entry.state === 'queued') this.#counts.queued -= entry.count;
    else this.#counts.running -= entry.count;
    this.#counts[final] += entry.count;
    entry.state = final;
    entry.endedAt = Date.now();
    if (ok) entry.value = recordedValue;
    else entry.error = errorRecord(valueOrError as Error);
    entry.line = '';
    if (entry.batch !== null) {
      entry.batch.lineValues = null;
      entry.batch.lineAnswered = null;
    }
    this.#book.finished(entry);
    this.#emitTask(entry);
    const sink = entry.sink;
    entry.sink = null;
    sink?.settle(entry, ok, valueOrError);
  }

  #cancel(entry: TaskEntry): void {
    this.#finish(entry, false, new TaskCancelledError(`${this.name} was terminated before ${entry.label} finished`), 'cancelled');
  }

  #setState(state: PoolState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emitSafely('state', state);
  }

  get #active(): boolean {
    return this.#state === 'running' || this.#state === 'closed';
  }

  /** After anything changed: hand out tasks, wind down a closed pool, settle join(). */
  #afterChange(): void {
    if (!this.#active) return;
    if (this.mode === 'worker') this.#dispatchToWorkers();
    else this.#dispatchExec();
    if (this.#state === 'closed' && this.#queue.length === 0 && this.mode === 'worker') {
      this.#clearRespawn();
      for (const slot of this.#slots) {
        if (!slot.launched) this.#discardSlot(slot);
        else if ((slot.state === 'up' || slot.state === 'starting') && slot.inflight.size === 0) {
          slot.dismissed = true;
          slot.retire();
        }
      }
    }
    this.#checkJoined();
  }

  #checkJoined(): void {
    if (this.#joinWaiters.length === 0) return;
    const finished =
      this.#state === 'terminated' ||
      (this.#state === 'closed' && this.#slots.size === 0 && this.#runs.size === 0 && this.#queue.length === 0 && this.#respawnTimer === null);
    if (!finished) return;
    this.#setState('joined');
    const waiters = this.#joinWaiters;
    this.#joinWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- internals: worker mode -----------------------------------------------------------------

  #createSlot(): WorkerSlot {
    const proc = new Process({
      command: this.command,
      args: [...this.args],
      name: `${this.name}-Worker-${this.#nextWorkerNumber++}`,
      daemon: this.daemon,
      cwd: this.cwd,
      env: this.env ? { ...this.env } : undefined,
      channel: true,
    });
    const slot = new WorkerSlot(proc, this.#hooks);
    this.#slots.add(slot);
    return slot;
  }

  #launchSlot(slot: WorkerSlot): void {
    if (slot.state !== 'starting') return;
    if (!this.#active || (this.#state === 'closed' && this.#queue.length === 0)) {
      this.#discardSlot(slot);
      return;
    }
    this.#emitSafely('worker', slot.proc);
    slot.start();
  }

  /** A worker closed or terminated before it was started: it never starts. */
  #discardSlot(slot: WorkerSlot): void {
    slot.dismissed = true;
    void slot.stop(0);
    this.#slots.delete(slot);
  }

  #spawnWorker(): void {
    this.#launchSlot(this.#createSlot());
  }

  /**
   * Keeps `processes` workers alive while there is (or may be) work, with backoff after bad endings.
   * While the breaker is tripped, starts one worker at a time, and only when tasks come.
   */
  #maintain(): void {
    if (this.mode !== 'worker' || !this.#active || this.#respawnTimer) return;
    const wanted = this.#state === 'running' || this.#queue.length > 0 ? this.processes : 0;
    let missing = wanted - this.#slots.size;
    if (missing <= 0) return;
    if (this.#brokenError && !this.#demandWhileBroken) return; // respawn when tasks come again
    const delay = this.#retryAt - performance.now();
    if (this.#badEndings === 0 || delay <= 0) {
      if (this.#brokenError) {
        this.#demandWhileBroken = false;
        missing = 1;
      }
      while (missing-- > 0) this.#spawnWorker();
      return;
    }
    this.#respawnTimer = setTimeout(() => {
      this.#respawnTimer = null;
      if (!this.#active) return;
      this.#maintain();
      this.#afterChange();
      this.#checkJoined();
    }, delay);
  }

  #clearRespawn(): void {
    if (this.#respawnTimer) clearTimeout(this.#respawnTimer);
    this.#respawnTimer = null;
  }

  #depth(): number {
    const service = this.#serviceMs;
    if (service === null) return INITIAL_PIPELINE_DEPTH;
    return Math.max(1, Math.min(MAX_PIPELINE_DEPTH, Math.ceil(PIPELINE_TARGET_MS / Math.max(service, 0.001))));
  }

  /**
   * Hands queued tasks to workers: round-robin, each up to its pipelining allowance, one write per
   * worker per round. The allowance is the adaptive depth (two for chunks), capped by a fair share
   * of the work so that a few tasks spread over all workers, and by maxTasksPerChild. A chunk goes
   * as one `batch` message to a worker that opted in, as per-item lines to one that did not, and
   * waits for a worker that has not said which yet (see BATCH_READY_GRACE_MS).
   */
  #dispatchToWorkers(): void {
    if (this.#queue.length === 0) return;
    const up: WorkerSlot[] = [];
    let live = 0;
    for (const slot of this.#slots) {
      if (slot.state === 'up') up.push(slot);
      if (slot.state === 'up' || slot.state === 'starting') live += 1;
    }
    if (up.length === 0) {
      this.#maintain();
      const broken = this.#brokenError;
      if (broken && !this.#anyWorkerStarting()) for (const entry of this.#queue.drain()) this.#finish(entry, false, broken);
      return;
    }
    const fair = Math.ceil((this.#queue.length + this.#inflight) / live);
    const chunked = this.#queue.peek()!.chunked;
    const cap = Math.min(chunked ? CHUNK_PIPELINE_DEPTH : this.#depth(), fair);
    // Refill a worker once it is down to half its allowance, so that refills go out in batches
    // (one write for many tasks) rather than one write per answer.
    const lowWater = cap >> 1;
    const allowance = up.map((slot) => (slot.inflight.size > lowWater ? 0 : cap - slot.inflight.size));
    const limit = this.maxTasksPerChild ?? Infinity;
    const batches: string[][] = up.map(() => []);
    const now = performance.now();
    let progress = true;
    while (progress && this.#queue.length > 0) {
      progress = false;
      for (let i = 0; i < up.length && this.#queue.length > 0; i += 1) {
        const slot = up[i];
        // maxTasksPerChild counts items; a chunk is not split, so it may take a worker past the limit.
        if (allowance[i] <= 0 || slot.assigned >= limit) continue;
        const next = this.#queue.peek()!;
        if (next.chunked && slot.batch === null) continue;
        allowance[i] -= 1;
        progress = true;
        const entry = this.#queue.shift()!;
        entry.sentAt = now;
        slot.inflight.push(entry);
        slot.assigned += entry.count;
        this.#inflight += 1;
        if (slot.inflight.size === 1) this.#markRunning(entry, slot.proc.pid, slot.proc.name);
        const chunk = entry.batch;
        if (chunk === null) {
          batches[i].push(entry.line);
        } else if (slot.batch) {
          chunk.sentAsBatch = true;
          batches[i].push(entry.line);
        } else {
          chunk.lineValues = new Array(entry.count);
          chunk.lineAnswered = new Uint8Array(entry.count);
          batches[i].push(entry.itemLines(encodeTask));
        }
      }
    }
    for (let i = 0; i < up.length; i += 1) {
      const batch = batches[i];
      if (batch.length > 0) up[i].send(batch.length === 1 ? batch[0] : batch.join(''));
    }
  }

  #onSlotStarted(slot: WorkerSlot): void {
    slot.after(BATCH_READY_GRACE_MS, () => {
      if (slot.batch !== null) return;
      slot.batch = false;
      this.#afterChange();
    });
    if (this.#brokenError instanceof ProcessStartError) {
      // The program starts again: bring the pool back to full strength.
      this.#brokenError = null;
      this.#maintain();
    }
    if (this.#state === 'closed' && this.#queue.length === 0) {
      slot.dismissed = true;
      slot.retire();
      return;
    }
    this.#afterChange();
  }

  #onSlotStartFailed(slot: WorkerSlot, error: Error): void {
    this.#slots.delete(slot);
    if (!this.#active) return;
    // A program that cannot start trips the breaker at once: its error names the cause.
    this.#noteBadEnding(error, true);
    this.#afterChange();
    this.#maintain();
  }

  /** A worker started and spoke: the bad endings in a row are over; bring the pool back to full strength. */
  #workerSpoke(): void {
    this.#badEndings = 0;
    if (this.#brokenError !== null && !(this.#brokenError instanceof ProcessStartError)) {
      this.#brokenError = null;
      this.#maintain();
    }
  }

  #anyWorkerStarting(): boolean {
    for (const slot of this.#slots) if (slot.state === 'starting' || slot.state === 'up') return true;
    return false;
  }

  #onMessage(slot: WorkerSlot, message: WorkerToMainMessage): void {
    if (!this.#active) return;
    if (message.type === 'ready') {
      slot.ready = true;
      slot.batch = message.batch === true;
      if (this.#badEndings !== 0 || this.#brokenError !== null) this.#workerSpoke();
      return;
    }
    // A worker that answers before saying ready never will: it takes no batches.
    if (slot.batch === null) slot.batch = false;
    const id = message.id;
    const head = slot.head;
    if (message.type === 'result') {
      if (head !== undefined && head.id === id && !head.chunked) {
        slot.inflight.take(id);
        this.#answered(slot, head, true, message.ok, message.ok ? message.value : this.#taskError(message.error));
        return;
      }
      const holder = slot.inflight.find(id);
      if (holder === undefined || holder.batch?.sentAsBatch === true) {
        this.#onProtocolError(slot, `a result for task id ${id}, which this worker was not given (or already answered)`);
        return;
      }
      if (holder.chunked) {
        this.#onItemLine(slot, holder, id - holder.id, message);
        return;
      }
      slot.inflight.take(id);
      this.#answered(slot, holder, holder === head, message.ok, message.ok ? message.value : this.#taskError(message.error));
      return;
    }
    // batch_result
    const entry = head !== undefined && head.id === id ? head : slot.inflight.find(id);
    if (entry === undefined || entry.id !== id || entry.batch?.sentAsBatch !== true) {
      this.#onProtocolError(slot, `a batch result for id ${id}, which this worker was not given as a batch (or already answered)`);
      return;
    }
    if (message.ok && message.values.length !== entry.count) {
      this.#onProtocolError(slot, `a batch result for id ${id} with ${message.values.length} values for ${entry.count} items`);
      return;
    }
    if (!message.ok && message.index >= entry.count) {
      this.#onProtocolError(slot, `a batch result for id ${id} naming item ${message.index} of ${entry.count}`);
      return;
    }
    slot.inflight.take(id);
    if (message.ok) {
      this.#answered(slot, entry, entry === head, true, message.values);
    } else {
      entry.batch!.failedItem = message.index;
      this.#answered(slot, entry, entry === head, false, this.#taskError(message.error));
    }
  }

  #taskError(error: WorkerErrorInfo): TaskFailedError {
    const { type, message: text, traceback } = error;
    return new TaskFailedError(text === '' ? type : text, { remoteType: type, traceback: traceback ?? null });
  }

  /** One per-item answer for a chunk sent as lines; the chunk ends once all its items answered. */
  #onItemLine(slot: WorkerSlot, entry: TaskEntry, item: number, message: Extract<WorkerToMainMessage, { type: 'result' }>): void {
    const chunk = entry.batch!;
    const answered = chunk.lineAnswered!;
    if (answered[item] === 1) {
      this.#onProtocolError(slot, `a result for task id ${message.id}, which this worker was not given (or already answered)`);
      return;
    }
    answered[item] = 1;
    chunk.lineCount += 1;
    slot.answeredAny = true;
    if (message.ok) chunk.lineValues![item] = message.value;
    else if (chunk.lineFailure === null || item < chunk.lineFailure.index) chunk.lineFailure = { index: item, error: this.#taskError(message.error) };
    if (chunk.lineCount < entry.count) return;
    const wasHead = slot.head === entry;
    slot.inflight.take(entry.id);
    const failure = chunk.lineFailure;
    if (failure === null) {
      this.#answered(slot, entry, wasHead, true, chunk.lineValues);
    } else {
      chunk.failedItem = failure.index;
      this.#answered(slot, entry, wasHead, false, failure.error);
    }
  }

  /** A task or chunk was answered (and taken from the worker's list): record it, settle it, go on. */
  #answered(slot: WorkerSlot, entry: TaskEntry, wasHead: boolean, ok: boolean, valueOrError: unknown): void {
    this.#inflight -= 1;
    const now = performance.now();
    // Per item, so that the pipelining depth of single tasks stays right after a chunked map.
    const sample = (now - Math.max(slot.lastAnswerAt, entry.sentAt)) / entry.count;
    this.#serviceMs = this.#serviceMs === null ? sample : this.#serviceMs * 0.8 + sample * 0.2;
    slot.lastAnswerAt = now;
    slot.answeredAny = true;
    if (this.#badEndings !== 0 || this.#brokenError !== null) this.#workerSpoke();
    // An answer out of order: the worker ran it without us knowing; it is done all the same.
    if (entry.state === 'queued') this.#markRunning(entry, slot.proc.pid, slot.proc.name, false);
    this.#finish(entry, ok, valueOrError);
    if (wasHead) {
      const next = slot.head;
      if (next) this.#markRunning(next, slot.proc.pid, slot.proc.name);
    }
    if (this.maxTasksPerChild !== null && slot.assigned >= this.maxTasksPerChild && slot.inflight.size === 0 && slot.state === 'up') {
      slot.dismissed = true;
      slot.retire();
    }
  }

  /** Fails the task the worker was running, puts the others it held back in front of the queue. */
  #releaseTasks(slot: WorkerSlot, error: Error): void {
    const held = slot.inflight.drain();
    this.#inflight -= held.length;
    if (held.length === 0) return;
    const [running, ...rest] = held;
    for (let i = rest.length - 1; i >= 0; i -= 1) {
      rest[i].resetDispatch();
      this.#queue.unshift(rest[i]);
    }
    this.#finish(running, false, error);
  }

  #onProtocolError(slot: WorkerSlot, detail: string): void {
    if (!this.#active || slot.state === 'stopping' || slot.state === 'gone') return;
    const pid = slot.proc.pid;
    const error = new WorkerLostError(
      `${slot.proc.name} (pid ${pid}) broke the worker protocol (protocol error: ${detail}); it was stopped and will be replaced`,
      pid,
      null,
    );
    // It started and wrote a line: not a failed start, so it does not count toward the breaker.
    slot.dismissed = true;
    this.#releaseTasks(slot, error);
    void slot.stop(1000);
  }

  /** A worker failed to start: back off, and trip the breaker (with `cause`) after BROKEN_AFTER in a row. */
  #noteBadEnding(cause: Error, tripNow = false): void {
    this.#badEndings += 1;
    this.#retryAt = performance.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.#badEndings - 1));
    if (tripNow || this.#badEndings >= BROKEN_AFTER) {
      this.#brokenError = cause;
      this.#demandWhileBroken = false;
    }
  }

  #onSlotGone(slot: WorkerSlot, exitcode: number | null): void {
    this.#slots.delete(slot);
    if (!this.#active) return;
    if (!slot.dismissed || slot.inflight.size > 0) {
      const pid = slot.proc.pid;
      const running = slot.head;
      const tail = slot.stderrTail.trim();
      const stderr = tail ? `; its stderr ended with ${quoteExcerpt(tail.slice(-200), 200)}` : '';
      const death = `${slot.proc.name} (pid ${pid}) ${describeExit(exitcode)}`;
      const error = new WorkerLostError(`${death}${running ? ` while running ${running.label}` : ''}${stderr}`, pid, exitcode);
      const quick = performance.now() - slot.startedPerf < FAST_DEATH_MS;
      if (!slot.dismissed && !slot.spoke && quick) {
        // The breaker's error is read by tasks that never ran: it names the death, not a task.
        const cause = new WorkerLostError(
          `${this.name}: ${this.#badEndings + 1} workers in a row ended before saying anything; the last, ${death}${stderr}`,
          pid,
          exitcode,
        );
        this.#noteBadEnding(cause);
      }
      this.#releaseTasks(slot, error);
    }
    this.#maintain();
    this.#afterChange();
  }

  // ---- internals: exec mode -------------------------------------------------------------------

  #dispatchExec(): void {
    while (this.#queue.length > 0 && this.#runs.size < this.processes) {
      this.#startExec(this.#queue.shift()!);
    }
  }

  #startExec(entry: TaskEntry): void {
    const argv = expandTemplate(this.args, entry.args);
    const proc = new Process({
      command: this.command,
      args: argv,
      name: `${this.name}-Worker-${this.#nextWorkerNumber++}`,
      daemon: this.daemon,
      cwd: this.cwd,
      env: this.env ? { ...this.env } : undefined,
    });
    const shown = [this.command, ...argv].join(' ');
    const label = `Task ${entry.id} (${shown.length > 120 ? `${shown.slice(0, 119)}…` : shown})`;
    this.#execEntries.set(proc, entry);
    this.#emitSafely('worker', proc);
    const run = new ExecRun(proc, label, () => this.#markRunning(entry, proc.pid, proc.name));
    this.#runs.set(proc, run);
    void run.outcome.then((outcome: ExecOutcome) => {
      this.#runs.delete(proc);
      this.#execEntries.delete(proc);
      if (outcome.ok) this.#finish(entry, true, outcome.value, 'done', recordedOutput(outcome.value));
      else this.#finish(entry, false, outcome.error);
      this.#afterChange();
    });
  }
}
