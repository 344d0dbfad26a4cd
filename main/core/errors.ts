// Every error the core raises is one of these classes, so callers (and the UI) can tell them apart
// without parsing messages. Messages are written for the person who launched the job.

export class ProcessStartError extends Error {
  override name = 'ProcessStartError';
  constructor(
    message: string,
    /** The OS error code (ENOENT, EACCES, ENOTDIR, …) when the OS gave one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface TaskOutput {
  exitcode: number;
  stdout: string;
  stderr: string;
}

/** A task ended badly: an exec-mode command exited non-zero or by a signal, or a worker returned an error. */
export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  readonly exitcode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** For worker-mode errors: the error type and traceback the worker reported. */
  readonly remoteType: string | null;
  readonly traceback: string | null;
  constructor(
    message: string,
    details: Partial<TaskOutput> & { remoteType?: string | null; traceback?: string | null } = {},
  ) {
    super(message);
    this.exitcode = details.exitcode ?? null;
    this.stdout = details.stdout ?? '';
    this.stderr = details.stderr ?? '';
    this.remoteType = details.remoteType ?? null;
    this.traceback = details.traceback ?? null;
  }
}

/** The worker that held a task died (or broke the protocol) before answering it. */
export class WorkerLostError extends Error {
  override name = 'WorkerLostError';
  constructor(
    message: string,
    readonly pid: number | null,
    readonly exitcode: number | null,
  ) {
    super(message);
  }
}

/** The pool was terminated before this task finished. */
export class TaskCancelledError extends Error {
  override name = 'TaskCancelledError';
}

/** `AsyncResult.get(timeoutMs)` waited longer than asked. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}
