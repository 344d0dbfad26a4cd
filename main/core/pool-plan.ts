// Map planning: how a map-style call is cut into tasks or chunks (Python's chunksize rules), and
// how an imap reads its input lazily, a bounded number of items ahead of its reader.

import { checkJsonItems, checkTaskArgs } from './pool-options.js';
import type { IterSink } from './pool-sinks.js';
import type { Decode } from './pool-task.js';
import type { TaskKwargs } from './worker-channel.js';

/** A map-style call's items: as given (map) or argument lists (starmap, `star`). */
export interface CallItems {
  list: unknown[];
  star: boolean;
}

/** A map-style call, split and encoded: one task per item (`chunks` null) or chunks of `size`. */
export interface Plan {
  /** The call's items (map) or argument lists (starmap, `star`); with `chunks` null, argument lists. */
  list: unknown[];
  star: boolean;
  size: number;
  chunks: unknown[][] | null;
  /** Per task, its `task` line; per chunk, its `batch` line. */
  lines: string[];
}

/** How a pool's backend encodes what it sends: a task's line, a chunk's line (empty when nothing is sent as lines). */
export interface Encoder {
  /** Whether the backend runs chunks as one unit; when not, every item is its own task. */
  readonly takesChunks: boolean;
  task(id: number, args: unknown[], kwargs?: TaskKwargs): string;
  chunk(id: number, items: unknown[], star: boolean): string;
  /** A single task's arguments (and keyword arguments) from the line `task` made. */
  decode: Decode;
}

/**
 * Items an imap may have submitted ahead of its reader, per process (and at least four chunks'
 * worth): four times a worker's deepest pipeline (256 tasks), because an ordered imap's reader
 * waits on one worker while the others' answers pile up unread, and a smaller window starves them.
 */
const IMAP_ITEMS_AHEAD_PER_PROCESS = 1024;

export function itemsAhead(processes: number, chunksize: number): number {
  return processes * Math.max(IMAP_ITEMS_AHEAD_PER_PROCESS, 4 * chunksize);
}

/**
 * The chunk size of a call: `explicit`, or Python's default (ceil(items / (4 × processes)) for the
 * map family, 1 for imap), kept within maxTasksPerChild (a chunk is not split, so default chunks stay
 * within it, so that workers are recycled near it); 1 when the backend takes no chunks.
 */
export function chunkSize(
  explicit: number | undefined,
  count: number | null,
  processes: number,
  maxTasksPerChild: number | null,
  takesChunks: boolean,
): number {
  if (!takesChunks) return 1;
  let size = explicit ?? (count === null ? 1 : Math.ceil(count / (4 * processes)));
  if (explicit === undefined && maxTasksPerChild !== null) size = Math.min(size, maxTasksPerChild);
  return Math.max(1, size);
}

/**
 * The call's items as an array. Map items are not wrapped in one-element argument lists here:
 * a chunk sends them as they are (a batch's `items`), which saves an allocation per item.
 */
export function callItems(items: Iterable<unknown>, star: boolean, method: string): CallItems {
  const list = Array.isArray(items) ? items : Array.from(items);
  if (star) for (let i = 0; i < list.length; i += 1) checkTaskArgs(list[i], `${method}: item ${i}`);
  checkJsonItems(list, method, star);
  return { list, star };
}

/** The same from an async iterable (read to its end first: a map's result needs every item). */
export async function callItemsAsync(items: AsyncIterable<unknown>, star: boolean, method: string): Promise<CallItems> {
  const list: unknown[] = [];
  for await (const item of items) list.push(item);
  return callItems(list, star, method);
}

/**
 * Splits a call into tasks or chunks and encodes them all before anything is submitted: one bad
 * item fails the call, not half of it. `firstId`: the id the first task will get.
 */
export function planCall({ list, star }: CallItems, size: number, firstId: number, encoder: Encoder): Plan {
  if (size <= 1) {
    const argLists = star ? (list as unknown[][]) : list.map((item) => [item]);
    return { list: argLists, star: true, size: 1, chunks: null, lines: argLists.map((args, i) => encoder.task(firstId + i, args)) };
  }
  const chunks: unknown[][] = [];
  const lines: string[] = [];
  for (let lo = 0; lo < list.length; lo += size) {
    const chunk = list.slice(lo, lo + size);
    chunks.push(chunk);
    lines.push(encoder.chunk(firstId + lo, chunk, star));
  }
  return { list, star, size, chunks, lines };
}

/** Reads one item from a sync or async iterator: sync when it can be, so that arrays cost no await per item. */
type Pull = () => IteratorResult<unknown> | Promise<IteratorResult<unknown>>;

function opener(source: Iterable<unknown> | AsyncIterable<unknown>): { pull: Pull; close: () => void } {
  const syncFactory = (source as Iterable<unknown>)[Symbol.iterator];
  const iterator: Iterator<unknown> | AsyncIterator<unknown> =
    typeof syncFactory === 'function' ? syncFactory.call(source) : (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return {
    pull: () => iterator.next(),
    close: () => {
      try {
        const closing = iterator.return?.();
        if (closing instanceof Promise) closing.catch(() => undefined);
      } catch {
        // Closing an input that already failed may throw again: the call's error is already known.
      }
    },
  };
}

/**
 * Feeds an imap: reads `source` `size` items at a time (a chunk, or one item) while the sink has
 * room, and hands each group to `submit(items, index)`. Ends the sink's input when the source ends
 * or throws (or `submit` throws: the pool closed); closes the source when the reader went away.
 */
export async function feed(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  star: boolean,
  size: number,
  method: string,
  sink: IterSink,
  submit: (items: unknown[], index: number) => void,
): Promise<void> {
  let input: ReturnType<typeof opener> | null = null;
  let index = 0;
  try {
    input = opener(source);
    for (;;) {
      if (!sink.hasRoom) await sink.waitForRoom();
      if (sink.abandoned) break;
      const group: unknown[] = [];
      let ended = false;
      while (group.length < size) {
        let step = input.pull();
        if (step instanceof Promise) step = await step;
        if (step.done) {
          ended = true;
          break;
        }
        if (star) checkTaskArgs(step.value, `${method}: item ${index + group.length}`);
        group.push(step.value);
      }
      if (sink.abandoned) break;
      if (group.length > 0) {
        checkJsonItems(group, method, star, index);
        submit(group, index);
        sink.submitted(group.length);
        index += group.length;
      }
      if (ended) {
        sink.endInput();
        return;
      }
    }
    input.close();
    sink.endInput();
  } catch (error) {
    input?.close();
    sink.endInput({ error });
  }
}
