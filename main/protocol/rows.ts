// The app's view of the world, as plain data: what the UI shows, what snapshots and deltas carry.
// Types only; they import nothing but the protocol's shared words, so the renderer can use them.
// The core keeps its own plain data (its log lines have the same shape as LogLine); the app hands
// it out as these rows, which the compiler checks there.
import type { PoolMode, PoolState, TaskCounts, TaskError, TaskState } from './vocabulary.js';

/** Why a process row exists: a job of its own, a worker of a worker-mode pool, or one exec-mode task. */
export type ProcessKind = 'process' | 'worker' | 'task';

/**
 * starting: spawn asked for; running: has a pid; exited: ended (see exitcode); failed: never got a pid;
 * errored: its restart policy gave up after maxRestarts quick failures (supervisord's FATAL), until the
 * user restarts it.
 */
export type ProcessState = 'starting' | 'running' | 'stopping' | 'exited' | 'failed' | 'errored';

/** A pool row's state: the pool's own, or errored while its workers keep ending before answering (see PoolRow.error). */
export type PoolRowState = PoolState | 'errored';

export interface ProcessRow {
  /** Stable id given by the supervisor (never the pid, which the OS reuses). */
  id: string;
  name: string;
  kind: ProcessKind;
  command: string;
  args: string[];
  cwd: string | null;
  pid: number | null;
  isAlive: boolean;
  daemon: boolean;
  /** null while running or never started; the exit status; -N when signal N ended it. */
  exitcode: number | null;
  state: ProcessState;
  /**
   * While running: the kernel holds the process stopped (SIGSTOP or SIGTSTP, htop's T) until a SIGCONT,
   * as the last sampling tick read it. Always false where it cannot be read (only Linux says).
   */
  suspended: boolean;
  /** The OS error when the process could not start; when errored, why the restarts stopped (last exit code, stderr tail). */
  error: string | null;
  /** The function this process runs (`tasks.py:square`), or null for a command. */
  target: string | null;
  /** The function's arguments (`args` is the helper's command line then). */
  targetArgs: unknown[];
  /** The function's keyword arguments, null when none were given. */
  kwargs: Record<string, unknown> | null;
  /** What the function returned, as JSON text cut to a few KiB (like TaskRow.result); null until it returned, or when it did not. */
  returnValue: string | null;
  /** What the function raised, or why it could not be loaded. */
  targetError: TargetError | null;
  /** CPU of the whole process tree, in % of one core (so 200 = two cores busy). null before the first sample. */
  cpu: number | null;
  /** Resident memory of the whole process tree, in bytes. */
  memory: number | null;
  startedAt: number | null;
  endedAt: number | null;
  poolId: string | null;
  poolName: string | null;
  /** Tasks this process finished (pool workers; 1 for a finished exec-mode task). */
  tasksDone: number;
  /** How many times this row was started again, by the user or by its restart policy. */
  restarts: number;
  /** When its restart policy starts it again (ms since the epoch), or null when no restart is pending. */
  nextRestartAt: number | null;
  /** The exit codes of its previous runs, oldest first, the last 10 (a restart keeps them reachable). */
  previousExitcodes: number[];
}

export interface PoolRow {
  id: string;
  name: string;
  mode: PoolMode;
  processes: number;
  command: string;
  args: string[];
  /** The function the workers serve (`tasks.py:square`), or null for a worker program. */
  target: string | null;
  /** Runs once per worker before its first task (a target), or null. */
  initializer: string | null;
  maxTasksPerChild: number | null;
  daemon: boolean;
  state: PoolRowState;
  /** While errored: what happened (workers ending before they answered a task) and what to try. */
  error: string | null;
  counts: TaskCounts;
  /** Tasks ever submitted. */
  total: number;
  createdAt: number;
  /** Estimated ms until the queue is empty, from the recent task rate; null when unknown. */
  etaMs: number | null;
}

export interface TaskRow {
  /** `${poolId}:${taskId}`: unique across pools. */
  key: string;
  poolId: string;
  taskId: number;
  args: unknown[];
  state: TaskState;
  workerPid: number | null;
  workerName: string | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** The result, as JSON text cut to a few KiB (exec mode: exit code and output tails). */
  result: string | null;
  error: TaskError | null;
}

/** What a target raised (or why it could not be loaded), as the helper reported it. */
export interface TargetError {
  type: string;
  message: string;
  traceback: string;
}

export interface AppStats {
  /** The app's own CPU in % of one core. */
  cpu: number;
  /** The app's own resident memory in bytes. */
  memory: number;
  cores: number;
}

export interface Snapshot {
  seq: number;
  time: number;
  processes: ProcessRow[];
  pools: PoolRow[];
  tasks: TaskRow[];
  /** The last minute of CPU samples per process id, oldest first. */
  cpuHistory: Record<string, number[]>;
  app: AppStats | null;
  sampleIntervalMs: number;
}

/** What changed since the previous delta (or the snapshot with the same `seq - 1`). */
export interface Delta {
  seq: number;
  time: number;
  processes: ProcessRow[];
  removedProcesses: string[];
  pools: PoolRow[];
  removedPools: string[];
  tasks: TaskRow[];
  /** Set when this delta carries a new CPU sample: each process row's `cpu` joins its history. */
  sampled: boolean;
  app: AppStats | null;
}

export interface LogLine {
  seq: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  time: number;
}

/** A line a process has started but not ended yet (a prompt, a progress bar): no seq until its newline. */
export interface PartialLogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** When its first byte arrived. */
  time: number;
}
