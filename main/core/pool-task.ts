// A pool's task records: what the supervisor and the UI see of each task, and the bounded book
// that keeps them.

import type { PoolMode, PoolState, TaskCounts, TaskError, TaskState } from '../protocol/vocabulary.js';

// One of each: the engine's words are the protocol's, under the names the core has always used.
export type { PoolMode, PoolState };
export type PoolTaskState = TaskState;
export type PoolTaskError = TaskError;
export type PoolCounts = TaskCounts;

/** One task of a pool, as the supervisor and the UI see it (a snapshot: later changes are new events). */
export interface PoolTask {
  id: number;
  args: unknown[];
  /** The task's keyword arguments, when it was given some (`pool.apply(args, kwargs)`). */
  kwargs?: Record<string, unknown>;
  state: PoolTaskState;
  workerPid: number | null;
  workerName: string | null;
  /** ms since epoch. */
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** The task's value, once done (exec mode: `{ exitcode, stdout, stderr }` with the last 4,096 characters of each stream). */
  value?: unknown;
  /** Why it failed or was cancelled. */
  error?: PoolTaskError;
  /**
   * Set when the record is a chunk of a map-style call run as one unit (see MapOptions.chunksize):
   * it stands for `count` items, task ids `id` … `id + count - 1`, the call's items `index` …
   * `index + count - 1`. `args` is then the list of the items' argument lists (`star`: starmap) or
   * the items themselves (each its task's only argument: map), and `value` the list of their
   * values. `failedItem`: which item (0-based in the chunk) failed, when one did.
   * `pool.tasks` lists such a chunk item by item; only events carry chunks.
   */
  items?: { index: number; count: number; star: boolean; failedItem?: number };
}


/** What a sink learns of a task it settles: where its items go in its call. */
export interface SettledTask {
  readonly index: number;
  readonly count: number;
  readonly chunked: boolean;
}

/** Where a task's outcome goes: a promise, an AsyncResult, a map's result array, an imap iterator. */
export interface TaskSink {
  settle(task: SettledTask, ok: boolean, valueOrError: unknown): void;
  /** True once the sink takes no more outcomes (a failed map): cancelling its tasks then makes no error. */
  readonly done?: boolean;
}

/** A single task's arguments read back from its encoded line (records are built from it on demand). */
export type Decode = (line: string) => { args: unknown[]; kwargs?: Record<string, unknown> };

/** A task inside the pool: its public record plus the pool's bookkeeping. */
export class TaskEntry {
  state: PoolTaskState = 'queued';
  workerPid: number | null = null;
  workerName: string | null = null;
  startedAt: number | null = null;
  endedAt: number | null = null;
  value: unknown = undefined;
  error: PoolTaskError | undefined = undefined;
  /** performance.now() when it was handed to a worker (worker mode). */
  sentAt = 0;
  /** The arguments, once given or read back from the line (a single task keeps only its line). */
  #args: unknown[] | null;
  /**
   * What only a chunk needs (null for a single task): apart, so that the many single-task
   * records stay small.
   */
  readonly batch: ChunkState | null;

  constructor(
    readonly id: number,
    args: unknown[] | null,
    readonly queuedAt: number,
    /**
     * The encoded `task` line (exec mode: the arguments' JSON), or for a chunk its `batch` line; a
     * chunk's is emptied once it ended, a single task's is its record's arguments.
     */
    public line: string,
    public sink: TaskSink | null,
    /** Position of the task (of a chunk's first item) in its map/imap/starmap call (0 for single tasks). */
    readonly index: number,
    /** How many items it stands for: 1, or a chunk's size. Chunks use ids id … id + count - 1. */
    readonly count = 1,
    /** Whether it is a chunk of a map-style call. */
    chunked = false,
    /** For a chunk: `args` holds argument lists (starmap), or items, each its task's only argument (map). */
    star = true,
    /** Reads a single task's arguments from its line (when `args` is null). */
    private readonly decode: Decode | null = null,
  ) {
    this.#args = args;
    this.batch = chunked ? new ChunkState(star) : null;
  }

  get args(): unknown[] {
    return this.#args ?? this.decode!(this.line).args;
  }

  /** Keyword arguments, when the caller gave some (single tasks only). */
  get kwargs(): Record<string, unknown> | undefined {
    return this.#args === null ? this.decode!(this.line).kwargs : undefined;
  }

  /** Whether the line is the only copy of the arguments (then it is kept after the task ended). */
  get argsInLine(): boolean {
    return this.#args === null;
  }

  get chunked(): boolean {
    return this.batch !== null;
  }

  /** The argument list of a chunk's item `i`. */
  itemArgs(i: number): unknown[] {
    const item = this.args[i];
    return this.batch === null || this.batch.star ? (item as unknown[]) : [item];
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'cancelled';
  }

  /** How messages name it: `task 7`, or `tasks 7–9` for a chunk. */
  get label(): string {
    return this.chunked ? `tasks ${this.id}–${this.id + this.count - 1}` : `task ${this.id}`;
  }

  /** A task about to be handed (again) to a worker: forget how it was sent before. */
  resetDispatch(): void {
    this.sentAt = 0;
    this.batch?.reset();
  }

  /** The per-item `task` lines of a chunk, for a worker that did not opt in to batches. */
  itemLines(encode: (id: number, args: unknown[]) => string): string {
    let text = '';
    for (let i = 0; i < this.args.length; i += 1) text += encode(this.id + i, this.itemArgs(i));
    return text;
  }

  snapshot(): PoolTask {
    const decoded = this.#args === null ? this.decode!(this.line) : null;
    const task = this.#record(this.id, decoded === null ? this.#args! : decoded.args);
    if (decoded?.kwargs !== undefined) task.kwargs = decoded.kwargs;
    if (this.state === 'done') task.value = this.value;
    if (this.error) task.error = this.error;
    const batch = this.batch;
    if (batch !== null) {
      task.items = { index: this.index, count: this.count, star: batch.star };
      if (batch.failedItem !== null) task.items.failedItem = batch.failedItem;
    }
    return task;
  }

  /** The fields a task's record and each of a chunk's item records share. */
  #record(id: number, args: unknown[]): PoolTask {
    return {
      id,
      args,
      state: this.state,
      workerPid: this.workerPid,
      workerName: this.workerName,
      queuedAt: this.queuedAt,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
    };
  }

  /** Appends the records of items `from` … count-1 (a chunk's items one by one; a task itself). */
  expand(out: PoolTask[], from = 0): void {
    const batch = this.batch;
    if (batch === null) {
      if (from === 0) out.push(this.snapshot());
      return;
    }
    const failedItem = batch.failedItem;
    const values = this.state === 'done' ? (this.value as unknown[]) : null;
    for (let i = from; i < this.count; i += 1) {
      const task = this.#record(this.id + i, this.itemArgs(i));
      if (values) task.value = values[i];
      if (this.error) {
        task.error =
          failedItem === null || failedItem === i
            ? this.error
            : { type: this.error.type, message: `not completed: item ${failedItem} of the same chunk (task ${this.id + failedItem}) failed` };
      }
      out.push(task);
    }
  }
}

/** A chunk's state beside its record: how it went to its worker, and which item failed. */
export class ChunkState {
  /** Sent as one `batch` message (rather than as per-item `task` lines). */
  sentAsBatch = false;
  /** Sent as per-item lines: the values so far, which items answered, how many did. */
  lineValues: unknown[] | null = null;
  lineAnswered: Uint8Array | null = null;
  lineCount = 0;
  /** Sent as per-item lines: its first failed item (lowest index) and that item's error. */
  lineFailure: { index: number; error: Error } | null = null;
  /** Failed: which of its items failed (null: the chunk as a whole, e.g. its worker died). */
  failedItem: number | null = null;

  constructor(readonly star: boolean) {}

  reset(): void {
    this.sentAsBatch = false;
    this.lineValues = null;
    this.lineAnswered = null;
    this.lineCount = 0;
    this.lineFailure = null;
  }
}

/** A double-ended queue on a growable ring: O(1) at both ends, no shifting of arrays. */
export class Deque<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length += 1;
  }

  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = item;
    this.#length += 1;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length -= 1;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  forEach(visit: (item: T) => void): void {
    const mask = this.#items.length - 1;
    for (let i = 0; i < this.#length; i += 1) visit(this.#items[(this.#head + i) & mask] as T);
  }

  /** Removes and returns every item, front first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  #grow(): void {
    const size = this.#items.length;
    const next: (T | undefined)[] = new Array(size * 2);
    for (let i = 0; i < this.#length; i += 1) next[i] = this.#items[(this.#head + i) & (size - 1)];
    this.#items = next;
    this.#head = 0;
  }
}

/**
 * The tasks a worker holds, oldest first. Workers answer in order, so taking the answered task is
 * O(1) in the usual case; an answer out of order costs a scan of the (short) list.
 */
export class InflightList {
  #items: (TaskEntry | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The oldest task held: the one the worker is running. */
  get first(): TaskEntry | undefined {
    return this.#items[this.#head];
  }

  push(entry: TaskEntry): void {
    this.#items.push(entry);
  }

  /** Removes and returns the task with `id`, or undefined when it is not held. */
  take(id: number): TaskEntry | undefined {
    const items = this.#items;
    const first = items[this.#head];
    if (first !== undefined && first.id === id) {
      items[this.#head] = undefined;
      this.#head += 1;
      if (this.#head === items.length) {
        items.length = 0;
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 > items.length) {
        this.#items = items.slice(this.#head);
        this.#head = 0;
      }
      return first;
    }
    for (let i = this.#head + 1; i < items.length; i += 1) {
      if (items[i]!.id === id) return items.splice(i, 1)[0];
    }
    return undefined;
  }

  /** The held task or chunk whose ids include `id`, without removing it. */
  find(id: number): TaskEntry | undefined {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i += 1) {
      const entry = items[i]!;
      if (id >= entry.id && id < entry.id + entry.count) return entry;
    }
    return undefined;
  }

  /** Removes and returns every task held, oldest first. */
  drain(): TaskEntry[] {
    const out = this.#items.slice(this.#head) as TaskEntry[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}

/**
 * Every unfinished task plus the most recent `finishedLimit` finished ones, in submission order,
 * counted in items (a chunk counts as its items). Older finished tasks are forgotten (their
 * promises and AsyncResults are unaffected). A finished task behind a long-running one is dropped
 * in a compaction once twice the limit is reached. Chunks are kept whole and cut when listed.
 */
export class TaskBook {
  #entries = new Deque<TaskEntry>();
  /** Finished items held, possibly more than the limit by less than one chunk. */
  #finished = 0;
  /**
   * Compact when more finished items than this are held. Raised after a compaction, so that the
   * chunks it had to keep (each holds items among the newest) do not make every call compact.
   */
  #compactAbove: number;

  constructor(readonly finishedLimit: number) {
    this.#compactAbove = finishedLimit * 2;
  }

  add(entry: TaskEntry): void {
    this.#entries.push(entry);
  }

  /** Call once when `entry` reached a final state. */
  finished(entry: TaskEntry): void {
    this.#finished += entry.count;
    if (this.#finished <= this.finishedLimit) return;
    const entries = this.#entries;
    for (
      let front = entries.peek();
      front !== undefined && front.finished && this.#finished - front.count >= this.finishedLimit;
      front = entries.peek()
    ) {
      entries.shift();
      this.#finished -= front.count;
    }
    if (this.#finished <= this.finishedLimit * 2) this.#compactAbove = this.finishedLimit * 2;
    else if (this.#finished > this.#compactAbove) {
      this.#compact();
      this.#compactAbove = Math.max(this.finishedLimit * 2, this.#finished + this.finishedLimit);
    }
  }

  get size(): number {
    return this.#entries.length;
  }

  list(): PoolTask[] {
    const out: PoolTask[] = [];
    let skip = Math.max(0, this.#finished - this.finishedLimit);
    this.#entries.forEach((entry) => {
      if (skip > 0 && entry.finished) {
        const cut = Math.min(skip, entry.count);
        skip -= cut;
        if (cut === entry.count) return;
        entry.expand(out, cut);
        return;
      }
      entry.expand(out);
    });
    return out;
  }

  /** Drops the oldest finished tasks beyond the limit, keeping every unfinished one. */
  #compact(): void {
    let toDrop = this.#finished - this.finishedLimit;
    const kept = new Deque<TaskEntry>();
    this.#entries.forEach((entry) => {
      if (entry.finished && entry.count <= toDrop) {
        toDrop -= entry.count;
        this.#finished -= entry.count;
      } else {
        kept.push(entry);
      }
    });
    this.#entries = kept;
  }
}
