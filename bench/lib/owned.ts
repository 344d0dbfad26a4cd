// Every process the bench starts is registered here, with its start time, so that a run that fails,
// is interrupted or times out still ends all of them, and only them (a pid reused since is left alone).
import { readStat } from './procfs.js';

interface Owned {
  pid: number;
  startTime: number;
  /** Signal the whole process group (the process leads one) rather than the pid alone. */
  group: boolean;
  label: string;
}

const owned = new Map<number, Owned>();

/** Remember `pid` (which must be alive now) as ours. */
export function own(pid: number, label: string, { group = true }: { group?: boolean } = {}): void {
  const stat = readStat(pid);
  if (stat === null) return;
  // Only a group leader can be signalled as a group.
  owned.set(pid, { pid, startTime: stat.startTime, group: group && stat.pgrp === pid, label });
}

export function disown(pid: number): void {
  owned.delete(pid);
}

function stillOurs(entry: Owned): boolean {
  const stat = readStat(entry.pid);
  return stat !== null && stat.startTime === entry.startTime;
}

/** SIGKILL every registered process (and its group) still alive. Synchronous: safe in an exit handler. */
function killOwned(): string[] {
  const killed: string[] = [];
  for (const entry of owned.values()) {
    const alive = stillOurs(entry);
    if (entry.group) {
      // The kernel does not hand out a pid while a group with that id exists. So: leader alive and ours,
      // or no process with that pid at all (members may outlive the leader) → the group is ours. A
      // process with that pid but another start time means our group ended and the pid was reused.
      const leader = readStat(entry.pid);
      if (leader !== null && !alive) continue;
      try {
        process.kill(-entry.pid, 'SIGKILL');
        killed.push(entry.label);
      } catch {
        // no such group any more
      }
    } else if (alive) {
      try {
        process.kill(entry.pid, 'SIGKILL');
        killed.push(entry.label);
      } catch {
        // gone
      }
    }
  }
  owned.clear();
  return killed;
}

export async function runCleanups(): Promise<void> {
  killOwned();
}

let installed = false;

/** Kill what we own on Ctrl-C, on a kill, and on a crash. */
export function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\nbench: ${signal}, cleaning up…`);
    void runCleanups().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    killOwned();
  });
}
