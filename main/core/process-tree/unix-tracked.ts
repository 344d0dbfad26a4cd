// One started process's tree on Unix (Linux through /proc, macOS through one `ps` per turn; both via
// proc-stat.ts): the process group it leads, and the descendants that left that group, each known by
// its pid and start time so that a stranger who inherits a pid is never signalled.
import { descendantsOf, processTableThisTurn, readAllProcStats, readProcStat } from '../proc-stat.js';
import type { TrackedTree } from './types.js';
import { trySignal } from './unix-tree.js';

export class UnixTrackedTree implements TrackedTree {
  readonly #pid: number;
  readonly #startTime: number;
  /** Descendants seen while the leader lived (pid → start time): those that left the group are signalled by pid. */
  readonly #knownDescendants = new Map<number, number>();
  /** The leader was reaped: from then on its pid (and so its group id) may be given to a stranger. */
  #reaped = false;
  /** Members of the group still alive when the leader was reaped (pid → start time); null: none. */
  #groupLeftovers: Map<number, number> | null = null;

  constructor(pid: number) {
    this.#pid = pid;
    this.#startTime = readProcStat(pid)?.startTime ?? -1;
  }

  holdsItsPid(): boolean {
    return !this.#reaped && readProcStat(this.#pid)?.startTime === this.#startTime;
  }

  reaped(): void {
    this.#reaped = true;
    this.#groupLeftovers = groupMembers(this.#pid);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.holdsItsPid()) {
      // Descendants that left the group (setsid, setpgid) are found in the process table and
      // remembered, so they can be reached even after the leader is gone.
      const table = processTableThisTurn();
      for (const pid of descendantsOf(this.#pid, table.children)) {
        this.#knownDescendants.set(pid, table.startTimes.get(pid)!);
      }
    }
    // The group id is the leader's pid; the kernel does not hand out a pid still used as a group id,
    // so signalling the group cannot hit a stranger while any member of ours is alive.
    if (this.#groupIsOurs()) trySignal(-this.#pid, signal);
    for (const [pid, startTime] of this.#knownDescendants) {
      const stat = readProcStat(pid);
      // Another process with the same pid by now, or a zombie (dead; nothing to end).
      if (stat?.startTime !== startTime || stat.state === 'Z') {
        this.#knownDescendants.delete(pid);
        continue;
      }
      if (stat.pgrp !== this.#pid || !this.#groupIsOurs()) trySignal(pid, signal);
    }
  }

  alive(): boolean {
    if (this.#groupIsOurs() && groupExists(this.#pid, !this.#reaped)) return true;
    for (const [pid, startTime] of this.#knownDescendants) {
      const stat = readProcStat(pid);
      if (stat?.startTime === startTime && stat.state !== 'Z') return true;
    }
    return false;
  }

  release(): void {
    this.#knownDescendants.clear();
    this.#groupLeftovers = null;
  }

  /**
   * Whether the process group named by our pid is still ours. Until the leader is reaped its pid is taken,
   * so the group id is ours. Afterwards it stays ours only while a member seen at that moment is alive and
   * still in it (the kernel does not hand out a pid still used as a group id); once the group emptied, the
   * pid may name a stranger's group, which must never be signalled.
   */
  #groupIsOurs(): boolean {
    if (!this.#reaped) return true;
    const leftovers = this.#groupLeftovers;
    if (leftovers === null) return false;
    for (const [pid, startTime] of leftovers) {
      const stat = readProcStat(pid);
      if (stat !== null && stat.startTime === startTime && stat.pgrp === this.#pid && stat.state !== 'Z') return true;
      leftovers.delete(pid);
    }
    this.#groupLeftovers = null;
    return false;
  }
}

/**
 * The live (non-zombie) members of process group `pgid`, or null when there are none. Called once per exit;
 * only a group that outlived its leader pays for a scan of the process table.
 */
function groupMembers(pgid: number): Map<number, number> | null {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  const members = new Map<number, number>();
  for (const stat of readAllProcStats()) {
    if (stat.pgrp === pgid && stat.state !== 'Z') members.set(stat.pid, stat.startTime);
  }
  return members.size > 0 ? members : null;
}

function groupExists(pgid: number, leaderAlive: boolean): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (leaderAlive) return true;
  // A group whose only members are zombies (orphans not yet reaped) still answers signal 0;
  // they are dead for our purposes. Only this rarer case pays for a scan of the process table.
  return readAllProcStats().some((stat) => stat.pgrp === pgid && stat.state !== 'Z');
}
