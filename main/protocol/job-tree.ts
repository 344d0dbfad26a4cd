import { z } from 'zod';
import type { InspectedPoolRow, Inspection } from './inspection.js';
import { IdArgsSchema } from './schemas.js';

// A job's process tree as the expanded row shows it (getProcessTree), and ending one of its
// descendants (signalDescendant). A descendant is named by pid AND start time: a pid the OS gave to
// another process since the row was drawn is refused, never signalled.

/** One process below a job, with its own descendants nested as the OS tree is. */
export interface TreeProcessRow {
  pid: number;
  ppid: number;
  /** Its process group; null where the platform has none (Windows). */
  pgid: number | null;
  /** The kernel's one-letter state: R running, S sleeping, D disk wait, Z zombie, T stopped…; null when unknown. */
  state: string | null;
  /** The command line, arguments joined by spaces; empty for a zombie (the kernel dropped it). */
  command: string;
  /** With the pid, the process's identity: pass it back to signalDescendant as it came. */
  startTime: number;
  /** ms since the epoch, from the last sampling tick; null until the sampler has seen it. */
  startedAt: number | null;
  /** % of one core, from the last sampling tick; null until the sampler has seen it. */
  cpu: number | null;
  /** Resident memory in bytes, from the last sampling tick; null until the sampler has seen it. */
  memory: number | null;
  children: TreeProcessRow[];
}

/** getProcessTree's answer: the job's live descendants, and what the inspector saw inside the job. */
export interface ProcessTree {
  /** The job's root pid; null when it is not running (then `children` is empty). */
  pid: number | null;
  /** The job's own children, each with its descendants. */
  children: TreeProcessRow[];
  /** When the tree was read (ms since the epoch). */
  time: number;
  inspection: Inspection | null;
}

export const SignalDescendantArgsSchema = IdArgsSchema.extend({
  pid: z.number({ error: 'pid must be a number: the descendant\'s pid' }).int({ error: 'pid must be a whole number' }).positive({ error: 'pid must be positive' }),
  startTime: z.number({ error: 'startTime must be a number: the start time getProcessTree gave with the pid' }),
  signal: z.enum(['SIGTERM', 'SIGKILL'], { error: 'signal must be SIGTERM (terminate) or SIGKILL (kill)' }),
  /** The descendant alone, or the process group it leads. */
  scope: z.enum(['process', 'group'], { error: 'scope must be "process" (the descendant alone) or "group" (the process group it leads)' }).default('process'),
});

/** Where signalDescendant's signal went. */
export interface DescendantSignalled {
  pid: number;
  signal: 'SIGTERM' | 'SIGKILL';
  /** True when the whole group the descendant leads was signalled. */
  toGroup: boolean;
}

/** The pools the inspector saw inside one job, for the Pools view's "inside crawl.py" cards. */
export interface InspectedJobPools {
  /** The job's row id. */
  id: string;
  name: string;
  command: string;
  args: string[];
  isAlive: boolean;
  pools: InspectedPoolRow[];
  /** The multiprocessing name of each worker pid the pools had (`ForkPoolWorker-3`), where the inspector knows it. */
  workerNames: Record<string, string>;
}
