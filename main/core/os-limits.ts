// The OS's per-user limits the app sizes itself by (Linux: /proc/self/limits; elsewhere unknown).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Live processes per CPU the app starts at most by default: room for the thousand idle jobs the
 * performance budget supervises on two cores, not for a runaway loop of starts.
 */
const PROCESSES_PER_CPU = 512;

/** The soft limit named `name` in /proc/self/limits ("Max processes", "Max open files"), or null. */
export function readSoftLimit(name: string): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith(name));
    const soft = line?.slice(name.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? null : Number.parseInt(soft, 10);
  } catch {
    return null;
  }
}

/**
 * How many live processes the app starts at most unless told otherwise: half the user's process
 * limit (`ulimit -u`, shared with everything else the user runs) and at most 512 per CPU.
 */
export function defaultMaxLiveProcesses(): number {
  const byCpus = PROCESSES_PER_CPU * availableParallelism();
  const userLimit = readSoftLimit('Max processes');
  return userLimit === null ? byCpus : Math.max(1, Math.min(Math.floor(userLimit / 2), byCpus));
}
