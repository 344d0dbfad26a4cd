import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTreeFor } from '../../main/core/process-tree/index.js';
import { hasProcfs, unixLike } from './platform.js';

// What the kernel says about one of the tests' own processes: from /proc on Linux, from ps on macOS.
// Windows has no such states (a process runs or is gone), so stateOf's tests skip there.

/** The one-letter state of a pid (S sleeping, T stopped, Z zombie), or null once it is gone. */
export function stateOf(pid: number): string | null {
  if (!unixLike) throw new Error(`stateOf(${pid}): Windows has no process states; skip this test unless unixLike`);
  try {
    if (!hasProcfs) return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()[0] ?? null;
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return null;
  }
}

/** The pids of a process's children, from /proc on Linux, else from the core's process table. */
export function childrenOf(pid: number): number[] {
  if (!hasProcfs) return processTreeFor().listProcesses().filter((entry) => entry.ppid === pid).map((entry) => entry.pid);
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
