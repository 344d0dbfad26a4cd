import { z } from 'zod';
import type { PoolSpec, ProcessSpec } from './schemas.js';

// The run history: one record per run (a process from its start to its end, each restart a run of its
// own; a pool from its creation to its end; each pool task), kept across launches of the app. The
// records, the History view's filters and paging, and the commands that act on a past run.

/** What ended a run: exit 0 (a task done), a non-zero exit or an error, a signal; a pool still going is running. */
export const RUN_STATUSES = ['ok', 'failed', 'signal', 'running'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type RunKind = 'process' | 'pool' | 'task';

export interface RunRecord {
  /** Unique across launches of the app (the live ids p1, pool1 start again at each launch). */
  id: string;
  kind: RunKind;
  name: string;
  /** The program, or null for a function target. */
  command: string | null;
  /** The function (`tasks.py:square`), or null for a command. */
  target: string | null;
  /** A process's arguments (the function's, for a target); a task's arguments. */
  args: unknown[];
  cwd: string | null;
  pid: number | null;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  /** The exit status; -N when signal N ended it; null for a task, a pool, or a start that failed. */
  exitcode: number | null;
  /** `SIGTERM` when a signal ended it. */
  signal: string | null;
  status: RunStatus;
  /** 1 for a row's first run, 2 after its first restart, … (a process); 1 otherwise. */
  run: number;
  /** The pool's run a task belongs to, and its name. */
  poolRunId: string | null;
  poolName: string | null;
  workerPid: number | null;
  /** What the task or the function returned, as JSON text cut to a few KiB. */
  result: string | null;
  /** Why it failed: the task's error, the function's exception, the OS error of a failed start. */
  error: string | null;
  /** The run's log files on disk, oldest part first (a task: its worker's or its own process's). */
  logFiles: string[];
  /** The row's id while this launch of the app lives (p3, pool2): what Retry reaches when the pool still runs. */
  liveId: string | null;
  /** What started it, so that Run again starts the same (a process or a pool; null for a task). */
  spec: ProcessSpec | PoolSpec | null;
  /** A map's chunk recorded as one run: `count` items from the call's item `index`; `failedItem` in the chunk. */
  items?: { index: number; count: number; star: boolean; failedItem?: number };
  /** A pool's tasks when it ended (or now): done, failed, cancelled. */
  counts?: { done: number; failed: number; cancelled: number };
}

/** A page of the history, newest first. */
export interface RunPage {
  /** Runs matching the filter. */
  total: number;
  offset: number;
  runs: RunRecord[];
}

const MAX_RUNS_PER_PAGE = 1_000;

const whole = (field: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(min, { error: `${field} must be at least ${min}` })
    .max(max, { error: `${field} must be at most ${max}` });

const runId = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .min(1, { error: `${field} is required` })
    .max(100, { error: `${field} is too long: at most 100 characters` });

export const RunFilterSchema = z.strictObject({
  /** Part of the job's name, any case. */
  name: z.string({ error: 'filter.name must be text' }).max(200, { error: 'filter.name must be at most 200 characters' }).optional(),
  status: z.enum(RUN_STATUSES, { error: `filter.status must be one of ${RUN_STATUSES.join(', ')} (leave it out for all)` }).optional(),
  kind: z.enum(['process', 'pool', 'task'], { error: 'filter.kind must be process, pool or task (leave it out for all)' }).optional(),
  /** Runs that started at or after this time (ms since the epoch). */
  since: whole('filter.since', 0).optional(),
  /** Runs that started before this time. */
  until: whole('filter.until', 0).optional(),
  /** The tasks of one pool run. */
  poolRunId: runId('filter.poolRunId').optional(),
});
export type RunFilter = z.output<typeof RunFilterSchema>;

export const ListRunsArgsSchema = z.strictObject({
  filter: RunFilterSchema.optional(),
  offset: whole('offset', 0).optional(),
  limit: whole('limit', 1, MAX_RUNS_PER_PAGE).optional(),
});

export const RunIdArgsSchema = z.strictObject({ runId: runId('runId') });

export const ReadRunLogArgsSchema = z.strictObject({ runId: runId('runId'), offset: whole('offset', 0) });

export const SearchRunLogArgsSchema = z.strictObject({
  runId: runId('runId'),
  text: z.string({ error: 'text must be text: what to search for' }).min(1, { error: 'text is required: what to search for' }).max(1000, { error: 'text must be at most 1000 characters' }),
  limit: whole('limit', 1, 10_000).optional(),
});

/** What Run again and Retry failed tasks started: a process row or a pool row, and how many tasks went. */
export interface RunStarted {
  kind: 'process' | 'pool';
  id: string;
  tasks: number;
}
