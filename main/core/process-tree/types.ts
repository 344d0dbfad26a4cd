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
  /** Follows the tree of a process the core just started (it got `pid` this turn), until it is released. */
  track(pid: number): TrackedTree;
}

/**
 * The tree of one process the core started, from its spawn on: its identity (pid and start time),
 * the descendants seen while it lived, and how to signal or end what is left of it.
 */
export interface TrackedTree {
  /** Whether the process started still runs under its pid (not reaped, and not a stranger reusing it). */
  holdsItsPid(): boolean;
  /** Node reaped the process (its 'exit'): from now on its pid may be given to another. */
  reaped(): void;
  /**
   * Sends `signal` to what is left of the tree: the process while it holds its pid, its descendants
   * (those seen while it lived, each still under its own start time). On Windows SIGKILL forces the
   * end and any other signal asks it (taskkill without and with /F).
   */
  signal(signal: NodeJS.Signals): void;
  /** Whether anything of the tree is still alive. */
  alive(): boolean;
  /** Forgets the pids it tracked: nothing is reachable through it any more. */
  release(): void;
}
