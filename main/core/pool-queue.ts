// The queue of a pool's tasks that wait for a process. A queued single task is compact: its encoded
// line, its sink and three numbers in ring arrays, with no object of its own, so that a million
// queued tasks cost tens of megabytes rather than gigabytes. It becomes a TaskEntry only when a
// backend takes it. Chunks (few, each many items) wait as TaskEntries; so do tasks a dead worker
// held, which go back to the front.

import { Deque, TaskEntry, type Decode, type PoolTask, type TaskSink } from './pool-task.js';

/** Per slot: the task's id, its index in its call, and when it was queued (ms since epoch). */
const NUMBERS_PER_SLOT = 3;

/** What ending every queued task (cancelled or failed together) did: how many tasks (items) and the range of their ids. */
export interface EndedRange {
  count: number;
  /** The first and last id cancelled (null when the queue was empty). Ids in between that had left the queue are unaffected. */
  firstId: number | null;
  lastId: number | null;
}

export class TaskQueue {
  /** Tasks given back by a worker that died: they go first, in the order they were given. */
  #retry = new Deque<TaskEntry>();
  /** The ring, in id order: a single task's line, or a chunk's TaskEntry. */
  #items: (string | TaskEntry | undefined)[] = new Array(16);
  #sinks: (TaskSink | null)[] = new Array(16);
  #numbers = new Float64Array(16 * NUMBERS_PER_SLOT);
  #head = 0;
  #ringLength = 0;
  /** Items (a chunk counts as its items) in the ring. */
  #ringItems = 0;

  constructor(
    private readonly decode: Decode,
    /** A task left the ring for a process: the pool records it from now on. */
    private readonly taken: (entry: TaskEntry) => void,
  ) {}

  /** Tasks and chunks waiting. */
  get length(): number {
    return this.#retry.length + this.#ringLength;
  }

  /** Whether the next task is a chunk (a worker that has not said whether it takes batches waits for it). */
  get frontIsChunk(): boolean {
    const front = this.#retry.peek() ?? this.#items[this.#head];
    return front instanceof TaskEntry && front.chunked;
  }

  /** Queues a single task by its encoded line. */
  push(id: number, line: string, sink: TaskSink | null, index: number, queuedAt: number): void {
    const slot = this.#reserve();
    // Reading a character flattens a line built by concatenation (a tree of string pieces) into
    // one string, which is what the queue should hold: the pieces cost more than the text.
    line.charCodeAt(0);
    this.#items[slot] = line;
    this.#sinks[slot] = sink;
    const at = slot * NUMBERS_PER_SLOT;
    this.#numbers[at] = id;
    this.#numbers[at + 1] = index;
    this.#numbers[at + 2] = queuedAt;
    this.#ringItems += 1;
  }

  /** Queues a chunk (its ids follow those queued before it). */
  pushEntry(entry: TaskEntry): void {
    const slot = this.#reserve();
    this.#items[slot] = entry;
    this.#sinks[slot] = null;
    this.#ringItems += entry.count;
  }

  /** Puts back a task a worker held when it died, ahead of the others. */
  unshift(entry: TaskEntry): void {
    this.#retry.unshift(entry);
  }

  /** Takes the next task, as a TaskEntry. */
  shift(): TaskEntry | undefined {
    const retried = this.#retry.shift();
    if (retried !== undefined) return retried;
    if (this.#ringLength === 0) return undefined;
    const slot = this.#head;
    const item = this.#items[slot]!;
    const entry = item instanceof TaskEntry ? item : this.#entryAt(slot, item);
    this.#items[slot] = undefined;
    this.#sinks[slot] = null;
    this.#head = (slot + 1) & (this.#items.length - 1);
    this.#ringLength -= 1;
    this.#ringItems -= entry.count;
    this.taken(entry);
    return entry;
  }

  /** Removes the tasks given back by dead workers (they are TaskEntries already). */
  drainRetried(): TaskEntry[] {
    return this.#retry.drain();
  }

  /**
   * Empties the ring without making a TaskEntry per task: settles each task's sink with the one
   * error `error(range)` makes (a million error objects would cost seconds), and hands the last
   * `keep` tasks (as TaskEntries) to `kept`, so that the pool's records hold them. Chunks in the
   * ring go to `chunk` whole.
   */
  endRing(error: (range: EndedRange) => Error, keep: number, kept: (entry: TaskEntry) => void, chunk: (entry: TaskEntry) => void): EndedRange {
    const range: EndedRange = { count: this.#ringItems, firstId: null, lastId: null };
    const mask = this.#items.length - 1;
    if (this.#ringLength > 0) {
      const front = this.#items[this.#head];
      const back = this.#items[(this.#head + this.#ringLength - 1) & mask];
      const backSlot = (this.#head + this.#ringLength - 1) & mask;
      range.firstId = front instanceof TaskEntry ? front.id : this.#numbers[this.#head * NUMBERS_PER_SLOT];
      range.lastId = back instanceof TaskEntry ? back.id + back.count - 1 : this.#numbers[backSlot * NUMBERS_PER_SLOT];
    }
    let shared: Error | null = null;
    const single: { index: number; count: number; chunked: boolean } = { index: 0, count: 1, chunked: false };
    const keepFrom = this.#ringLength - keep;
    for (let i = 0; i < this.#ringLength; i += 1) {
      const slot = (this.#head + i) & mask;
      const item = this.#items[slot]!;
      if (item instanceof TaskEntry) {
        chunk(item);
        continue;
      }
      const at = slot * NUMBERS_PER_SLOT;
      if (i >= keepFrom) {
        kept(this.#entryAt(slot, item));
        continue;
      }
      const sink = this.#sinks[slot];
      if (sink !== null && sink.done !== true) {
        single.index = this.#numbers[at + 1];
        shared ??= error(range);
        sink.settle(single, false, shared);
      }
    }
    this.#items = new Array(16);
    this.#sinks = new Array(16);
    this.#numbers = new Float64Array(16 * NUMBERS_PER_SLOT);
    this.#head = 0;
    this.#ringLength = 0;
    this.#ringItems = 0;
    return range;
  }

  /**
   * A page of task records in id order: `kept` (the pool's records of tasks that left the ring,
   * sorted by id, chunks item by item) merged with the ring's tasks, from `offset`, at most `limit`.
   * Costs O(offset + limit + kept.length); builds a record only for the tasks in the page.
   */
  page(kept: PoolTask[], offset: number, limit: number): { total: number; tasks: PoolTask[] } {
    const total = kept.length + this.#ringItems;
    const tasks: PoolTask[] = [];
    const mask = this.#items.length - 1;
    let k = 0;
    let position = 0;
    const end = Math.min(total, offset + limit);
    let i = 0;
    /** Items of the ring's slot i already passed (a chunk is listed item by item). */
    let within = 0;
    while (position < end) {
      const slot = (this.#head + i) & mask;
      const item = i < this.#ringLength ? this.#items[slot] : undefined;
      const ringId = item === undefined ? Infinity : item instanceof TaskEntry ? item.id + within : this.#numbers[slot * NUMBERS_PER_SLOT];
      if (k < kept.length && kept[k].id < ringId) {
        if (position >= offset) tasks.push(kept[k]);
        k += 1;
        position += 1;
        continue;
      }
      if (item instanceof TaskEntry) {
        if (position >= offset) {
          const records: PoolTask[] = [];
          item.expand(records, within);
          tasks.push(records[0]);
        }
        within += 1;
        if (within === item.count) {
          within = 0;
          i += 1;
        }
      } else {
        if (position >= offset) tasks.push(this.#snapshotAt(slot, item!));
        i += 1;
      }
      position += 1;
    }
    return { total, tasks };
  }

  #entryAt(slot: number, line: string): TaskEntry {
    const at = slot * NUMBERS_PER_SLOT;
    const numbers = this.#numbers;
    return new TaskEntry(numbers[at], null, numbers[at + 2], line, this.#sinks[slot], numbers[at + 1], 1, false, true, this.decode);
  }

  #snapshotAt(slot: number, line: string): PoolTask {
    const at = slot * NUMBERS_PER_SLOT;
    const { args, kwargs } = this.decode(line);
    const task: PoolTask = {
      id: this.#numbers[at],
      args,
      state: 'queued',
      workerPid: null,
      workerName: null,
      queuedAt: this.#numbers[at + 2],
      startedAt: null,
      endedAt: null,
    };
    if (kwargs !== undefined) task.kwargs = kwargs;
    return task;
  }

  /** The slot for the next push, growing the ring when full. */
  #reserve(): number {
    if (this.#ringLength === this.#items.length) this.#grow();
    const slot = (this.#head + this.#ringLength) & (this.#items.length - 1);
    this.#ringLength += 1;
    return slot;
  }

  #grow(): void {
    const size = this.#items.length;
    const items: (string | TaskEntry | undefined)[] = new Array(size * 2);
    const sinks: (TaskSink | null)[] = new Array(size * 2);
    const numbers = new Float64Array(size * 2 * NUMBERS_PER_SLOT);
    for (let i = 0; i < this.#ringLength; i += 1) {
      const from = (this.#head + i) & (size - 1);
      items[i] = this.#items[from];
      sinks[i] = this.#sinks[from];
      numbers.set(this.#numbers.subarray(from * NUMBERS_PER_SLOT, (from + 1) * NUMBERS_PER_SLOT), i * NUMBERS_PER_SLOT);
    }
    this.#items = items;
    this.#sinks = sinks;
    this.#numbers = numbers;
    this.#head = 0;
  }
}
