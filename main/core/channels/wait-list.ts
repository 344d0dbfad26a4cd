// The calls blocked on one channel object (a get on an empty queue, an acquire of a held lock), in
// the order they came, each with its own timeout. A call ends once: given what it waited for, timed
// out, or dropped because its process ended or the object closed.

import type { Party } from './party.js';

export interface Waiter<T> {
  readonly party: Party;
  /** What the waiting call brings (a put's value), if anything. */
  readonly payload: unknown;
  /** Ends the call: with a value, or with an error. */
  settle(error: Error | null, value?: T): void;
}

interface Entry<T> extends Waiter<T> {
  timer: NodeJS.Timeout | null;
}

export class WaitList<T> {
  readonly #entries = new Set<Entry<T>>();

  get length(): number {
    return this.#entries.size;
  }

  /**
   * Adds a waiting call. After `timeoutMs` (none: forever) it is removed and settled with
   * `timedOut()` (an error, or a value such as `false` for an acquire that gave up).
   */
  add(party: Party, payload: unknown, timeoutMs: number | undefined, timedOut: () => { error: Error | null; value?: T }, settle: Waiter<T>['settle']): void {
    const entry: Entry<T> = { party, payload, settle, timer: null };
    if (timeoutMs !== undefined) {
      entry.timer = setTimeout(() => {
        this.#entries.delete(entry);
        const outcome = timedOut();
        settle(outcome.error, outcome.value);
      }, Math.max(0, timeoutMs));
    }
    this.#entries.add(entry);
  }

  /** The oldest waiting call, left in place. */
  first(): Waiter<T> | undefined {
    return this.#entries.values().next().value;
  }

  /** The oldest waiting call, removed (its timer stopped); undefined when none waits. */
  shift(): Waiter<T> | undefined {
    const first = this.#entries.values().next();
    if (first.done) return undefined;
    const entry = first.value;
    this.#entries.delete(entry);
    if (entry.timer) clearTimeout(entry.timer);
    return entry;
  }

  /** Removes `party`'s calls without settling them: nobody is left to tell. */
  dropParty(party: Party): void {
    for (const entry of this.#entries) {
      if (entry.party !== party) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.#entries.delete(entry);
    }
  }

  /** Ends every waiting call with `error` (the object closed). */
  rejectAll(error: () => Error): void {
    for (const entry of [...this.#entries]) {
      this.#entries.delete(entry);
      if (entry.timer) clearTimeout(entry.timer);
      entry.settle(error());
    }
  }

  /** Who waits, oldest first. */
  parties(): Party[] {
    return [...this.#entries].map((entry) => entry.party);
  }
}
