import { closeSync, existsSync, openSync, readSync, readdirSync } from 'node:fs';
import { listWithPs } from './process-tree/ps-listing.js';

// The process table as the core reads it: every /proc listing, stat read and descendant walk of the
// engine goes through here (tree termination in process.ts, the sampler's tree scan). Where there is
// no /proc (macOS, the BSDs), stat reads and whole-table reads come from one `ps` run per event-loop
// turn instead; listPids stays null there, so the sampler keeps its own path. Windows has neither.

/** The fields of /proc/<pid>/stat the core needs (or of `ps` where there is no /proc; none on Windows). */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** Clock ticks since boot at which the process started: with the pid, a process's identity. */
  startTime: number;
}

function parseProcStat(pid: number, text: string): ProcStat | null {
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const end = text.lastIndexOf(')');
  if (end < 0) return null;
  const fields = text.slice(end + 2).split(' ');
  // fields[0] is field 3 of proc(5), so field N is fields[N - 3].
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTime: Number(fields[19]),
  };
}

const readBuffer = Buffer.allocUnsafe(4096);

/** Reads a small /proc file into the shared buffer, without readFileSync's fstat and allocations; its length, or -1. */
function readSmallBytes(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    return readSync(fd, readBuffer, 0, readBuffer.length, 0);
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

function readSmall(path: string): string | null {
  const length = readSmallBytes(path);
  return length < 0 ? null : readBuffer.toString('latin1', 0, length);
}

const procAvailable = existsSync('/proc/self/stat');
const psAvailable = !procAvailable && process.platform !== 'win32';

let psTable: Map<number, ProcStat> | null = null;

/**
 * Without /proc: the table from one `ps` run, read at most once per turn of the event loop (a process
 * started or signalled in the same turn shares it). Start times are seconds, not clock ticks: they are
 * only compared with each other.
 */
function psTableThisTurn(): Map<number, ProcStat> {
  if (psTable === null) {
    psTable = new Map(
      listWithPs().map((entry) => [entry.pid, { pid: entry.pid, ppid: entry.ppid, pgrp: entry.pgid ?? -1, state: entry.zombie ? 'Z' : 'S', startTime: entry.startTime }]),
    );
    setImmediate(() => {
      psTable = null;
    }).unref();
  }
  return psTable;
}

/** /proc/<pid>/stat, cheaply: the sampler's scan runs this for many processes each tick. */
export function readProcStat(pid: number): ProcStat | null {
  if (psAvailable) return psTableThisTurn().get(pid) ?? null;
  const text = readSmall(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(pid, text);
}

/** The two fields of a stat line the sampler reads for many pids per tick. */
export interface StateAndParent {
  state: string;
  ppid: number;
}

const CLOSING_PARENTHESIS = 0x29;
const SPACE = 0x20;
const ZERO = 0x30;

/**
 * The state and parent of `pid`, parsed from the stat line's bytes in place: no string for the line and
 * none per field (readProcStat's split makes about 50): about a fifth less CPU per read of a live pid.
 */
export function readStateAndParent(pid: number): StateAndParent | null {
  if (psAvailable) return readProcStat(pid);
  const length = readSmallBytes(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may itself contain spaces or ')': the last one ends it.
  let end = length - 1;
  while (end >= 0 && readBuffer[end] !== CLOSING_PARENTHESIS) end -= 1;
  if (end < 0 || end + 4 >= length) return null;
  // ") S 1234 …": the state at end + 2, the parent from end + 4.
  let ppid = 0;
  for (let at = end + 4; at < length && readBuffer[at] !== SPACE; at += 1) ppid = ppid * 10 + readBuffer[at] - ZERO;
  return { state: String.fromCharCode(readBuffer[end + 2]), ppid };
}

/** The pids in /proc, or null when it cannot be listed (not Linux). */
export function listPids(): number[] | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  const pids: number[] = [];
  for (const name of names) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    pids.push(Number(name));
  }
  return pids;
}

/** The pid the kernel handed out last (the 5th field of /proc/loadavg): it moves whenever a process is created. -1 if unknown. */
export function readLastPid(): number {
  const text = readSmall('/proc/loadavg');
  if (text === null) return -1;
  const value = Number(text.trim().slice(text.trim().lastIndexOf(' ') + 1));
  return Number.isInteger(value) ? value : -1;
}

/** Every process visible in /proc (or to `ps`), read once. */
export function readAllProcStats(): ProcStat[] {
  if (psAvailable) return [...psTableThisTurn().values()];
  const stats: ProcStat[] = [];
  for (const pid of listPids() ?? []) {
    const stat = readProcStat(pid);
    if (stat) stats.push(stat);
  }
  return stats;
}

/** Groups `stats` by parent pid, so descendants can be walked without rereading /proc. */
export function childrenByParent(stats: readonly Pick<ProcStat, 'pid' | 'ppid'>[]): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  return children;
}

/**
 * The pids below `rootPid` (not including it), from a parent→children map. Safe against cycles, which
 * a map built from parent links read at different moments can hold.
 */
export function descendantsOf(rootPid: number, children: ReadonlyMap<number, readonly number[]>): number[] {
  const found: number[] = [];
  const first = children.get(rootPid);
  if (!first) return found;
  const seen = new Set<number>([rootPid]);
  const stack = first.slice();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    found.push(pid);
    const below = children.get(pid);
    if (below) for (const child of below) stack.push(child);
  }
  return found;
}

/** One reading of the whole process table: who is whose child, and each pid's start time. */
export interface ProcessTable {
  children: Map<number, number[]>;
  startTimes: Map<number, number>;
}

let sharedTable: ProcessTable | null = null;

/**
 * The process table, read at most once per turn of the event loop. Stopping 500 jobs signals 500 trees in
 * one synchronous pass; a scan of /proc each would make that quadratic (seconds instead of milliseconds).
 * Within one pass the table cannot be staler than the moment the first signal was sent.
 */
export function processTableThisTurn(): ProcessTable {
  if (sharedTable === null) {
    const stats = readAllProcStats();
    sharedTable = { children: childrenByParent(stats), startTimes: new Map(stats.map((stat) => [stat.pid, stat.startTime])) };
    setImmediate(() => {
      sharedTable = null;
    }).unref();
  }
  return sharedTable;
}
