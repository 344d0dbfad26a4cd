// What the multiprocessing inspector (resources/inspector) saw inside one Python job: its
// multiprocessing Processes, Pools, Queues and shared Values, as the program's own objects say.

/** A `multiprocessing.Process` the program started, as its parent sees it (exit codes after join/poll). */
export interface InspectedProcessRow {
  pid: number;
  /** `Process-1`, `ForkPoolWorker-3`, a subclass's name. */
  name: string;
  /** The class: `Process`, `SpawnProcess`, the user's subclass. */
  className: string;
  daemon: boolean;
  /** As far as its parent knows: false once its parent saw it end. */
  alive: boolean;
  /** null while running; the status; `-N` when signal N ended it; 1 for an uncaught exception. */
  exitcode: number | null;
  /** The process that started it. */
  ppid: number;
  /** `run_task('3',)`; null for a subclass's run() or a pool worker. */
  target: string | null;
  /** The uncaught exception's traceback, when it died of one. */
  traceback: string | null;
}

/** A task a pool worker ran: multiprocessing's (job, index) — index is the chunk of a map. */
export interface InspectedTaskRow {
  job: number;
  index: number;
  /** The pid of the worker that ran it. */
  worker: number;
  /** `square(3,)`, or `square × 13` for a chunk of a map. */
  call: string | null;
  state: 'running' | 'done' | 'failed';
  traceback: string | null;
}

export interface InspectedPoolFailure {
  job: number;
  index: number;
  error: string;
  traceback: string;
}

/** A `multiprocessing.Pool`. */
export interface InspectedPoolRow {
  /** Unique within the job: the pid that made it and its number there (`1234:Pool-1`). */
  key: string;
  name: string;
  ppid: number;
  processes: number;
  /** Every worker pid the pool has had, current ones last. */
  workers: number[];
  state: 'running' | 'closed' | 'terminated';
  /** Tasks handed to the workers (map chunks count one each), and those whose result came back. */
  submitted: number;
  done: number;
  failed: number;
  running: number;
  /** The first failures, with their tracebacks. */
  failures: InspectedPoolFailure[];
  /** The newest tasks, with the worker that ran each. */
  tasks: InspectedTaskRow[];
}

export interface InspectedQueueRow {
  key: string;
  /** `Queue` or `JoinableQueue`. */
  kind: string;
  /** 0: unbounded. */
  maxsize: number;
  /** Approximate, as `qsize()`; null where the OS cannot tell (macOS). */
  size: number | null;
}

export interface InspectedValueRow {
  key: string;
  kind: 'Value' | 'Array';
  typecode: string;
  /** The current value (an Array's first items), read where it lives. */
  value: unknown;
  length: number | null;
}

/** Everything the inspector reported for one job. */
export interface Inspection {
  processes: InspectedProcessRow[];
  pools: InspectedPoolRow[];
  queues: InspectedQueueRow[];
  values: InspectedValueRow[];
}
