// The lines of a process's log, as the log store keeps them and every UI shows them. Types only,
// importing nothing: the core's log store produces them, so they sit at the bottom with the other shared words.

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
