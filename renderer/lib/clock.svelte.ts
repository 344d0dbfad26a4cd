import { createSubscriber } from 'svelte/reactivity';

/**
 * A clock that ticks while someone shows it: reading `now` inside a component or effect starts one
 * timer, and it stops when nothing reads it any more. Uptimes advance every second from this one tick,
 * without any message from the app.
 */
export class Clock {
  #now: number;
  readonly #subscribe: () => void;
  readonly #read: () => number;

  constructor(intervalMs = 1000, read: () => number = Date.now) {
    this.#read = read;
    this.#now = read();
    this.#subscribe = createSubscriber((update) => {
      this.#now = this.#read();
      update();
      const timer = setInterval(() => {
        this.#now = this.#read();
        update();
      }, intervalMs);
      return () => clearInterval(timer);
    });
  }

  get now(): number {
    this.#subscribe();
    return this.#now;
  }
}
