import type { z } from 'zod';
import { DrainQueueArgsSchema, PutQueueItemArgsSchema, SendOnPipeArgsSchema, SetEventArgsSchema, SetSharedValueArgsSchema } from './channel-args.js';
import type { ChannelList } from './channel-rows.js';
import { ListRunsArgsSchema, ReadRunLogArgsSchema, RunIdArgsSchema, SearchRunLogArgsSchema, type RunPage, type RunStarted } from './history.js';
import type { Inspection } from './inspection.js';
import { SignalDescendantArgsSchema, type DescendantSignalled, type InspectedJobPools, type ProcessTree } from './job-tree.js';
import type { LogLine, PartialLogLine, PoolRow, ProcessRow, Snapshot, TaskRow } from './rows.js';
import {
  EmptyArgsSchema,
  IdArgsSchema,
  ListTargetsArgsSchema,
  ListTasksArgsSchema,
  PoolSpecSchema,
  ProcessSpecSchema,
  ReadLogsArgsSchema,
  ReadLogFileArgsSchema,
  SearchLogsArgsSchema,
  StopArgsSchema,
  SubmitTasksArgsSchema,
  WriteStdinArgsSchema,
} from './schemas.js';
import { SignalArgsSchema } from './signal-args.js';
import { ImportJobsArgsSchema, WorkspaceJobArgsSchema, WorkspacePathArgsSchema, type ImportResult, type WorkspaceInfo } from './workspace.js';

/**
 * Every command the UI can send, with the schema of its argument. The result types are in
 * `CommandResults`. Both shells and the renderer are typed from these two maps, so a call with a
 * wrong or extra argument does not compile.
 */
export const commandSchemas = {
  getSnapshot: EmptyArgsSchema,
  createProcess: ProcessSpecSchema,
  createPool: PoolSpecSchema,
  submitTasks: SubmitTasksArgsSchema,
  terminate: IdArgsSchema,
  kill: IdArgsSchema,
  stop: StopArgsSchema,
  restart: IdArgsSchema,
  remove: IdArgsSchema,
  signal: SignalArgsSchema,
  getProcessDetails: IdArgsSchema,
  getInspection: IdArgsSchema,
  getProcessTree: IdArgsSchema,
  signalDescendant: SignalDescendantArgsSchema,
  listInspectedPools: EmptyArgsSchema,
  checkSpec: ProcessSpecSchema,
  closePool: IdArgsSchema,
  terminatePool: IdArgsSchema,
  joinPool: IdArgsSchema,
  removePool: IdArgsSchema,
  listTasks: ListTasksArgsSchema,
  readLogs: ReadLogsArgsSchema,
  searchLogs: SearchLogsArgsSchema,
  readLogFile: ReadLogFileArgsSchema,
  writeStdin: WriteStdinArgsSchema,
  runDemo: EmptyArgsSchema,
  listTargets: ListTargetsArgsSchema,
  listChannels: EmptyArgsSchema,
  putQueueItem: PutQueueItemArgsSchema,
  drainQueue: DrainQueueArgsSchema,
  sendOnPipe: SendOnPipeArgsSchema,
  setSharedValue: SetSharedValueArgsSchema,
  setEvent: SetEventArgsSchema,
  listRuns: ListRunsArgsSchema,
  readRunLog: ReadRunLogArgsSchema,
  searchRunLog: SearchRunLogArgsSchema,
  runAgain: RunIdArgsSchema,
  retryFailedTasks: RunIdArgsSchema,
  getWorkspace: EmptyArgsSchema,
  openWorkspace: WorkspacePathArgsSchema,
  saveWorkspace: EmptyArgsSchema,
  saveWorkspaceAs: WorkspacePathArgsSchema,
  listRecentWorkspaces: EmptyArgsSchema,
  startWorkspaceJob: WorkspaceJobArgsSchema,
  removeWorkspaceJob: WorkspaceJobArgsSchema,
  importJobs: ImportJobsArgsSchema,
} as const;

export type CommandName = keyof typeof commandSchemas;
export const commandNames = Object.keys(commandSchemas) as CommandName[];

export interface ReadLogsResult {
  lines: LogLine[];
  /** Pass as `afterSeq` next time to get only newer lines. */
  lastSeq: number;
  /** What each stream has printed since its last newline (a prompt, a progress bar), as it stands now. */
  partial: PartialLogLine[];
  /** Bytes the log dropped because it was produced faster than it could be kept. */
  droppedBytes: number;
  filePath: string | null;
}

/** A line of a log file that matched a search. */
export interface LogMatch {
  /** 1-based, counted from the first line of the oldest part of the run's file still on disk. */
  line: number;
  /** The line as a terminal shows it (the last drawing of a redrawn line), escape codes kept. */
  text: string;
}

export interface SearchLogsResult {
  /** The newest matches, at most `limit`, oldest first. */
  matches: LogMatch[];
  /** Every matching line, also those beyond `limit`. */
  matchCount: number;
  /** Lines read: all of the file's when `complete`. */
  linesSearched: number;
  /** False when the search stopped early: it took too long, or a newer search of the same log replaced it. */
  complete: boolean;
  filePath: string | null;
}

/** A piece of a run's log file (its parts on disk read as one file), for a download. */
export interface LogFilePiece {
  /** The bytes, base64: a log holds whatever the program wrote, not always UTF-8. */
  data: string;
  /** Where the next piece begins; the file is read when it reaches `totalBytes`. */
  nextOffset: number;
  totalBytes: number;
}

/** A page of a pool's task list, in task id order. */
export interface TaskPage {
  /** How many tasks the list (in the state asked for) holds now: the scrollbar's length. */
  total: number;
  offset: number;
  tasks: TaskRow[];
  /**
   * Where the work stands in this list: the offset of its first running task, else its first queued
   * one; null when nothing in it is left to do.
   */
  workOffset: number | null;
}

/** A top-level function or class of a file, as its helper lists it. */
export interface TargetInfo {
  name: string;
  kind: 'function' | 'class';
  /** `(x, scale=2)`; null when the language cannot tell. */
  signature: string | null;
  /** The first line of its docstring, null when it has none. */
  doc: string | null;
}

/** What a file offers as targets: `${file}:${name}` for each. */
export interface TargetList {
  file: string;
  language: 'python' | 'node';
  targets: TargetInfo[];
}

/** Where a `signal` command's signal went: the process group (job-control signals) or the one process. */
export interface SignalSent {
  signal: string;
  pid: number;
  toGroup: boolean;
}

/** What a process runs with, beyond its row: asked for when the details panel opens. */
export interface ProcessDetails {
  /** The argv the OS started, program first (for a function, the helper's command line). */
  argv: string[];
  /** The working directory, resolved (the app's own when the spec gave none). */
  cwd: string;
  /** The variables the spec added to the app's environment. */
  env: Record<string, string>;
}

/** A field of a spec that cannot start as given, and what would. */
export interface SpecProblem {
  field: 'command' | 'cwd';
  message: string;
}

export interface StopResultValue {
  exitcode: number;
  forced: boolean;
}

export interface CommandResults {
  getSnapshot: Snapshot;
  createProcess: { id: string; row: ProcessRow };
  createPool: { id: string; row: PoolRow };
  submitTasks: { count: number };
  terminate: Record<string, never>;
  kill: Record<string, never>;
  stop: StopResultValue;
  restart: { id: string };
  remove: Record<string, never>;
  signal: SignalSent;
  getProcessDetails: ProcessDetails;
  /** What the multiprocessing inspector saw inside a Python job; null when it reported nothing (yet). */
  getInspection: { inspection: Inspection | null };
  /** The job's live descendants, nested, with the inspector's view: poll it while the row is expanded. */
  getProcessTree: ProcessTree;
  /** Refused when the pid is not below the job, or its start time no longer matches (the pid was reused). */
  signalDescendant: DescendantSignalled;
  /** Every job in which the inspector saw a multiprocessing Pool: poll it while the Pools view shows. */
  listInspectedPools: { jobs: InspectedJobPools[] };
  /** Empty when the spec would start, as far as can be told before trying. */
  checkSpec: { problems: SpecProblem[] };
  closePool: Record<string, never>;
  terminatePool: Record<string, never>;
  /** false: the workers are still exiting; the pool's row turns 'joined' when they have. */
  joinPool: { joined: boolean };
  removePool: Record<string, never>;
  listTasks: TaskPage;
  readLogs: ReadLogsResult;
  searchLogs: SearchLogsResult;
  readLogFile: LogFilePiece;
  writeStdin: Record<string, never>;
  runDemo: { processIds: string[]; poolIds: string[] };
  listTargets: TargetList;
  /** The Channels view's rows as of the last sampling tick: poll it at `sampleIntervalMs`. */
  listChannels: ChannelList;
  /** The queue's size after the put. */
  putQueueItem: { size: number };
  drainQueue: { drained: number };
  /** `replied`: something came back on the same end within `replyWaitMs` (default 2 s); `reply` is it. */
  sendOnPipe: { replied: boolean; reply: unknown };
  setSharedValue: Record<string, never>;
  setEvent: { isSet: boolean };
  /** The open workspace (path null: untitled) and its jobs, started or not. */
  getWorkspace: WorkspaceInfo;
  /** Opens a workspace file and starts its `autostart: true` jobs. */
  openWorkspace: WorkspaceInfo;
  saveWorkspace: WorkspaceInfo;
  saveWorkspaceAs: WorkspaceInfo;
  /** Newest first. */
  listRecentWorkspaces: { paths: string[] };
  /** The row the workspace job started as. */
  startWorkspaceJob: { id: string };
  /** Takes a job that is not running out of the workspace (and its file, a moment later). */
  removeWorkspaceJob: WorkspaceInfo;
  importJobs: ImportResult;
  /** A page of the run history, newest first. */
  listRuns: RunPage;
  /** A piece of a past run's log file, as readLogFile gives a live one's. */
  readRunLog: LogFilePiece;
  searchRunLog: SearchLogsResult;
  /** The same spec started again: a process row, or tasks in a pool (the same one while it takes tasks). */
  runAgain: RunStarted;
  /** A pool run's failed tasks submitted again (GNU parallel's --retry-failed). */
  retryFailedTasks: RunStarted;
}

/** What a caller passes (defaults not yet applied). */
export type CommandArgs<N extends CommandName> = z.input<(typeof commandSchemas)[N]>;
/** What a handler receives (validated, defaults applied). */
export type ValidArgs<N extends CommandName> = z.output<(typeof commandSchemas)[N]>;
export type CommandResult<N extends CommandName> = CommandResults[N];

export type CommandHandlers = {
  [N in CommandName]: (args: ValidArgs<N>) => Promise<CommandResult<N>>;
};

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commandSchemas, name);
}
