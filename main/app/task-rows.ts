// A pool's task list as the UI shows it: one row per task that has started (or per chunk of a map),
// bounded, and the recent completion times its ETA is computed from. Queued tasks have no row here:
// the pool holds them (compactly) and counts them, and a page of them is read from the pool.
import type { PoolTask } from '../core/pool-task.js';
import type { TaskCounts } from '../protocol/vocabulary.js';
import type { TaskRow } from '../protocol/rows.js';

const RESULT_TEXT_LIMIT = 4096;
/** How many of a chunk's argument lists its task row shows. */
const CHUNK_ARGS_SHOWN = 10;
/** Completions the ETA looks back on. */
const COMPLETIONS_KEPT = 50;

export class PoolTaskRows {
  readonly #rows = new Map<number, TaskRow>();
  /** Ids of finished tasks in the order they finished: the ones to drop first when the list is full. */
  #finishedIds: number[] = [];
  /** Where #finishedIds starts; a head index instead of shift(), which copies the array each time. */
  #finishedHead = 0;
  /** Recent completion times, for the ETA. */
  readonly #completions: number[] = [];

  constructor(
    readonly poolId: string,
    readonly maxRows: number,
  ) {}

  /** Records a task event; returns the row now shown for it, or null for a queued task (it has none). */
  update(task: PoolTask): TaskRow | null {
    const previous = this.#rows.get(task.id);
    if (task.state === 'queued') {
      // A task back in the queue (its worker died) is the pool's again.
      this.#rows.delete(task.id);
      return null;
    }
    const row = taskRow(this.poolId, task);
    this.#rows.set(task.id, row);
    if (!isFinished(previous?.state) && isFinished(task.state)) this.#finishedIds.push(task.id);
    this.#trim();
    if ((task.state === 'done' || task.state === 'failed') && task.workerPid !== null) {
      this.#noteCompletions(task, task.items ? task.items.count : 1);
    }
    return row;
  }

  rows(): TaskRow[] {
    return [...this.#rows.values()].map((row) => ({ ...row }));
  }

  has(taskId: number): boolean {
    return this.#rows.has(taskId);
  }

  /** The rows the snapshot carries: every running task, then the newest finished ones, `limit` in all. */
  window(limit: number): TaskRow[] {
    const running: TaskRow[] = [];
    for (const row of this.#rows.values()) if (row.state === 'running') running.push({ ...row });
    const finished: TaskRow[] = [];
    for (let i = this.#finishedIds.length - 1; i >= this.#finishedHead && running.length + finished.length < limit; i -= 1) {
      const row = this.#rows.get(this.#finishedIds[i]);
      if (row) finished.push({ ...row });
    }
    return [...running.slice(0, limit), ...finished.reverse()];
  }

  keys(): string[] {
    return [...this.#rows.values()].map((row) => row.key);
  }

  /** Time to finish what is queued and running at the rate of the recent completions; null when unknown. */
  eta(counts: TaskCounts, now = Date.now()): number | null {
    const remaining = counts.queued + counts.running;
    if (remaining === 0) return 0;
    const times = this.#completions;
    if (times.length < 2) return null;
    const span = Math.max(1, now - times[0]);
    const perMs = (times.length - 1) / span;
    return Math.round(remaining / perMs);
  }

  /**
   * A chunk's items are taken to have finished evenly over its run, so that the rate stays in items
   * per ms.
   */
  #noteCompletions(task: PoolTask, count: number): void {
    const times = this.#completions;
    const end = task.endedAt ?? Date.now();
    const start = task.startedAt ?? end;
    const shown = Math.min(count, COMPLETIONS_KEPT);
    for (let i = count - shown; i < count; i += 1) times.push(count === 1 ? Date.now() : start + ((end - start) * (i + 1)) / count);
    if (times.length > COMPLETIONS_KEPT) times.splice(0, times.length - COMPLETIONS_KEPT);
  }

  /** Drops the tasks that finished first, never a queued or running one. */
  #trim(): void {
    while (this.#rows.size > this.maxRows && this.#finishedHead < this.#finishedIds.length) {
      this.#rows.delete(this.#finishedIds[this.#finishedHead++]);
    }
    if (this.#finishedHead > 4096 && this.#finishedHead * 2 > this.#finishedIds.length) {
      this.#finishedIds = this.#finishedIds.slice(this.#finishedHead);
      this.#finishedHead = 0;
    }
  }
}

function isFinished(state: TaskRow['state'] | undefined): boolean {
  return state !== undefined && state !== 'queued' && state !== 'running';
}

/** A chunk of a map (one event for many items) is one row: its args and values, shortened. */
export function taskRow(poolId: string, task: PoolTask): TaskRow {
  const items = task.items;
  return {
    key: `${poolId}:${task.id}`,
    poolId,
    taskId: task.id,
    args: items ? chunkArgsPreview(task.args, items.count) : task.args,
    state: task.state,
    workerPid: task.workerPid,
    workerName: task.workerName,
    queuedAt: task.queuedAt,
    startedAt: task.startedAt,
    endedAt: task.endedAt,
    result: taskResultText(task),
    error: task.error ? chunkError(task) : null,
  };
}

/**
 * A done task's value as the text its row and its run record show; a chunk's values are cut first, so
 * that a 25,000-item chunk is not stringified whole for the 4 KiB shown.
 */
export function taskResultText(task: PoolTask): string | null {
  if (task.state !== 'done') return null;
  return resultText(task.items ? chunkValuesForText(task.value) : task.value);
}

/** A value as the JSON text a row shows, cut to RESULT_TEXT_LIMIT characters; null for undefined. */
export function resultText(value: unknown): string | null {
  if (value === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > RESULT_TEXT_LIMIT ? `${text.slice(0, RESULT_TEXT_LIMIT)}…` : text;
}

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
