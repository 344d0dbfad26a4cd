// Which processes sit below each tracked root, found from /proc once per tick, as cheaply as possible.
import { existsSync } from 'node:fs';
import { listPids, readLastPid, readStateAndParent, descendantsOf } from './proc-stat.js';

export interface TrackedPid {
  /** Sum this pid's descendants into a tree total. */
  tree: boolean;
  /** From the last sample; lets descendants of one tracked pid be found below another. -1: not known yet. */
  ppid: number;
}

export interface TreeScan {
  /** The tracked pids found in /proc, then the descendants of tree roots that are not tracked themselves. Read only: a later tick may return it again. */
  batch: readonly number[];
  /** Per tree root, the pids below it. Read only, like the batch. */
  descendantsOf: ReadonlyMap<number, readonly number[]>;
  /** True when the last full scan's answer was reused because no process was born into a tree since. */
  reused: boolean;
}

interface ProcEntry {
  ppid: number;
  zombie: boolean;
  /** The tick whose /proc listing last held this pid. */
  seen: number;
}

/** A process not tracked is re-read at least this often (in ticks), in case its parent changed unseen. */
const REFRESH_TICKS = 16;
/**
 * Past this many pids handed out since the last scan, listing /proc once costs less than reading each
 * new process's stat file.
 */
const MAX_NEW_PIDS = 256;

export class TreeScanner {
  /** What the scan learned about the machine's other processes, kept between consecutive ticks. */
  readonly #procs = new Map<number, ProcEntry>();
  #lastScan = -1;
  /** The last full scan's answer still holds (no root added, nobody reparented) … */
  #valid = false;
  /** … and if the kernel has not created a process since (see readLastPid). */
  #lastPidCursor = -1;
  #lastFullScan = -1;
  #lastDescendants = new Map<number, number[]>();
  /** The pids in #lastDescendants, as a set (built when first needed after a full scan). */
  #members: Set<number> | null = null;
  /**
   * The last reused answer and the tracked map it was built for: while the sampler passes the same map
   * (nobody tracked or untracked since) and no full scan ran, the steady-state tick builds nothing.
   */
  #reused: { tracked: ReadonlyMap<number, TrackedPid>; scan: TreeScan } | null = null;

  /** The next scan lists /proc again (a root was added, or someone in a tree was reparented or ended). */
  invalidate(): void {
    this.#valid = false;
  }

  /** A sampled pid's parent, as pidusage read it this tick. */
  noteParent(pid: number, ppid: number): void {
    const cached = this.#procs.get(pid);
    if (cached) cached.ppid = ppid;
  }

  scan(tracked: ReadonlyMap<number, TrackedPid>, tick: number): TreeScan {
    return this.#reuse(tracked, tick) ?? this.#fullScan(tracked, tick);
  }

  /** Every pid below a tree root at the last full scan: a process born to one of them joins a tree. */
  #treeMembers(): Set<number> {
    if (this.#members === null) {
      this.#members = new Set();
      for (const below of this.#lastDescendants.values()) for (const pid of below) this.#members.add(pid);
    }
    return this.#members;
  }

  /**
   * One pass over /proc: tracked pids still present go into the batch, and so do the descendants of every
   * tree root. Only the directory is listed every tick. The stat files of tracked pids are not read here
   * (pidusage reads them, and gives their ppid); those of the machine's other processes are read when a pid
   * is new, when its parent is gone (it was reparented), and every REFRESH_TICKS ticks in rotation.
   */
  #fullScan(tracked: ReadonlyMap<number, TrackedPid>, tick: number): TreeScan {
    // Read before listing, so that a process created during the scan makes the next tick scan again.
    this.#lastPidCursor = readLastPid();
    const batch: number[] = [];
    const descendants = new Map<number, number[]>();
    const pids = listPids();
    if (pids === null) {
      for (const pid of tracked.keys()) batch.push(pid);
      return { batch, descendantsOf: descendants, reused: false };
    }
    const procs = this.#procs;
    // After a pause the cache may hold pids the kernel has given to other processes since.
    if (this.#lastScan !== tick - 1) procs.clear();
    this.#lastScan = tick;

    const others: number[] = [];
    for (const pid of pids) {
      if (tracked.has(pid)) {
        batch.push(pid);
        continue;
      }
      others.push(pid);
      const cached = procs.get(pid);
      if (cached) cached.seen = tick;
    }

    const children = new Map<number, number[]>();
    const addChild = (ppid: number, pid: number): void => {
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    };
    for (const pid of others) {
      let entry = procs.get(pid);
      if (entry === undefined || (pid + tick) % REFRESH_TICKS === 0 || !this.#parentPresent(entry.ppid, tracked, tick)) {
        const stat = readStateAndParent(pid);
        if (stat === null) {
          procs.delete(pid);
          continue;
        }
        if (entry) {
          entry.ppid = stat.ppid;
          entry.zombie = stat.state === 'Z';
        } else {
          entry = { ppid: stat.ppid, zombie: stat.state === 'Z', seen: tick };
          procs.set(pid, entry);
        }
      }
      // Zombies have no memory and no children of their own any more.
      if (!entry.zombie) addChild(entry.ppid, pid);
    }
    if (procs.size > others.length) for (const [pid, entry] of procs) if (entry.seen !== tick) procs.delete(pid);
    for (const [pid, entry] of tracked) if (entry.ppid > 0) addChild(entry.ppid, pid);

    const extra = new Set<number>();
    for (const [root, entry] of tracked) {
      if (!entry.tree) continue;
      // Parent links of tracked pids come from the previous tick: descendantsOf never trusts them to be acyclic.
      const below = descendantsOf(root, children);
      for (const pid of below) if (!tracked.has(pid)) extra.add(pid);
      descendants.set(root, below);
    }
    this.#lastDescendants = descendants;
    this.#members = null;
    this.#reused = null;
    this.#lastFullScan = tick;
    this.#valid = true;
    for (const pid of extra) batch.push(pid);
    return { batch, descendantsOf: descendants, reused: false };
  }

  /**
   * A process joins a tree only by being born into it (pid reuse needs a new process too). The kernel
   * hands out pids in order, so the processes created since the last scan hold the pids after the last
   * one it handed out then: when none of them was born to a tree root or to a process below one, the
   * last scan's descendants still hold, minus those that ended. That reads one stat file per process
   * created on the machine instead of listing /proc and walking every process on it, the largest part
   * of a tick's own cost on a machine that starts processes all the time. A full scan still runs every
   * REFRESH_TICKS ticks, after a track(), after anyone in a tree was reparented, when the pids wrapped
   * around or more than MAX_NEW_PIDS were handed out, and when a new process was born into a tree.
   */
  #reuse(tracked: ReadonlyMap<number, TrackedPid>, tick: number): TreeScan | null {
    if (!this.#valid || this.#lastScan !== tick - 1 || tick - this.#lastFullScan >= REFRESH_TICKS) return null;
    const cursor = readLastPid();
    if (cursor < 0 || cursor < this.#lastPidCursor || cursor - this.#lastPidCursor > MAX_NEW_PIDS) return null;
    if (cursor !== this.#lastPidCursor && !this.#noneBornIntoTrees(this.#lastPidCursor + 1, cursor, tracked, tick)) return null;
    this.#lastPidCursor = cursor;
    if (this.#reused?.tracked === tracked) {
      this.#lastScan = tick;
      return this.#reused.scan;
    }
    const batch: number[] = [];
    const descendants = new Map<number, number[]>();
    const extra = new Set<number>();
    for (const [pid, entry] of tracked) {
      batch.push(pid);
      if (!entry.tree) continue;
      const below = this.#lastDescendants.get(pid);
      if (below === undefined) return null;
      descendants.set(pid, below);
      for (const child of below) if (!tracked.has(child)) extra.add(child);
    }
    this.#lastScan = tick;
    for (const pid of extra) batch.push(pid);
    const scan = { batch, descendantsOf: descendants, reused: true };
    this.#reused = { tracked, scan };
    return scan;
  }

  /**
   * Reads the processes that hold pids `first`…`last` (a pid the kernel skipped because it was in use
   * is an old process: it is in the cache with the same parent) and keeps them in the cache for the next
   * full scan. False as soon as one has a tree's root or member for parent.
   */
  #noneBornIntoTrees(first: number, last: number, tracked: ReadonlyMap<number, TrackedPid>, tick: number): boolean {
    const members = this.#treeMembers();
    for (let pid = first; pid <= last; pid += 1) {
      if (tracked.has(pid)) continue;
      // On a busy machine most new pids are gone by now: a failed open costs a thrown error, about
      // four times this check.
      if (!existsSync(`/proc/${pid}`)) continue;
      const stat = readStateAndParent(pid);
      if (stat === null) continue;
      if (tracked.get(stat.ppid)?.tree === true || members.has(stat.ppid)) return false;
      const entry = this.#procs.get(pid);
      if (entry) {
        entry.ppid = stat.ppid;
        entry.zombie = stat.state === 'Z';
        entry.seen = tick;
      } else this.#procs.set(pid, { ppid: stat.ppid, zombie: stat.state === 'Z', seen: tick });
    }
    return true;
  }

  #parentPresent(ppid: number, tracked: ReadonlyMap<number, TrackedPid>, tick: number): boolean {
    return ppid === 0 || tracked.has(ppid) || this.#procs.get(ppid)?.seen === tick;
  }
}
