// The one way tests wait for something to become true: vi.waitUntil with the project's defaults and an
// error that says what never happened. vi.waitUntil rather than vi.waitFor, because tests poll for a value
// (a pid, a row, "the sleeps ended") and want it back; vi.waitFor stops at the first read that does not
// throw, so a read that returns false would end the wait. Real timers are used even under fake ones.
import { vi } from 'vitest';

export interface UntilOptions {
  /** Give up after this long. Generous: the machine running the tests may be slow and busy. */
  timeoutMs?: number;
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Calls `read` every `intervalMs` until it returns (or resolves to) a truthy value, and resolves to that
 * value. Rejects at once with the error `read` threw; after `timeoutMs` with "timed out waiting for <what>".
 * `what` may be a function, called at the timeout, to report the state the wait ended in.
 */
export async function until<T>(
  read: () => T | PromiseLike<T>,
  what: string | (() => string),
  { timeoutMs = 10_000, intervalMs = 20 }: UntilOptions = {},
): Promise<Truthy<T>> {
  let readFailed = false;
  const guardedRead = (): T | Promise<T> => {
    try {
      const value = read();
      if (!isPromiseLike(value)) return value;
      return Promise.resolve(value).catch((error: unknown) => {
        readFailed = true;
        throw error;
      });
    } catch (error) {
      readFailed = true;
      throw error;
    }
  };
  try {
    return await vi.waitUntil(guardedRead, { timeout: timeoutMs, interval: intervalMs });
  } catch (error) {
    if (readFailed) throw error;
    const described = typeof what === 'function' ? what() : what;
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`, { cause: error });
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
