// The one way tests and the screenshot scripts wait for something to become true, with the project's
// defaults and an error that says what never happened. Plain Node, no Vitest: the scripts in scripts/
// run under tsx, where importing Vitest fails. Tests poll for a value (a pid, a row, "the sleeps ended")
// and want it back, so a read that returns false means "not yet", never "done".
//
// The timers are the ones present when this module loads, so a test that fakes timers afterwards still
// waits in real time.
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;

export interface UntilOptions {
  /** Give up after this long. Generous: the machine running the tests may be slow and busy. */
  timeoutMs?: number;
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Calls `read` every `intervalMs` until it returns (or resolves to) a truthy value, and resolves to that
 * value. Rejects at once with the error `read` threw; after `timeoutMs` with "timed out waiting for <what>",
 * even while a read is still pending. `what` may be a function, called at the timeout, to report the state
 * the wait ended in.
 */
export function until<T>(
  read: () => T | PromiseLike<T>,
  what: string | (() => string),
  { timeoutMs = 10_000, intervalMs = 20 }: UntilOptions = {},
): Promise<Truthy<T>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      realClearTimeout(deadline);
      finish();
    };
    const deadline = realSetTimeout(() => {
      settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`)));
    }, timeoutMs);
    const poll = async (): Promise<void> => {
      while (!settled) {
        const value = await read();
        if (value) return settle(() => resolve(value as Truthy<T>));
        await new Promise((wake) => realSetTimeout(wake, intervalMs));
      }
    };
    poll().catch((error: unknown) => settle(() => reject(error)));
  });
}
