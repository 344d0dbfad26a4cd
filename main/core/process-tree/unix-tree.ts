// Tree termination on Unix (Linux and macOS alike): the job's process group first, then every
// descendant that left it (setsid, setpgid), found from one reading of the process table.
import { childrenByParent, descendantsOf } from '../proc-stat.js';
import type { ProcessEntry } from './types.js';

export function signalUnixTree(rootPid: number, signal: NodeJS.Signals, table: readonly ProcessEntry[]): void {
  const byPid = new Map(table.map((entry) => [entry.pid, entry]));
  const below = descendantsOf(rootPid, childrenByParent(table));
  // The group id is the leader's pid: signalling it reaches every member that stayed in the group.
  const root = byPid.get(rootPid);
  if (root?.pgid === rootPid) trySignal(-rootPid, signal);
  else trySignal(rootPid, signal);
  for (const pid of below) {
    const entry = byPid.get(pid)!;
    if (!entry.zombie && entry.pgid !== rootPid) trySignal(pid, signal);
  }
}

/** process.kill that ignores a target already gone (ESRCH) or no longer ours (EPERM): nothing to end. */
export function trySignal(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // ESRCH: already gone. EPERM: not ours. Either way there is nothing to end.
  }
}
