import { readFileSync, readdirSync } from 'node:fs';

/** The fields of /proc/<pid>/stat the core needs. Linux only; elsewhere every read returns null. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** Clock ticks since boot at which the process started: with the pid, a process's identity. */
  startTime: number;
}

export function parseProcStat(pid: number, text: string): ProcStat | null {
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

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every process visible in /proc, read once. */
export function readAllProcStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const stats: ProcStat[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readProcStat(pid);
    if (stat) stats.push(stat);
  }
  return stats;
}

/** Groups `stats` by parent pid, so descendants can be walked without rereading /proc. */
export function childrenByParent(stats: ProcStat[]): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  return children;
}

/** The pids below `rootPid` (not including it), from a parent→children map. */
export function descendantsOf(rootPid: number, children: Map<number, number[]>): number[] {
  const found: number[] = [];
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    found.push(pid);
    const below = children.get(pid);
    if (below) stack.push(...below);
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
