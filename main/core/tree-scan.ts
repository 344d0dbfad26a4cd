// Which processes sit below each tracked root, found from /proc once per tick, as cheaply as possible.
import { listPids, readLastPid, readProcStat, descendantsOf } from './proc-stat.js';

export interface TrackedPid {
  /** Sum this pid's descendants into a tree total. */
  tree: boolean;
  /** From the last sample; lets descendants of one tracked pid be found below another. -1: not known yet. */
  ppid: number;
}

export interface TreeScan {
  /** The tracked pids found in /proc, then the descendants of tree roots that are not tracked themselves. */
  batch: number[];
  /** Per tree root, the pids below it. */
  descendantsOf: Map<number, number[]>;
  /** True when the last scan's answer was reused because no process was created since. */
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
        const stat = readProcStat(pid);
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
    this.#lastFullScan = tick;
    this.#valid = true;
    for (const pid of extra) batch.push(pid);
    return { batch, descendantsOf: descendants, reused: false };
  }

  /**
   * When no process was created anywhere since the last scan, no process can have joined a tree (pid
   * reuse needs a new process too), so the last scan's descendants still hold, minus those that ended.
   * Skips listing /proc, the largest part of a tick's own cost. A full scan still runs every
   * REFRESH_TICKS ticks, after a track(), and after anyone in a tree was reparented.
   */
  #reuse(tracked: ReadonlyMap<number, TrackedPid>, tick: number): TreeScan | null {
    if (!this.#valid || this.#lastScan !== tick - 1 || tick - this.#lastFullScan >= REFRESH_TICKS) return null;
    const cursor = readLastPid();
    if (cursor < 0 || cursor !== this.#lastPidCursor) return null;
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
    return { batch, descendantsOf: descendants, reused: true };
  }

  #parentPresent(ppid: number, tracked: ReadonlyMap<number, TrackedPid>, tick: number): boolean {
    return ppid === 0 || tracked.has(ppid) || this.#procs.get(ppid)?.seen === tick;
  }
}
