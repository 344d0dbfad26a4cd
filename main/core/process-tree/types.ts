// The one interface the core sees the OS process table through, whatever the platform: who is whose
// child, which group each process is in, when it started (with the pid, its identity), and how a whole
// tree is ended. linux.ts, darwin.ts and win32.ts implement it; index.ts picks the running platform's.

/** One row of the process table, in the terms every platform can give. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The process group; null on Windows, which has none. */
  pgid: number | null;
  /** Ended but not yet reaped by its parent: dead for our purposes. */
  zombie: boolean;
  /** When it started, in the platform's own unit (clock ticks, seconds, milliseconds): compare, never convert. */
  startTime: number;
}

export interface ProcessTreePlatform {
  readonly platform: 'linux' | 'darwin' | 'win32';
  /** The whole process table, in one batched read. */
  listProcesses(): ProcessEntry[];
  /**
   * Sends `signal` to the tree below and including `rootPid`, grandchildren that left its group
   * included. On Windows, which has no signals, SIGKILL ends the tree by force and any other signal
   * asks its windows to close.
   */
  signalTree(rootPid: number, signal: NodeJS.Signals): void;
}
