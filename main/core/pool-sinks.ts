// Where the outcomes of a map-style call go: a map's result list (MapSink) or an imap's reader
// (IterSink). A single task's outcome goes straight to its promise or AsyncResult.

import { Deque, type SettledTask, type TaskSink } from './pool-task.js';

/** A single task's promise (apply). A class rather than closures: a million queued tasks each hold one. */
export class PromiseSink implements TaskSink {
  constructor(
    private readonly resolve: (value: never) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  settle(_task: SettledTask, ok: boolean, valueOrError: unknown): void {
    if (ok) this.resolve(valueOrError as never);
    else this.reject(valueOrError);
  }
}

/** A single task's AsyncResult (applyAsync). */
export class SettleSink implements TaskSink {
  constructor(private readonly onSettled: (ok: boolean, valueOrError: unknown) => void) {}

  settle(_task: SettledTask, ok: boolean, valueOrError: unknown): void {
    this.onSettled(ok, valueOrError);
  }
}

/** Collects a map's results in input order; settles once, on the first failure or the last result. */
export class MapSink implements TaskSink {
  readonly results: unknown[];
  /**
   * Chunks' values by the index of their first item, joined once at the end: cheaper than copying
   * every value into a preallocated `results` as it comes.
   */
  #parts: [number, unknown[]][] = [];
  #remaining: number;
  #done = false;

  get done(): boolean {
    return this.#done;
  }

  constructor(
    count: number,
    private readonly onDone: (ok: boolean, valueOrError: unknown) => void,
  ) {
    this.results = new Array(count);
    this.#remaining = count;
    if (count === 0) {
      this.#done = true;
      onDone(true, this.results);
    }
  }

  settle(entry: SettledTask, ok: boolean, valueOrError: unknown): void {
    if (this.#done) return;
    if (!ok) {
      this.#done = true;
      this.onDone(false, valueOrError);
      return;
    }
    if (entry.chunked) {
      this.#parts.push([entry.index, valueOrError as unknown[]]);
      this.#remaining -= entry.count;
    } else {
      this.results[entry.index] = valueOrError;
      this.#remaining -= 1;
    }
    if (this.#remaining === 0) {
      this.#done = true;
      this.onDone(true, this.#joined());
    }
  }

  #joined(): unknown[] {
    const parts = this.#parts;
    if (parts.length === 0) return this.results;
    parts.sort((a, b) => a[0] - b[0]);
    // A map's items all go in chunks, so the parts cover every index.
    if (parts.length <= 1024) return ([] as unknown[]).concat(...parts.map((part) => part[1]));
    const out: unknown[] = [];
    for (const [, values] of parts) for (const value of values) out.push(value);
    return out;
  }
}

export interface Outcome {
  ok: boolean;
  value: unknown;
}

/**
 * Between an imap's feeder (which reads the input and submits tasks) and its reader (the
 * generator the caller iterates): outcomes by index (ordered) or by arrival (unordered), and how
 * many items are ahead of the reader, so that the feeder stops at `limit` and the input is read
 * lazily, in bounded memory.
 */
export class IterSink implements TaskSink {
  /** Items submitted and not yet taken by the reader. */
  #ahead = 0;
  #byIndex = new Map<number, Outcome>();
  #nextIndex = 0;
  #arrived = new Deque<Outcome>();
  #wakeReader: (() => void) | null = null;
  #wakeFeeder: (() => void) | null = null;
  #inputEnded = false;
  #inputError: { error: unknown } | null = null;
  /** The reader stopped early (break, return, throw): the feeder reads no more. */
  abandoned = false;

  constructor(
    readonly ordered: boolean,
    /** How many items may be submitted ahead of the reader. */
    readonly limit: number,
  ) {}

  get hasRoom(): boolean {
    return this.#ahead < this.limit;
  }

  /** The feeder submitted `count` more items. */
  submitted(count: number): void {
    this.#ahead += count;
  }

  /** The input ended (with `error` when reading it threw): the reader ends after the outcomes already due. */
  endInput(error?: { error: unknown }): void {
    this.#inputEnded = true;
    if (error) this.#inputError = error;
    this.#wake();
  }

  settle(entry: SettledTask, ok: boolean, value: unknown): void {
    if (entry.chunked && ok) {
      const values = value as unknown[];
      for (let i = 0; i < values.length; i += 1) {
        if (this.ordered) this.#byIndex.set(entry.index + i, { ok, value: values[i] });
        else this.#arrived.push({ ok, value: values[i] });
      }
    } else if (this.ordered) {
      // A failed chunk fails at its first item, as Python's imap does.
      this.#byIndex.set(entry.index, { ok, value });
    } else {
      this.#arrived.push({ ok, value });
    }
    this.#wake();
  }

  /** The next outcome for the reader, if one is due now. */
  take(): Outcome | undefined {
    let outcome: Outcome | undefined;
    if (this.ordered) {
      outcome = this.#byIndex.get(this.#nextIndex);
      if (outcome === undefined) return undefined;
      this.#byIndex.delete(this.#nextIndex);
      this.#nextIndex += 1;
    } else {
      outcome = this.#arrived.shift();
      if (outcome === undefined) return undefined;
    }
    this.#ahead -= 1;
    // Wake the feeder at half the limit, so that it submits many items per wake-up, not one.
    const feeder = this.#wakeFeeder;
    if (feeder !== null && this.#ahead <= this.limit >> 1) {
      this.#wakeFeeder = null;
      feeder();
    }
    return outcome;
  }

  /**
   * Once the input ended and every outcome was read: `{ error }` holding what reading the input
   * threw, or `{ error: null }` when it ended well. Undefined while outcomes are still due.
   */
  get ended(): { error: { error: unknown } | null } | undefined {
    return this.#inputEnded && this.#ahead === 0 ? { error: this.#inputError } : undefined;
  }

  /** Resolves once an outcome arrived or the input ended. */
  waitForMore(): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeReader = resolve;
    });
  }

  /** Resolves once the feeder may submit more, down to half the limit (or the reader went away). */
  waitForRoom(): Promise<void> {
    if (this.#ahead <= this.limit >> 1 || this.abandoned) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wakeFeeder = resolve;
    });
  }

  /** The reader stopped early: release the feeder so it can close the input. */
  abandon(): void {
    this.abandoned = true;
    const feeder = this.#wakeFeeder;
    this.#wakeFeeder = null;
    feeder?.();
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }
}
