// CPU and memory of many pids in ONE batched pidusage call, through pidusage's public API only.
//
// What pidusage 4 keeps per pid on Linux (lib/procfile.js, lib/history.js): the last /proc/<pid>/stat
// figures (for CPU deltas) and an open fd on /proc/<pid>/stat, reused by later calls. An entry not read
// for `maxage` ms is dropped, and its fd closed, by pidusage's own sweep (every maxage / 2). So:
// - a pid nobody asks about any more costs an fd for at most 1.5 × maxage: the sampler keeps maxage
//   short and simply stops asking about pids that ended;
// - an fd kept for an ended pid fails with ESRCH even after the kernel gave the pid to a new process,
//   and each failed read renews the entry: a reused pid asked about again at once could never be read.
//   Such a pid (unreadable, yet in /proc) is left alone until pidusage's sweep has dropped the old entry;
//   then it is asked about afresh.
// - In a batch, a pid that is gone yields `undefined` and the others still resolve; a batch of ONE gone
//   pid rejects the whole call.
import { existsSync } from 'node:fs';
import pidusage from 'pidusage';

export interface PidUsage {
  pid: number;
  ppid: number;
  /** % of one core (100 = one core busy) since the previous sample of this pid. */
  cpu: number;
  /** Resident memory (RSS) in bytes. */
  memory: number;
  /** CPU time used since the process started (user + system), in ms. */
  ctime: number;
  /** ms since the process started. */
  elapsed: number;
}

export interface UsageReading {
  usage: Map<number, PidUsage>;
  /** Pids still in /proc that could not be read (see above); they are not gone. */
  unreadable: Set<number>;
}

const procAvailable = process.platform === 'linux' && existsSync('/proc/self/stat');

export class PidUsageReader {
  /** Pids left alone until this time (ms), while pidusage still holds a dead process's entry for them. */
  readonly #waiting = new Map<number, number>();

  constructor(readonly maxAgeMs: number) {}

  /** Usage of `pids` in one call; a pid that could not be read is absent from `usage`. */
  async read(pids: readonly number[]): Promise<UsageReading> {
    const usage = new Map<number, PidUsage>();
    const unreadable = new Set<number>();
    const now = Date.now();
    const asked: number[] = [];
    for (const pid of pids) {
      const until = this.#waiting.get(pid);
      if (until === undefined) asked.push(pid);
      else if (until <= now) {
        this.#waiting.delete(pid);
        asked.push(pid);
      } else unreadable.add(pid);
    }
    if (asked.length === 0) return { usage, unreadable };
    const missing = await this.#batch(asked, usage);
    if (procAvailable) {
      // Expiry is renewed by this failed read; the sweep runs every maxage / 2 after that.
      const until = Date.now() + this.maxAgeMs * 1.5 + 100;
      for (const pid of missing) {
        if (!existsSync(`/proc/${pid}`)) continue;
        this.#waiting.set(pid, until);
        unreadable.add(pid);
      }
    }
    return { usage, unreadable };
  }

  /** Forgets pids nobody tracks any more (pidusage's sweep releases what it holds for them). */
  release(pid: number): void {
    this.#waiting.delete(pid);
  }

  async #batch(pids: number[], found: Map<number, PidUsage>): Promise<number[]> {
    let stats: Record<string, pidusage.Status | undefined | null>;
    try {
      stats = await pidusage(pids, { maxage: this.maxAgeMs });
    } catch {
      // pidusage rejects a batch of one gone pid (larger batches report gone pids as undefined).
      return pids;
    }
    const missing: number[] = [];
    for (const pid of pids) {
      const stat = stats[pid];
      // pidusage's own object (it also carries a timestamp): no copy on the hot path.
      if (stat) found.set(pid, stat);
      else missing.push(pid);
    }
    return missing;
  }
}
