import { TimeoutError } from './errors.js';

export interface AsyncResultCallbacks<T> {
  /** Called once with the value when the task succeeds (multiprocessing's `callback`). */
  onResult?: (value: T) => void;
  /** Called once with the error when the task fails (multiprocessing's `error_callback`). */
  onError?: (error: Error) => void;
}

/** Settles an AsyncResult: given to the code that created it, never to its readers. */
export type SettleAsyncResult = (ok: boolean, valueOrError: unknown) => void;

const noop = (): void => {};

function checkTimeout(timeoutMs: number | undefined, method: string): void {
  if (timeoutMs === undefined) return;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`AsyncResult.${method}: timeoutMs must be a number ≥ 0 or left out (got ${String(timeoutMs)})`);
  }
}

/**
 * The result of a task submitted with `Pool.applyAsync` (multiprocessing's AsyncResult).
 * Nobody has to read it: an unread failure never becomes an unhandled rejection.
 */
export class AsyncResult<T = unknown> {
  #ready = false;
  #ok = false;
  #value: T | undefined;
  #error: Error | undefined;
  #promise: Promise<T>;
  #callbacks: AsyncResultCallbacks<T>;
  #label: string;

  /**
   * @param executor receives the function that settles this result (`settle(true, value)` or
   *   `settle(false, error)`); only the first call counts.
   */
  constructor(executor: (settle: SettleAsyncResult) => void, callbacks: AsyncResultCallbacks<T> = {}, label = 'task') {
    this.#callbacks = callbacks;
    this.#label = label;
    let resolve!: (value: T) => void;
    let reject!: (error: Error) => void;
    this.#promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#promise.catch(noop);
    executor((ok, valueOrError) => {
      if (this.#ready) return;
      this.#ready = true;
      this.#ok = ok;
      // The callback runs first, as in Python: whoever awaits get() or wait() sees its effects.
      if (ok) {
        this.#value = valueOrError as T;
        callSafely(this.#callbacks.onResult, this.#value, 'onResult');
        resolve(this.#value);
      } else {
        this.#error = valueOrError instanceof Error ? valueOrError : new Error(String(valueOrError));
        callSafely(this.#callbacks.onError, this.#error, 'onError');
        reject(this.#error);
      }
    });
  }

  /** True once the task finished, well or badly. */
  ready(): boolean {
    return this.#ready;
  }

  /** True when the task finished without error. Throws when it has not finished yet, as in Python. */
  successful(): boolean {
    if (!this.#ready) throw new Error(`AsyncResult for ${this.#label} is not ready`);
    return this.#ok;
  }

  /**
   * The task's value. Rejects with the task's error, or with a TimeoutError when `timeoutMs`
   * passed first (the task itself goes on; `get` can be called again).
   */
  get(timeoutMs?: number): Promise<T> {
    checkTimeout(timeoutMs, 'get');
    if (this.#ready || timeoutMs === undefined) return this.#handled(this.#promise);
    return this.#handled(
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TimeoutError(`${this.#label} did not finish within ${timeoutMs} ms`)), timeoutMs);
        this.#promise.then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      }),
    );
  }

  /** Resolves once the task finished or `timeoutMs` passed, whichever comes first; never rejects. */
  wait(timeoutMs?: number): Promise<void> {
    checkTimeout(timeoutMs, 'wait');
    const done = this.#promise.then(noop, noop);
    if (this.#ready || timeoutMs === undefined) return done;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void done.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #handled(promise: Promise<T>): Promise<T> {
    promise.catch(noop);
    return promise;
  }
}

function callSafely<A>(callback: ((arg: A) => void) | undefined, arg: A, which: string): void {
  if (!callback) return;
  try {
    callback(arg);
  } catch (error) {
    // A throwing callback must not break the pool that called it; say so instead.
    process.emitWarning(`Pool ${which} callback threw: ${(error as Error)?.stack ?? String(error)}`, 'PoolCallbackWarning');
  }
}
