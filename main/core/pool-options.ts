// A pool's options and the arguments of its calls, checked up front: a bad one throws at once with
// a message naming it and what would be valid.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { AsyncResultCallbacks } from './async-result.js';
import type { ChannelRegistry } from './channel-server.js';
import { describeJsonProblem, findJsonProblem, jsonProblem } from './json-values.js';
import type { PoolMode } from './pool-task.js';
import type { TaskKwargs } from './worker-channel.js';

export interface PoolOptions {
  /** How many workers (worker mode) or concurrent runs (exec mode): a positive integer, at most MAX_PROCESSES_PER_CPU × the CPU count. */
  processes: number;
  /** The worker program (worker mode) or the program each task runs (exec mode). Exactly one of `command` and `target`. */
  command?: string;
  /**
   * A function to serve in worker mode, with no worker program to write: `tasks.py:square`,
   * `mypkg.tasks:square` or `tasks.mjs:square` (see Process's `target`). The helper loads it once per worker.
   */
  target?: string;
  /** With `target`: runs once per worker before its first task, as `initializer(*initargs)` (a target of the same language). */
  initializer?: string;
  initargs?: unknown[];
  /** With a Python `target`: the interpreter. Default `python3` on PATH (`python` on Windows). */
  python?: string;
  /** With a Node `target`: the interpreter. Default `node` on PATH. */
  node?: string;
  /** With `target`: the helpers' folder. Default: resources/workers of this checkout or build. */
  workersDir?: string;
  /** Its arguments. In exec mode, `{}`, `{1}`, `{2}`, … are replaced by the task's arguments. */
  args?: string[];
  /** Default 'worker'. */
  mode?: PoolMode;
  /** Worker mode: replace a worker after it ran this many tasks. Exec mode is always 1. */
  maxTasksPerChild?: number | null;
  /** Default `Pool-1`, `Pool-2`, … */
  name?: string;
  /** Passed to every worker Process. Default true, as in Python. */
  daemon?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  /** Every worker's authkey (POOLDECK_AUTHKEY): exactly 32 bytes. Default: the run's key. */
  authkey?: Buffer;
  /** The channel every worker gets at POOLDECK_ADDRESS (see Process's `channelServer`). */
  channelServer?: ChannelRegistry;
  /**
   * Allow `processes` above the sane maximum (MAX_PROCESSES_PER_CPU × the CPU count, and the
   * user's process limit, `ulimit -u`). Default false: a typo such as 10000 must not fork ten
   * thousand workers.
   */
  allowOversubscribe?: boolean;
}

export interface MapOptions {
  /**
   * Worker mode: how many items make one chunk, handed to a worker as one unit (one `batch` message
   * and one list of values for workers that opted in to batches, per-item lines for the others).
   * Default, as in Python: ceil(items / (4 × processes)) for map, starmap, mapAsync and
   * starmapAsync; 1 for imap and imapUnordered. 1 means one task per item. Ignored in exec mode.
   */
  chunksize?: number;
}

/** `pool.applyAsync(args, options)`: multiprocessing's `callback`/`error_callback`, and keyword arguments. */
export interface ApplyAsyncOptions<T> extends AsyncResultCallbacks<T> {
  /**
   * Keyword arguments (worker mode): sent as the task's `"kwargs"` object. The Python helper calls
   * `handler(*args, **kwargs)`; the Node helper passes them as one more, last argument. Left out or
   * empty, the worker gets none.
   */
  kwargs?: TaskKwargs;
}

/** `processes` above this many per CPU is refused unless `allowOversubscribe` is set. */
export const MAX_PROCESSES_PER_CPU = 64;

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** The soft `ulimit -u` (max user processes), or null when unlimited or unknown (not Linux). */
function userProcessLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max processes'));
    const soft = line?.slice('Max processes'.length).trim().split(/\s+/)[0];
    const limit = Number(soft);
    return Number.isSafeInteger(limit) && limit > 0 ? limit : null;
  } catch {
    return null;
  }
}

function checkProcesses(processes: unknown, allowOversubscribe: boolean): void {
  if (typeof processes !== 'number' || !Number.isInteger(processes) || processes < 1) {
    throw new TypeError(`Pool: \`processes\` must be a positive integer (got ${describeValue(processes)})`);
  }
  if (allowOversubscribe) return;
  const cpus = availableParallelism();
  const perCpu = MAX_PROCESSES_PER_CPU * cpus;
  if (processes > perCpu) {
    throw new RangeError(
      `Pool: \`processes\` is ${processes}, more than ${perCpu} (${MAX_PROCESSES_PER_CPU} × ${cpus} CPUs); ` +
        'use a smaller number, or pass `allowOversubscribe: true` to start that many anyway',
    );
  }
  const ulimit = userProcessLimit();
  if (ulimit !== null && processes > ulimit) {
    throw new RangeError(
      `Pool: \`processes\` is ${processes}, more than this user may run (ulimit -u is ${ulimit}); ` +
        'use a smaller number, or pass `allowOversubscribe: true` to try anyway',
    );
  }
}

export function validateOptions(options: PoolOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Pool: options must be an object such as { processes: 4, command: "python3", args: ["worker.py"] }');
  }
  const { processes, command, args, mode, maxTasksPerChild, name, daemon, cwd, env, allowOversubscribe } = options;
  if (allowOversubscribe !== undefined && typeof allowOversubscribe !== 'boolean') {
    throw new TypeError(`Pool: \`allowOversubscribe\` must be true or false (got ${describeValue(allowOversubscribe)})`);
  }
  checkProcesses(processes, allowOversubscribe === true);
  if ((command === undefined) === (options.target === undefined)) {
    throw new TypeError('Pool: give exactly one of `command` (a worker program) and `target` (a function, FILE:ATTR or MODULE:ATTR)');
  }
  if (options.target !== undefined) {
    if (mode !== undefined && mode !== 'worker') throw new TypeError("Pool: a `target` is served in worker mode; leave `mode` out or set it to 'worker'");
    if (args !== undefined) throw new TypeError('Pool: `args` is for a `command`; a `target` gets its arguments from each task');
  } else if (typeof command !== 'string' || command.length === 0) {
    throw new TypeError(`Pool: \`command\` must be a non-empty string, the program to run (got ${describeValue(command)})`);
  }
  if (args !== undefined) {
    if (!Array.isArray(args)) throw new TypeError(`Pool: \`args\` must be an array of strings (got ${describeValue(args)})`);
    const bad = args.findIndex((arg) => typeof arg !== 'string');
    if (bad >= 0) throw new TypeError(`Pool: \`args\` must be an array of strings (args[${bad}] is ${describeValue(args[bad])})`);
  }
  if (mode !== undefined && mode !== 'worker' && mode !== 'exec') {
    throw new TypeError(`Pool: \`mode\` must be 'worker' or 'exec' (got ${describeValue(mode)})`);
  }
  if (maxTasksPerChild !== undefined && maxTasksPerChild !== null) {
    if (typeof maxTasksPerChild !== 'number' || !Number.isInteger(maxTasksPerChild) || maxTasksPerChild < 1) {
      throw new TypeError(`Pool: \`maxTasksPerChild\` must be a positive integer, or left out for no limit (got ${describeValue(maxTasksPerChild)})`);
    }
    if (mode === 'exec' && maxTasksPerChild !== 1) {
      throw new TypeError(`Pool: in exec mode every task runs its own process, so \`maxTasksPerChild\` can only be 1 or left out (got ${maxTasksPerChild})`);
    }
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new TypeError(`Pool: \`name\` must be a non-empty string (got ${describeValue(name)})`);
  }
  if (daemon !== undefined && typeof daemon !== 'boolean') throw new TypeError(`Pool: \`daemon\` must be true or false (got ${describeValue(daemon)})`);
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd.length === 0)) {
    throw new TypeError(`Pool: \`cwd\` must be a non-empty string, a folder (got ${describeValue(cwd)})`);
  }
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env)) {
      throw new TypeError(`Pool: \`env\` must be an object of string values (got ${describeValue(env)})`);
    }
    for (const [key, value] of Object.entries(env)) {
      if (typeof value !== 'string') throw new TypeError(`Pool: \`env\` values must be strings (env.${key} is ${describeValue(value)})`);
    }
  }
}

export function checkTaskArgs(args: unknown, what: string): asserts args is unknown[] {
  if (!Array.isArray(args)) throw new TypeError(`${what} must be an array of the task's arguments (got ${describeValue(args)})`);
}

/**
 * Task arguments travel as JSON (to a worker, or to an exec task's command line), where a NaN would
 * become null and a Map `{}`: refuses them, naming where (`apply(args): args[1] is NaN, …`).
 */
export function checkJsonValue(value: unknown, what: string): void {
  const problem = jsonProblem(value, what);
  if (problem) throw new TypeError(problem);
}

/** The same for a call's items: `map: item 2 is NaN, …`, `starmap: item 2: args[1] is a Map, …`. */
export function checkJsonItems(items: readonly unknown[], method: string, star: boolean, firstIndex = 0): void {
  const problem = findJsonProblem(items);
  if (!problem) return;
  const [index, ...rest] = problem.path;
  if (typeof index !== 'number') throw new TypeError(describeJsonProblem(`${method}: items`, problem));
  throw new TypeError(describeJsonProblem(`${method}: item ${firstIndex + index}${star ? ': args' : ''}`, { path: rest, what: problem.what }));
}

/** Keyword arguments: left out, or a plain object (its values are sent as JSON). */
export function checkKwargs(kwargs: unknown, what: string, mode: PoolMode): asserts kwargs is TaskKwargs | undefined {
  if (kwargs === undefined) return;
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) {
    throw new TypeError(`${what} must be an object of keyword arguments such as { scale: 2 }, or left out (got ${describeValue(kwargs)})`);
  }
  if (mode === 'exec' && Object.keys(kwargs).length > 0) {
    throw new TypeError(`${what}: an exec-mode task runs a command line, which has no keyword arguments; put them in args`);
  }
}

export function checkChunksize(options: MapOptions | undefined): number | undefined {
  const chunksize = options?.chunksize;
  if (chunksize === undefined) return undefined;
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
    throw new TypeError(`chunksize must be a positive integer (got ${describeValue(chunksize)})`);
  }
  return chunksize;
}

/** Whether `value` can be iterated with `for await` but not with `for` (an async generator, a stream). */
export function isAsyncOnly(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function'
  );
}

/** Checks that a map-style call's input is iterable (sync or async), naming the method. */
export function checkIterable(items: unknown, star: boolean, method: string, allowAsync: boolean): void {
  const object = items as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  const sync = object !== null && object !== undefined && typeof object[Symbol.iterator] === 'function';
  const async = allowAsync && object !== null && object !== undefined && typeof object[Symbol.asyncIterator] === 'function';
  if (!sync && !async) {
    const what = star ? 'argument lists' : 'items';
    const kinds = allowAsync ? 'an array, another iterable or an async iterable' : 'an array or other iterable';
    throw new TypeError(`${method}: expected ${kinds} of ${what} (got ${describeValue(items)})`);
  }
}
