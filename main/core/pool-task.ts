// A pool's task records: what the supervisor and the UI see of each task, and the bounded book
// that keeps them.

export type PoolTaskState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface PoolTaskError {
  type: string;
  message: string;
  traceback?: string;
}

/** One task of a pool, as the supervisor and the UI see it (a snapshot: later changes are new events). */
export interface PoolTask {
  id: number;
  args: unknown[];
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
}

export interface PoolCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** Where a task's outcome goes: a promise, an AsyncResult, a map's result array, an imap iterator. */
export interface TaskSink {
  settle(entry: TaskEntry, ok: boolean, valueOrError: unknown): void;
}

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

  constructor(
    readonly id: number,
    readonly args: unknown[],
    readonly queuedAt: number,
    /** The encoded `task` line (worker mode); emptied once the task ended. */
    public line: string,
    public sink: TaskSink | null,
    /** Position of the task in its map/imap/starmap call (0 for single tasks). */
    readonly index: number,
    /** How many tasks a worker may be handed at a time for this task's call (map's chunksize). */
    readonly chunk: number,
  ) {}

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'cancelled';
  }

  snapshot(): PoolTask {
    const task: PoolTask = {
      id: this.id,
      args: this.args,
      state: this.state,
      workerPid: this.workerPid,
      workerName: this.workerName,
      queuedAt: this.queuedAt,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
    };
    if (this.state === 'done') task.value = this.value;
    if (this.error) task.error = this.error;
    return task;
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

  /** Removes and returns every task held, oldest first. */
  drain(): TaskEntry[] {
    const out = this.#items.slice(this.#head) as TaskEntry[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}

/**
 * Every unfinished task plus the most recent `finishedLimit` finished ones, in submission order.
 * Older finished tasks are forgotten (their promises and AsyncResults are unaffected). A finished
 * task behind a long-running one is dropped in a compaction once twice the limit is reached.
 */
export class TaskBook {
  #entries = new Deque<TaskEntry>();
  #finished = 0;

  constructor(readonly finishedLimit: number) {}

  add(entry: TaskEntry): void {
    this.#entries.push(entry);
  }

  /** Call once when `entry` reached a final state. */
  finished(_entry: TaskEntry): void {
    this.#finished += 1;
    if (this.#finished <= this.finishedLimit) return;
    const entries = this.#entries;
    for (let front = entries.peek(); front !== undefined && front.finished && this.#finished > this.finishedLimit; front = entries.peek()) {
      entries.shift();
      this.#finished -= 1;
    }
    if (this.#finished > this.finishedLimit * 2) this.#compact();
  }

  get size(): number {
    return this.#entries.length;
  }

  list(): PoolTask[] {
    const out: PoolTask[] = [];
    this.#entries.forEach((entry) => out.push(entry.snapshot()));
    return out;
  }

  /** Drops the oldest finished tasks beyond the limit, keeping every unfinished one. */
  #compact(): void {
    let toDrop = this.#finished - this.finishedLimit;
    const kept = new Deque<TaskEntry>();
    this.#entries.forEach((entry) => {
      if (toDrop > 0 && entry.finished) toDrop -= 1;
      else kept.push(entry);
    });
    this.#entries = kept;
    this.#finished = this.finishedLimit;
  }
}
