// Worker maintenance for a worker-mode pool (CPython's worker handler): keeps `processes` workers
// alive while there is work, backs off after workers that fail to start or die without answering
// a task, and trips a breaker when they keep doing so, so that tasks fail with the cause instead
// of waiting for ever (and a pool of workers that die a while after their start is not respawned
// for ever).

import { ProcessStartError, WorkerLostError } from './errors.js';

/**
 * A bad ending: a worker that ends unasked before answering any task (however long it lived),
 * having never said anything or holding no task. A worker that answered a task, or that dies
 * running one after saying ready (killed, or crashing on that task), is a normal loss: its task
 * fails (WorkerLostError) and it is replaced at once. A worker somebody asked to end (terminate(),
 * kill()) is never a bad ending.
 */
/**
 * After this many bad endings in a row (no task answered in between) the breaker trips: queued tasks, and tasks submitted while
 * the backoff runs, fail at once with the cause; a task submitted after the backoff gets a fresh worker.
 */
const BROKEN_AFTER = 3;
/**
 * Workers started per turn of the event loop: a spawn blocks the loop for a few milliseconds, so
 * starting 512 at once would leave a server unanswered for seconds.
 */
export const SPAWN_SLICE = 16;
/**
 * Said when the workers that ended never wrote a line on the channel: most often the program is not
 * a worker at all (it never reads tasks from fd 3), which exec mode runs as it is, once per task.
 */
const NOT_A_WORKER_HINT =
  '. They never spoke the worker protocol: if this program is not a Pooldeck worker, create the pool in exec mode, which runs it once per task with the task\'s arguments';
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 10_000;

/** The wait before the next start after `badEndings` bad endings in a row. */
function backoffMs(badEndings: number): number {
  return badEndings <= 0 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (badEndings - 1));
}

export interface UpkeepHost {
  /** Running or closed: workers are still wanted. */
  readonly active: boolean;
  /** How many more workers are wanted now (0 or less: none). */
  missing(): number;
  /** Starts one worker. */
  spawn(): void;
  /** After a delayed start: hand out tasks, settle join(). */
  changed(): void;
  /** The breaker tripped (with its error) or was reset (null). */
  brokenChanged(error: Error | null): void;
}

export class WorkerUpkeep {
  #badEndings = 0;
  /** performance.now() before which no worker is started after bad endings (the backoff). */
  #retryAt = 0;
  /** Set while the breaker is tripped: tasks that find no worker fail with it at once. */
  #brokenError: Error | null = null;
  /** A task came while the breaker is tripped: start one worker for it once the backoff passed. */
  #demand = false;
  #timer: NodeJS.Timeout | null = null;
  #sliceScheduled = false;

  constructor(
    private readonly poolName: string,
    private readonly host: UpkeepHost,
  ) {}

  /** The breaker's error while it is tripped, else null. */
  get brokenError(): Error | null {
    return this.#brokenError;
  }

  /** Whether a delayed start is pending (a closed pool is not finished before it ran or was cleared). */
  get waiting(): boolean {
    return this.#timer !== null;
  }

  /** Whether any bad ending or a tripped breaker is on record (cheap check for the answer path). */
  get troubled(): boolean {
    return this.#badEndings !== 0 || this.#brokenError !== null;
  }

  /** A task was submitted. */
  taskSubmitted(): void {
    if (this.#brokenError !== null) this.#demand = true;
  }

  /**
   * Starts the missing workers, now or after the backoff. While the breaker is tripped, starts one
   * at a time, and only when tasks came.
   */
  maintain(): void {
    const host = this.host;
    if (!host.active || this.#timer !== null) return;
    let missing = host.missing();
    if (missing <= 0) return;
    if (this.#brokenError !== null && !this.#demand) return; // respawn when tasks come again
    const delay = this.#retryAt - performance.now();
    if (this.#badEndings === 0 || delay <= 0) {
      if (this.#brokenError !== null) {
        this.#demand = false;
        missing = 1;
      }
      // In slices, one per turn of the event loop, as the first workers start (see SPAWN_SLICE).
      const now = Math.min(missing, SPAWN_SLICE);
      for (let i = 0; i < now; i += 1) host.spawn();
      if (missing > now && !this.#sliceScheduled) {
        this.#sliceScheduled = true;
        setImmediate(() => {
          this.#sliceScheduled = false;
          this.maintain();
        });
      }
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.host.active) return;
      this.maintain();
      this.host.changed();
    }, delay);
  }

  /** A worker could not start: the breaker trips at once, with the start error (it names the program). */
  startFailed(error: Error): void {
    this.#badEnding(error, true);
  }

  /**
   * A worker ended unasked. It counts as a bad ending when it had answered no task and either
   * never said anything or held no task; then `describe` says how it ended, for the breaker's error.
   */
  workerEnded(how: { answered: boolean; spoke: boolean; heldTask: boolean }, pid: number | null, exitcode: number | null, describe: () => string): void {
    if (how.answered || (how.spoke && how.heldTask)) return;
    // The breaker's error is read by tasks that never ran: it names the death, not a task.
    const cause = new WorkerLostError(
      `${this.poolName}: ${this.#badEndings + 1} workers in a row ended before answering any task; the last, ${describe()}${how.spoke ? '' : NOT_A_WORKER_HINT}`,
      pid,
      exitcode,
    );
    this.#badEnding(cause, false);
  }

  /** A worker started. A program that could not start before starts again: back to full strength. */
  workerStarted(): void {
    if (this.#brokenError instanceof ProcessStartError) this.#reset();
  }

  /** A worker answered a task: the bad endings in a row are over. */
  workerAnswered(): void {
    this.#badEndings = 0;
    if (this.#brokenError !== null && !(this.#brokenError instanceof ProcessStartError)) this.#reset();
  }

  /** Cancels a pending delayed start. */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #badEnding(cause: Error, tripNow: boolean): void {
    this.#badEndings += 1;
    this.#retryAt = performance.now() + backoffMs(this.#badEndings);
    if (tripNow || this.#badEndings >= BROKEN_AFTER) {
      this.#brokenError = cause;
      this.#demand = false;
      this.host.brokenChanged(cause);
    }
  }

  #reset(): void {
    this.#brokenError = null;
    this.host.brokenChanged(null);
    this.maintain();
  }
}
