// The seam between the Pool (public API, task records, the state machine) and what runs its
// tasks: a backend takes queued tasks, runs them somewhere, and reports their outcomes. Today:
// WorkerBackend (long-lived workers on the worker protocol) and ExecBackend (one process per task);
// a later backend (a cluster's job array) plugs in here too. After CPython's Lib/multiprocessing/
// pool.py, where a task handler, a result handler and a worker handler share the pool's state.

import type { ChannelRegistry } from './channel-server.js';
import type { Encoder } from './pool-plan.js';
import type { TaskQueue } from './pool-queue.js';
import type { TaskEntry } from './pool-task.js';
import type { Process } from './process.js';

/** What a Pool gives its backend: its settings, its queue, and the calls that move tasks along. */
export interface PoolCore {
  readonly name: string;
  readonly processes: number;
  readonly maxTasksPerChild: number | null;
  readonly command: string;
  readonly args: readonly string[];
  readonly daemon: boolean;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly authkey: Buffer;
  readonly channelServer: ChannelRegistry | undefined;
  /** Tasks waiting for a process, oldest first; the backend takes them from the front. */
  readonly queue: TaskQueue;
  /** Running or closed: tasks still run. False once terminating. */
  readonly active: boolean;
  /** Closed, with nothing queued and no imap input left to read: workers are no longer wanted. */
  readonly windingDown: boolean;
  /** The name of the next process: `Pool-1-Worker-7`. */
  nextProcessName(): string;
  /** Announces a new process (the 'worker' event), before it starts. */
  announce(proc: Process): void;
  /** The task went to a process: record it running (and emit, unless `emit` is false). */
  markRunning(entry: TaskEntry, pid: number | null, processName: string, emit?: boolean): void;
  /** The task ended: record it, settle its promise, emit. `recordedValue`: what its record keeps, when not the value. */
  finish(entry: TaskEntry, ok: boolean, valueOrError: unknown, recordedValue?: unknown): void;
  /** The task will not run: the pool was terminated. */
  cancel(entry: TaskEntry): void;
  /** Every queued task fails with `error` (in one pass, with one 'tasksFailed' event). */
  failQueued(error: Error): void;
  /** The workers keep ending before answering (the breaker tripped, with `error`), or that is over (null). */
  brokenChanged(error: Error | null): void;
  /** Something changed (a process started, answered or ended): hand out tasks, wind down, settle join(). */
  changed(): void;
}

export interface PoolBackend {
  /** How tasks are encoded for this backend (and whether map chunks run as one unit). */
  readonly encoder: Encoder;
  /** The live processes that have a pid. */
  workers(): Process[];
  /** True when no process of the backend is alive or about to start (a closed pool is then joined). */
  readonly idle: boolean;
  /** Hands queued tasks to processes, as many as it can now. */
  dispatch(): void;
  /** A task was submitted (the worker backend starts a fresh worker for it when its breaker allows). */
  submitted(): void;
  /** The pool is closed and its queue is empty: let the processes go once they are done. */
  windDown(): void;
  /** Cancels every task it holds (with `core.cancel`) and stops every process; resolves once all are gone. */
  terminate(): Promise<void>;
}
