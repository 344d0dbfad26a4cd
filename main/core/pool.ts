// Pool: multiprocessing.Pool for programs. Two modes, each a backend (pool-backend.ts):
// - worker: N long-lived workers speaking worker protocol v1 on fd 3 (see docs/worker-protocol.md);
// - exec: each task runs the command once, GNU parallel style, at most N at a time.
// Unlike Python's Pool, a worker that dies fails the task it was running (WorkerLostError) and is
// replaced; the pool never hangs on it.
// This file holds the public API, the task records and the pool's state machine; the backend
// runs the tasks; pool-options, pool-plan and pool-sinks check the calls, cut them into tasks and
// collect their outcomes.

import { EventEmitter } from 'node:events';
import { AsyncResult, type AsyncResultCallbacks, type SettleAsyncResult } from './async-result.js';
import { TaskCancelledError, TaskFailedError } from './errors.js';
import type { PoolBackend, PoolCore } from './pool-backend.js';
import { ExecBackend } from './pool-exec-backend.js';
import { poolTargetLaunch } from './process-target.js';
import { checkChunksize, checkIterable, checkJsonItems, checkJsonValue, checkKwargs, checkTaskArgs, isAsyncOnly, validateOptions, type ApplyAsyncOptions, type MapOptions, type PoolOptions } from './pool-options.js';
import { callItems, callItemsAsync, chunkSize, feed, itemsAhead, planCall, type CallItems, type Plan } from './pool-plan.js';
import { IterSink, MapSink, PromiseSink, SettleSink } from './pool-sinks.js';
import { TaskQueue } from './pool-queue.js';
import { TaskBook, TaskEntry, type PoolCounts, type PoolMode, type PoolState, type PoolTask, type PoolTaskError, type TaskSink } from './pool-task.js';
import { WorkerBackend } from './pool-worker-backend.js';
import type { Process } from './process.js';
import { checkedAuthkey, runAuthkey } from './authkey.js';
import type { ChannelRegistry } from './channel-server.js';
import type { TaskKwargs } from './worker-channel.js';

export type { PoolMode, PoolState, PoolTask, PoolCounts } from './pool-task.js';
export type { PoolOptions, MapOptions, ApplyAsyncOptions } from './pool-options.js';

export interface TasksCancelled {
  count: number;
  firstId: number;
  lastId: number;
}

/** A window of a pool's task records (see Pool.tasksPage). */
export interface PoolTasksPage {
  /** How many records the pool keeps now (every unfinished task, the last 10,000 finished ones). */
  total: number;
  offset: number;
  tasks: PoolTask[];
}

export interface PoolEvents {
  /**
   * A worker Process was created; it is started right after the listeners ran, so its pid is still
   * null here (listen to its 'started' event). `pool.workers` lists it once it has a pid.
   */
  worker: [proc: Process];
  /** A task changed state (a snapshot of its record). Not emitted for queued tasks cancelled by terminate(): see tasksCancelled. */
  task: [task: PoolTask];
  /** submit() queued `count` tasks, ids `firstId` … `firstId + count - 1`: one event for them all, no 'task' event each. */
  tasksQueued: [range: { firstId: number; count: number }];
  /**
   * terminate() cancelled every task still in the queue at once: the `count` tasks with ids
   * `firstId` … `lastId` (every id in between; the queue hands tasks out in id order). Tasks a
   * worker held, or gave back when it died, get their own 'task' event. One event, however many
   * tasks: a million cancellations are not a million events.
   */
  tasksCancelled: [range: TasksCancelled];
  /**
   * The workers keep dying before answering (the breaker tripped) and none is left to try: every
   * queued task failed at once with `error`, as tasksCancelled tells of cancelled ones.
   */
  tasksFailed: [range: TasksCancelled & { error: PoolTaskError }];
  /**
   * Worker mode: the workers keep ending before they answer any task, so the pool stopped starting
   * them (with the error that says how the last one ended), or a worker answered again (null).
   */
  broken: [error: Error | null];
  state: [state: PoolState];
}

/** How many finished task records a pool keeps (all unfinished ones are always kept). */
export const POOL_FINISHED_TASKS_KEPT = 10_000;

let poolCounter = 0;
const noop = (): void => {};

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
  /** The function the workers serve (`tasks.py:square`), or null for a worker program; `command` and `args` then run the helper. */
  readonly target: string | null;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  /** Every worker's authkey (POOLDECK_AUTHKEY). */
  readonly authkey: Buffer;
  readonly channelServer: ChannelRegistry | undefined;

  #state: PoolState = 'running';
  #queue: TaskQueue;
  #book = new TaskBook(POOL_FINISHED_TASKS_KEPT);
  #counts: PoolCounts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  #nextTaskId = 1;
  #nextWorkerNumber = 1;
  #dispatchScheduled = false;
  /** While submit() queues its tasks: one 'tasksQueued' event tells about them, not a 'task' event each. */
  #quietSubmissions = false;
  /** imap inputs still being read: a closed pool winds down only after them. */
  #feeds = 0;
  #backend: PoolBackend;
  #terminated: Promise<void> | null = null;
  #brokenError: Error | null = null;
  #joinWaiters: (() => void)[] = [];

  constructor(options: PoolOptions) {
    super();
    validateOptions(options);
    this.mode = options.mode ?? 'worker';
    this.processes = options.processes;
    const launch = options.target === undefined ? { command: options.command!, args: options.args ?? [] } : poolTargetLaunch({ ...options, target: options.target });
    this.target = options.target ?? null;
    this.command = launch.command;
    this.args = Object.freeze([...launch.args]);
    this.name = options.name ?? `Pool-${++poolCounter}`;
    this.daemon = options.daemon ?? true;
    this.maxTasksPerChild = this.mode === 'exec' ? 1 : (options.maxTasksPerChild ?? null);
    this.cwd = options.cwd;
    this.env = options.env ? Object.freeze({ ...options.env }) : undefined;
    this.authkey = options.authkey === undefined ? runAuthkey() : checkedAuthkey(options.authkey, `Pool ${this.name}`);
    this.channelServer = options.channelServer;
    const core = this.#core();
    this.#backend = this.mode === 'exec' ? new ExecBackend(core) : new WorkerBackend(core);
    this.#queue = new TaskQueue(this.#backend.encoder.decode, (entry) => this.#book.add(entry));
  }

  get state(): PoolState {
    return this.#state;
  }

  /** Worker mode: while the workers keep ending before they answer any task, the error of the last ending; else null. */
  get brokenError(): Error | null {
    return this.#brokenError;
  }

  /**
   * The live worker Processes, each with a pid: worker mode's workers (running or retiring), exec
   * mode's running tasks. A worker is listed once the OS gave it a pid (after its 'worker' event).
   */
  get workers(): Process[] {
    return this.#backend.workers();
  }

  /**
   * Every unfinished task and the last 10,000 finished ones, in submission order (snapshots). Builds
   * a record per task, queued ones included: with many tasks queued, read tasksPage instead.
   */
  get tasks(): PoolTask[] {
    return this.tasksPage(0, Infinity).tasks;
  }

  /**
   * The records of `pool.tasks` from `offset`, at most `limit` of them, and how many there are in
   * all; only the records in the window are built (queued tasks are kept as their encoded lines).
   * Costs O(offset + limit) plus the kept records of tasks that left the queue (at most 10,000
   * finished ones and those the workers hold).
   */
  tasksPage(offset: number, limit: number): PoolTasksPage {
    if (!Number.isInteger(offset) || offset < 0) throw new TypeError(`tasksPage: offset must be a non-negative integer (got ${String(offset)})`);
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
      throw new TypeError(`tasksPage: limit must be a non-negative integer or Infinity (got ${String(limit)})`);
    }
    const kept = this.#book.list().sort((a, b) => a.id - b.id);
    const { total, tasks } = this.#queue.page(kept, offset, limit);
    return { total, offset, tasks };
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
      const line = this.#encodeTask(args, kwargs, 'apply(args): args', 'apply: kwargs');
      promise = new Promise<T>((resolve, reject) => this.#submit(args, line, new PromiseSink(resolve, reject), 0, 1, false, true, kwargs));
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
    const kwargs = options?.kwargs;
    const line = this.#encodeTask(args, kwargs, 'applyAsync(args): args', 'applyAsync: kwargs');
    const id = this.#nextTaskId;
    return new AsyncResult<T>((settle) => this.#submit(args, line, new SettleSink(settle), 0, 1, false, true, kwargs), options, `task ${id} of ${this.name}`);
  }

  /**
   * Queues one task per argument list, with no promise: their outcomes are read from the records
   * (tasksPage, 'task' events) and counts. The leanest way to queue many tasks: a queued task costs
   * its encoded line and a few numbers, and one 'tasksQueued' event tells about them all (each
   * gets 'task' events from when it runs). Returns the id of the first task and how many were queued.
   * Throws (queuing none) when the pool is not running or an argument list cannot be sent.
   */
  submit(argLists: unknown[][]): { firstId: number; count: number } {
    this.#checkRunning();
    if (!Array.isArray(argLists)) throw new TypeError(`submit(argLists): argLists must be an array of argument lists (got ${typeof argLists})`);
    const encoder = this.#backend.encoder;
    const firstId = this.#nextTaskId;
    const lines: string[] = new Array(argLists.length);
    for (let i = 0; i < argLists.length; i += 1) checkTaskArgs(argLists[i], `submit(argLists): argLists[${i}]`);
    checkJsonItems(argLists, 'submit(argLists)', true);
    for (let i = 0; i < argLists.length; i += 1) lines[i] = encoder.task(firstId + i, argLists[i]);
    this.#quietSubmissions = true;
    try {
      for (let i = 0; i < argLists.length; i += 1) this.#submit(argLists[i], lines[i], null, i);
    } finally {
      this.#quietSubmissions = false;
    }
    const range = { firstId, count: argLists.length };
    if (range.count > 0) this.#emitSafely('tasksQueued', { ...range });
    return range;
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

  /**
   * No more tasks: the queued ones still run, and so do the rest of an imap's input (read as its
   * results are), then the workers are told to exit.
   */
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
    this.#cancelQueued();
    this.#terminated = this.#backend.terminate().then(() => {
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

  /** Checks and encodes a single task at once (so that a bad one throws now): its line. */
  #encodeTask(args: unknown[], kwargs: unknown, argsWhat: string, kwargsWhat: string): string {
    this.#checkRunning();
    checkTaskArgs(args, argsWhat);
    checkKwargs(kwargs, kwargsWhat, this.mode);
    checkJsonValue(args, argsWhat);
    if (kwargs !== undefined) checkJsonValue(kwargs, kwargsWhat);
    return this.#backend.encoder.task(this.#nextTaskId, args, kwargs);
  }

  #callItems(items: Iterable<unknown>, star: boolean, method: string): CallItems {
    this.#checkRunning();
    checkIterable(items, star, method, false);
    return callItems(items, star, method);
  }

  /** A map-family call (Python's default chunksize), encoded before anything is submitted. */
  #plan(items: CallItems, options: MapOptions | undefined): Plan {
    const encoder = this.#backend.encoder;
    const size = chunkSize(checkChunksize(options), items.list.length, this.processes, this.maxTasksPerChild, encoder.takesChunks);
    return planCall(items, size, this.#nextTaskId, encoder);
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
    const encoder = this.#backend.encoder;
    const size = chunkSize(checkChunksize(options), null, this.processes, this.maxTasksPerChild, encoder.takesChunks);
    const sink = new IterSink(ordered, itemsAhead(this.processes, size));
    // Starts now, as Python's imap does: the first tasks run before the caller reads. It may go on
    // submitting after close(), as Python's imap (which submits everything at once) does in effect.
    this.#feeds += 1;
    const fed = feed(items, false, size, method, sink, (group, index) => {
      if (!this.#active) this.#checkRunning();
      const id = this.#nextTaskId;
      if (size === 1) this.#submit([group[0]], encoder.task(id, [group[0]]), sink, index);
      else this.#submit(group, encoder.chunk(id, group, false), sink, index, group.length, true, false);
    });
    void fed.then(() => {
      this.#feeds -= 1;
      this.#afterChange();
    });
    return (async function* results(): AsyncGenerator<T, void, undefined> {
      try {
        for (;;) {
          const outcome = sink.take();
          if (outcome !== undefined) {
            if (!outcome.ok) throw outcome.value;
            yield outcome.value as T;
            continue;
          }
          const ended = sink.ended;
          if (ended !== undefined) {
            if (ended.error !== null) throw ended.error.error;
            return;
          }
          await sink.waitForMore();
        }
      } finally {
        sink.abandon();
      }
    })();
  }

  /**
   * Queues a task, or a chunk of `count` items (ids id … id + count - 1) when `chunked`. A single
   * task is queued as its line alone (`args` and `kwargs` only feed its 'task' event).
   */
  #submit(args: unknown[], line: string, sink: TaskSink | null, index: number, count = 1, chunked = false, star = true, kwargs?: TaskKwargs): void {
    const id = this.#nextTaskId;
    const queuedAt = Date.now();
    this.#nextTaskId += count;
    this.#counts.queued += count;
    if (chunked) {
      const entry = new TaskEntry(id, args, queuedAt, line, sink, index, count, true, star);
      this.#queue.pushEntry(entry);
      this.#emitTask(entry);
    } else {
      this.#queue.push(id, line, sink, index, queuedAt);
      if (!this.#quietSubmissions && this.listenerCount('task') > 0) {
        const task: PoolTask = { id, args, state: 'queued', workerPid: null, workerName: null, queuedAt, startedAt: null, endedAt: null };
        if (kwargs !== undefined && Object.keys(kwargs).length > 0) task.kwargs = kwargs;
        this.#emitSafely('task', task);
      }
    }
    this.#backend.submitted();
    if (!this.#dispatchScheduled) {
      this.#dispatchScheduled = true;
      queueMicrotask(() => {
        this.#dispatchScheduled = false;
        this.#afterChange();
      });
    }
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
    emit = true,
  ): void {
    if (entry.finished) return;
    if (entry.state === 'queued') this.#counts.queued -= entry.count;
    else this.#counts.running -= entry.count;
    this.#counts[final] += entry.count;
    entry.state = final;
    entry.endedAt = Date.now();
    if (ok) entry.value = recordedValue;
    else entry.error = errorRecord(valueOrError as Error);
    if (!entry.argsInLine) entry.line = '';
    if (entry.batch !== null) {
      entry.batch.lineValues = null;
      entry.batch.lineAnswered = null;
    }
    this.#book.finished(entry);
    if (emit) this.#emitTask(entry);
    const sink = entry.sink;
    entry.sink = null;
    sink?.settle(entry, ok, valueOrError);
  }

  #cancel(entry: TaskEntry): void {
    this.#finish(entry, false, this.#cancelledError(entry.label, entry.state === 'queued'), 'cancelled');
  }

  #cancelledError(label: string, queued: boolean): TaskCancelledError {
    return new TaskCancelledError(
      queued ? `${this.name} was terminated while ${label} was still queued (it never ran)` : `${this.name} was terminated while ${label} was running`,
    );
  }

  /**
   * Cancels every queued task in one pass: each one's promise or sink is settled once (those not
   * kept as records share one TaskCancelledError naming them all), the last 10,000 are kept as
   * records with their own error, and one 'tasksCancelled' event tells about them all.
   */
  #cancelQueued(): void {
    for (const entry of this.#queue.drainRetried()) this.#cancel(entry);
    const range = this.#endQueued(
      'cancelled',
      ({ count, firstId, lastId }) =>
        new TaskCancelledError(`${this.name} was terminated while this task was still queued (it never ran); it is one of the ${count} queued tasks (ids ${firstId}–${lastId}) cancelled together`),
      (entry) => this.#cancelledError(entry.label, true),
    );
    if (range !== null) this.#emitSafely('tasksCancelled', range);
  }

  /** The breaker tripped with no worker left to try: every queued task fails with its error, in one pass. */
  #failQueued(error: Error): void {
    for (const entry of this.#queue.drainRetried()) this.#finish(entry, false, error);
    const range = this.#endQueued('failed', () => error, () => error);
    if (range !== null) this.#emitSafely('tasksFailed', { ...range, error: errorRecord(error) });
  }

  /**
   * Ends every task in the ring in one pass (see TaskQueue.endRing): the sinks of those not kept
   * as records get `sharedError`, the kept ones (the last 10,000, and chunks) `entryError` each.
   */
  #endQueued(final: 'cancelled' | 'failed', sharedError: (range: TasksCancelled) => Error, entryError: (entry: TaskEntry) => Error): TasksCancelled | null {
    const chunks: TaskEntry[] = [];
    const kept: TaskEntry[] = [];
    const range = this.#queue.endRing(
      (ids) => sharedError({ count: ids.count, firstId: ids.firstId!, lastId: ids.lastId! }),
      this.#book.finishedLimit,
      (entry) => kept.push(entry),
      (entry) => chunks.push(entry),
    );
    if (range.count === 0) return null;
    const ended = range.count - kept.length - chunks.reduce((sum, entry) => sum + entry.count, 0);
    this.#counts.queued -= ended;
    this.#counts[final] += ended;
    for (const entry of [...chunks, ...kept].sort((a, b) => a.id - b.id)) {
      this.#book.add(entry);
      this.#finish(entry, false, entryError(entry), final, undefined, false);
    }
    return { count: range.count, firstId: range.firstId!, lastId: range.lastId! };
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
    this.#backend.dispatch();
    if (this.#state === 'closed' && this.#queue.length === 0 && this.#feeds === 0) this.#backend.windDown();
    this.#checkJoined();
  }

  #checkJoined(): void {
    if (this.#joinWaiters.length === 0) return;
    const finished =
      this.#state === 'terminated' ||
      (this.#state === 'closed' && this.#queue.length === 0 && this.#feeds === 0 && this.#backend.idle);
    if (!finished) return;
    this.#setState('joined');
    const waiters = this.#joinWaiters;
    this.#joinWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** What the backend sees of the pool. */
  #core(): PoolCore {
    const isActive = (): boolean => this.#active;
    const queue = (): TaskQueue => this.#queue;
    const isWindingDown = (): boolean => this.#state === 'closed' && this.#queue.length === 0 && this.#feeds === 0;
    return {
      name: this.name,
      processes: this.processes,
      maxTasksPerChild: this.maxTasksPerChild,
      command: this.command,
      args: this.args,
      daemon: this.daemon,
      cwd: this.cwd,
      env: this.env,
      authkey: this.authkey,
      channelServer: this.channelServer,
      get queue() {
        return queue();
      },
      get active() {
        return isActive();
      },
      get windingDown() {
        return isWindingDown();
      },
      nextProcessName: () => `${this.name}-Worker-${this.#nextWorkerNumber++}`,
      announce: (proc) => this.#emitSafely('worker', proc),
      markRunning: (entry, pid, processName, emit) => this.#markRunning(entry, pid, processName, emit),
      finish: (entry, ok, valueOrError, recordedValue) => this.#finish(entry, ok, valueOrError, ok ? 'done' : 'failed', recordedValue),
      cancel: (entry) => this.#cancel(entry),
      failQueued: (error) => this.#failQueued(error),
      brokenChanged: (error) => {
        this.#brokenError = error;
        this.#emitSafely('broken', error);
      },
      changed: () => this.#afterChange(),
    };
  }
}
