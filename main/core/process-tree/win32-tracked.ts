// One started process's tree on Windows, which has no process groups: its descendants are found in the
// CIM listing of the process table while it lives, each remembered by its pid and creation time, and a
// signal becomes one `taskkill` run over the process and the descendants still under their creation
// time (/T walks each one's tree; /F only for SIGKILL). The process itself needs no creation time:
// Node holds its handle until it is reaped, and Windows does not reuse a pid while a handle is open.
import { childrenByParent, descendantsOf } from '../proc-stat.js';
import { pidExists } from './pid-exists.js';
import type { ProcessEntry, TrackedTree } from './types.js';

/** Ends a tree: one `taskkill` run with these arguments. */
export type RunTaskkill = (args: string[]) => void;

/**
 * The pids below `rootPid` in `table`. A parent pid is only believed when that parent started no later
 * than the child: Windows keeps a dead parent's pid in its children's rows, and a newer process
 * that got that pid is no parent of theirs.
 */
export function win32Descendants(rootPid: number, table: readonly ProcessEntry[]): ProcessEntry[] {
  const byPid = new Map(table.map((entry) => [entry.pid, entry]));
  const linked = table.filter((entry) => {
    const parent = byPid.get(entry.ppid);
    return entry.pid !== entry.ppid && parent !== undefined && parent.startTime <= entry.startTime;
  });
  return descendantsOf(rootPid, childrenByParent(linked)).map((pid) => byPid.get(pid)!);
}

/**
 * taskkill's arguments for one signal to a tracked tree: the root while it holds its pid, then every
 * remembered descendant; /T to take each one's own tree along, /F for SIGKILL. Null when nothing is left.
 */
export function taskkillTreeArguments(pids: readonly number[], signal: NodeJS.Signals): string[] | null {
  if (pids.length === 0) return null;
  return [...pids.flatMap((pid) => ['/PID', String(pid)]), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])];
}

export class Win32TrackedTree implements TrackedTree {
  readonly #pid: number;
  readonly #list: () => ProcessEntry[];
  readonly #taskkill: RunTaskkill;
  /** Descendants seen while the process lived: pid → creation time. */
  readonly #knownDescendants = new Map<number, number>();
  #reaped = false;

  constructor(pid: number, list: () => ProcessEntry[], taskkill: RunTaskkill) {
    this.#pid = pid;
    this.#list = list;
    this.#taskkill = taskkill;
  }

  /** The descendants it would signal now (pid → creation time), for the tests. */
  get knownDescendants(): ReadonlyMap<number, number> {
    return this.#knownDescendants;
  }

  holdsItsPid(): boolean {
    return !this.#reaped;
  }

  reaped(): void {
    this.#reaped = true;
  }

  signal(signal: NodeJS.Signals): void {
    const table = this.#list();
    if (!this.#reaped) for (const entry of win32Descendants(this.#pid, table)) this.#knownDescendants.set(entry.pid, entry.startTime);
    const current = new Map(table.map((entry) => [entry.pid, entry.startTime]));
    for (const [pid, created] of this.#knownDescendants) {
      // Gone, or its pid now names another process: never end a stranger.
      if (current.get(pid) !== created) this.#knownDescendants.delete(pid);
    }
    const args = taskkillTreeArguments([...(this.#reaped ? [] : [this.#pid]), ...this.#knownDescendants.keys()], signal);
    if (args !== null) this.#taskkill(args);
  }

  alive(): boolean {
    if (!this.#reaped) return true;
    for (const pid of this.#knownDescendants.keys()) if (pidExists(pid)) return true;
    return false;
  }

  release(): void {
    this.#knownDescendants.clear();
  }
}
