// The words the engine and every UI share: a pool's mode and state, a task's state, counts and
// error. Types only, importing nothing, so that main/core can use them without depending on the
// protocol's schemas or rows.

export type PoolMode = 'worker' | 'exec';
export type PoolState = 'running' | 'closed' | 'terminating' | 'terminated' | 'joined';
export type TaskState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface TaskError {
  type: string;
  message: string;
  traceback?: string;
}
