// CPU and memory of every live job, read in ONE batched pidusage call per tick.
//
// What pidusage 4.1.0 keeps per pid (read from its source, lib/procfile.js and lib/history.js), and why
// the sampler manages it:
// - On Linux it keeps, per pid, the last /proc/<pid>/stat figures (for CPU deltas) AND an open file
//   descriptor on /proc/<pid>/stat, reused by every later call. An entry (and its fd) is dropped only when
//   it was not read for `maxage` ms (60 s by default), by an unref'd interval running every maxage/2.
// - `pidusage.clear()` forgets every entry without closing those fds: it leaks them.
// - An fd kept for an ended pid keeps failing with ESRCH, even after the kernel gave the pid to a new
//   process, and each failed read renews the entry's age: a reused pid could never be sampled again.
// - In a batch, a pid that is gone yields `undefined` and the others still resolve; a batch of ONE gone pid
//   rejects the whole call.
// So the sampler remembers which pids it handed to pidusage and, as soon as one ends or leaves the batch,
// closes that entry's fd itself, empties the entry (so a reused pid starts from scratch) and marks it to
// expire at the next sweep. Thousands of short-lived processes leave neither fds nor history behind.
import { EventEmitter } from 'node:events';
import { close, closeSync, existsSync, openSync, readSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import pidusage from 'pidusage';
import { parseProcStat } from './proc-stat.js';

export interface SamplerOptions {
  /** Time between the starts of two ticks. Default 1000 ms. */
  sampleIntervalMs?: number;
  /**
   * How long pidusage may keep the history of a pid nobody asks about any more. The sampler already
   * forgets ended pids itself; this is the backstop. Default: 5 × the interval, at least 10 s.
   */
  pidusageMaxAgeMs?: number;
}

export interface TrackOptions {
  /** Also sum the pid's descendants (read from /proc) into a tree total. Default true. */
  tree?: boolean;
}

export interface PidUsage {
  pid: number;
  ppid: number;
  /** % of one core (100 = one core busy) since the previous sample of this pid; 0 on its first sample. */
  cpu: number;
  /** Resident memory (RSS) in bytes. */
  memory: number;
  /** CPU time used since the process started (user + system), in ms. */
  ctime: number;
  /** ms since the process started. */
  elapsed: number;
}

export interface TreeUsage {
  /** The tracked root. */
  pid: number;
  /** The root plus every descendant sampled in this tick, in % of one core. */
  cpu: number;
  /** The root plus every descendant sampled in this tick, RSS bytes. */
  memory: number;
  /** The pids below the root that were sampled (not including the root). */
  descendants: number[];
}

export interface SampleResult {
  /** When the tick started (ms since epoch). */
  time: number;
  /** Wall time the tick took. */
  durationMs: number;
  /** Every pid sampled this tick: the tracked ones and the descendants of tree roots. */
  processes: Map<number, PidUsage>;
  /** Per tracked root that asked for tree totals (and is alive). */
  trees: Map<number, TreeUsage>;
  /** Tracked pids found gone this tick. They are no longer tracked. */
  ended: number[];
}

export interface SamplerEvents {
  sample: [result: SampleResult];
  error: [error: Error];
}

interface Tracked {
  tree: boolean;
  /** From the last sample; lets descendants of one tracked pid be found below another. -1: not known yet. */
  ppid: number;
}

interface Known {
  /** Start time (clock ticks since boot) when the pid came from the /proc scan; -1 when not known. */
  startTime: number;
  /** The tick that last put this pid in the batch. */
  tick: number;
}

interface ProcEntry {
  ppid: number;
  startTime: number;
  zombie: boolean;
  /** The tick whose /proc listing last held this pid. */
  seen: number;
}

/** A process not tracked is re-read at least this often (in ticks), in case its parent changed unseen. */
const REFRESH_TICKS = 16;

/** The shape of a pidusage history entry on Linux: the last figures and the fd kept open. */
interface HistoryEntry {
  fd?: number;
  [field: string]: unknown;
}
interface PidusageHistory {
  get(pid: number, maxage?: number): HistoryEntry | undefined;
}

function loadPidusageHistory(): PidusageHistory | null {
  try {
    const history = createRequire(import.meta.url)('pidusage/lib/history') as PidusageHistory;
    return typeof history?.get === 'function' ? history : null;
  } catch {
    return null;
  }
}

const noop = (): void => {};
const procAvailable = process.platform === 'linux' && existsSync('/proc/self/stat');

/**
 * Samples the tracked pids (and, for tree roots, their descendants) on a fixed cadence.
 * Ticks never overlap: `sampleNow()` calls and timer ticks run one after the other.
 */
export class Sampler extends EventEmitter<SamplerEvents> {
  readonly sampleIntervalMs: number;
  readonly #maxAge: number;
  readonly #tracked = new Map<number, Tracked>();
  /** Pids this sampler handed to pidusage and not yet forgotten. */
  readonly #known = new Map<number, Known>();
  /** Pids untracked since the last tick: forgotten at the start of the next one. */
  readonly #toForget = new Set<number>();
  /** What the /proc scan learned about the machine's other processes, kept between consecutive ticks. */
  readonly #procs = new Map<number, ProcEntry>();
  #lastScan = -1;
  /** The last full scan's answer still holds (no root added, nobody reparented) … */
  #treesValid = false;
  /** … and if the kernel has not created a process since (see readLastPid). */
  #lastPidCursor = -1;
  #lastFullScan = -1;
  #lastDescendants = new Map<number, number[]>();
  #treeRoots = 0;
  #fullScans = 0;
  #tick = 0;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #disposed = false;
  #chain: Promise<unknown> = Promise.resolve();
  #history: PidusageHistory | null = loadPidusageHistory();
  #historyChecked = false;

  constructor(options: SamplerOptions = {}) {
    super();
    const interval = options.sampleIntervalMs ?? 1000;
    if (!Number.isFinite(interval) || interval <= 0) throw new RangeError('Sampler: sampleIntervalMs must be a positive number');
    this.sampleIntervalMs = interval;
    this.#maxAge = options.pidusageMaxAgeMs ?? Math.max(10_000, 5 * interval);
  }

  /** Start sampling `pid` (idempotent; a second call only updates the options). */
  track(pid: number, options: TrackOptions = {}): void {
    if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`Sampler: not a pid: ${pid}`);
    const tree = options.tree ?? true;
    const entry = this.#tracked.get(pid);
    if (entry) {
      if (entry.tree !== tree) this.#treeRoots += tree ? 1 : -1;
      if (tree && !entry.tree) this.#treesValid = false;
      entry.tree = tree;
      return;
    }
    this.#tracked.set(pid, { tree, ppid: -1 });
    if (tree) this.#treeRoots += 1;
    this.#treesValid = false;
  }

  /** Stop sampling `pid`; its pidusage history is dropped before the next tick. */
  untrack(pid: number): void {
    const entry = this.#tracked.get(pid);
    if (!entry) return;
    this.#tracked.delete(pid);
    if (entry.tree) this.#treeRoots -= 1;
    this.#toForget.add(pid);
  }

  isTracked(pid: number): boolean {
    return this.#tracked.has(pid);
  }

  get trackedPids(): number[] {
    return [...this.#tracked.keys()];
  }

  /** Pids whose pidusage history (and fd) this sampler currently holds. */
  get heldPids(): number[] {
    return [...this.#known.keys()];
  }

  /** Ticks that listed /proc (the others reused the previous listing: no process was created meanwhile). */
  get fullScans(): number {
    return this.#fullScans;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Tick now and then every `sampleIntervalMs`, emitting 'sample'. */
  start(): void {
    if (this.#disposed) throw new Error('Sampler: start() after dispose()');
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stop ticking; resolves once a tick in flight has finished. Tracking is kept. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#chain.catch(noop);
  }

  /** Stop, forget every pid, and release everything held in pidusage for them. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.stop();
    for (const pid of this.#tracked.keys()) this.#toForget.add(pid);
    this.#tracked.clear();
    this.#treeRoots = 0;
    for (const pid of this.#known.keys()) this.#forget(pid);
    for (const pid of this.#toForget) this.#forget(pid);
    this.#toForget.clear();
  }

  /** One tick, now (after any tick in flight). Also emits 'sample'. */
  sampleNow(): Promise<SampleResult> {
    const result = this.#chain.catch(noop).then(() => this.#sample());
    this.#chain = result;
    return result;
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const started = performance.now();
      this.sampleNow()
        .catch((error: unknown) => {
          if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          if (!this.#running) return;
          // Keep the cadence, but always leave the event loop some room between two ticks.
          const spent = performance.now() - started;
          this.#schedule(Math.max(this.sampleIntervalMs - spent, this.sampleIntervalMs / 10));
        });
    }, delay);
    this.#timer.unref();
  }

  async #sample(): Promise<SampleResult> {
    const time = Date.now();
    const started = performance.now();
    const tick = ++this.#tick;

    // Even when tracked again since: most likely another process that got the same pid.
    for (const pid of this.#toForget) this.#forget(pid);
    this.#toForget.clear();

    // The pids to ask about: tracked ones (only those still in /proc when we scan it) and descendants.
    const tracked = [...this.#tracked.entries()];
    const batch: number[] = [];
    const descendantsOf = new Map<number, number[]>();
    if (this.#treeRoots > 0 && procAvailable) {
      if (!this.#reuseTrees(tracked, batch, descendantsOf, tick)) this.#scanTrees(tracked, batch, descendantsOf, tick);
    } else {
      for (const [pid] of tracked) batch.push(pid);
    }
    for (const pid of batch) {
      const known = this.#known.get(pid);
      if (known) known.tick = tick;
      else this.#known.set(pid, { startTime: -1, tick });
    }
    // Whatever pidusage holds for a pid not asked about this tick (ended, or no longer below a root) goes.
    for (const [pid, known] of this.#known) if (known.tick !== tick) this.#forget(pid);

    const stats = await this.#usage(batch);

    const pids = new Map<number, PidUsage>();
    for (const pid of batch) {
      const stat = stats.get(pid);
      if (stat) {
        pids.set(pid, stat);
        const cached = this.#procs.get(pid);
        if (cached) cached.ppid = stat.ppid;
      } else {
        this.#forget(pid);
      }
    }
    const ended: number[] = [];
    for (const [pid, entry] of tracked) {
      const stat = pids.get(pid);
      if (stat) {
        if (entry.ppid !== stat.ppid) this.#treesValid = false;
        entry.ppid = stat.ppid;
        continue;
      }
      // Gone (not in /proc, or unreadable there). Unless it was untracked (or tracked anew) meanwhile.
      if (this.#tracked.get(pid) !== entry) continue;
      this.#tracked.delete(pid);
      if (entry.tree) this.#treeRoots -= 1;
      ended.push(pid);
    }

    const trees = new Map<number, TreeUsage>();
    for (const [root, below] of descendantsOf) {
      const own = pids.get(root);
      if (!own) continue;
      let cpu = own.cpu;
      let memory = own.memory;
      const descendants: number[] = [];
      for (const pid of below) {
        const usage = pids.get(pid);
        // Gone, or a zombie (no resident memory: it ended, its parent has not reaped it yet).
        if (!usage || usage.memory === 0) {
          this.#treesValid = false;
          continue;
        }
        // Its parent ended (it was reparented, maybe out of this tree): look again at the next tick.
        if (usage.ppid !== root && !pids.has(usage.ppid)) this.#treesValid = false;
        cpu += usage.cpu;
        memory += usage.memory;
        descendants.push(pid);
      }
      trees.set(root, { pid: root, cpu, memory, descendants });
    }
    if (this.#treeRoots > 0 && !procAvailable) {
      for (const [pid, entry] of tracked) {
        const own = pids.get(pid);
        if (entry.tree && own) trees.set(pid, { pid, cpu: own.cpu, memory: own.memory, descendants: [] });
      }
    }

    const result: SampleResult = { time, durationMs: performance.now() - started, processes: pids, trees, ended };
    this.emit('sample', result);
    return result;
  }

  /**
   * One pass over /proc: tracked pids still present go into the batch, and so do the descendants of every
   * tree root. Only the directory is listed every tick. The stat files of tracked pids are not read here
   * (pidusage reads them, and gives their ppid); those of the machine's other processes are read when a pid
   * is new, when its parent is gone (it was reparented), and every REFRESH_TICKS ticks in rotation.
   */
  #scanTrees(tracked: [number, Tracked][], batch: number[], descendantsOf: Map<number, number[]>, tick: number): void {
    // Read before listing, so that a process created during the scan makes the next tick scan again.
    this.#lastPidCursor = readLastPid();
    this.#fullScans += 1;
    let names: string[];
    try {
      names = readdirSync('/proc');
    } catch {
      for (const [pid] of tracked) batch.push(pid);
      return;
    }
    const procs = this.#procs;
    // After a pause the cache may hold pids the kernel has given to other processes since.
    if (this.#lastScan !== tick - 1) procs.clear();
    this.#lastScan = tick;

    const others: number[] = [];
    for (const name of names) {
      const first = name.charCodeAt(0);
      if (first < 48 || first > 57) continue;
      const pid = Number(name);
      if (this.#tracked.has(pid)) {
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
      if (entry === undefined || (pid + tick) % REFRESH_TICKS === 0 || !this.#parentPresent(entry.ppid, tick)) {
        const stat = readStatFast(pid);
        if (stat === null) {
          procs.delete(pid);
          continue;
        }
        if (entry) {
          entry.ppid = stat.ppid;
          entry.zombie = stat.state === 'Z';
          entry.startTime = stat.startTime;
        } else {
          entry = { ppid: stat.ppid, startTime: stat.startTime, zombie: stat.state === 'Z', seen: tick };
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
      const below: number[] = [];
      const first = children.get(root);
      if (first) {
        // Parent links of tracked pids come from the previous tick; never trust them to be acyclic.
        const seen = new Set<number>([root]);
        const stack = first.slice();
        while (stack.length > 0) {
          const pid = stack.pop()!;
          if (seen.has(pid)) continue;
          seen.add(pid);
          below.push(pid);
          if (!this.#tracked.has(pid)) extra.add(pid);
          const next = children.get(pid);
          if (next) for (const child of next) stack.push(child);
        }
      }
      descendantsOf.set(root, below);
    }
    this.#lastDescendants = descendantsOf;
    this.#lastFullScan = tick;
    this.#treesValid = true;
    for (const pid of extra) {
      const startTime = procs.get(pid)!.startTime;
      const known = this.#known.get(pid);
      // The same pid but another process (the pid was reused): start its history afresh.
      if (known && known.startTime !== startTime) this.#forget(pid);
      const fresh = this.#known.get(pid);
      if (fresh) fresh.startTime = startTime;
      else this.#known.set(pid, { startTime, tick });
      batch.push(pid);
    }
  }

  /**
   * When no process was created anywhere since the last scan, no process can have joined a tree (pid
   * reuse needs a new process too), so the last scan's descendants still hold, minus those that ended.
   * Skips listing /proc, the largest part of a tick's own cost. A full scan still runs every
   * REFRESH_TICKS ticks, after a track(), and after anyone in a tree was reparented.
   */
  #reuseTrees(tracked: [number, Tracked][], batch: number[], descendantsOf: Map<number, number[]>, tick: number): boolean {
    if (!this.#treesValid || this.#lastScan !== tick - 1 || tick - this.#lastFullScan >= REFRESH_TICKS) return false;
    const cursor = readLastPid();
    if (cursor < 0 || cursor !== this.#lastPidCursor) return false;
    this.#lastScan = tick;
    const extra = new Set<number>();
    for (const [pid, entry] of tracked) {
      batch.push(pid);
      if (!entry.tree) continue;
      const below = this.#lastDescendants.get(pid);
      if (below === undefined) return this.#undo(batch);
      descendantsOf.set(pid, below);
      for (const child of below) if (!this.#tracked.has(child)) extra.add(child);
    }
    for (const pid of extra) batch.push(pid);
    return true;
  }

  #undo(batch: number[]): false {
    batch.length = 0;
    return false;
  }

  #parentPresent(ppid: number, tick: number): boolean {
    return ppid === 0 || this.#tracked.has(ppid) || this.#procs.get(ppid)?.seen === tick;
  }

  /** pidusage over `pids` in one call; a pid it could not read is absent from the map. */
  async #usage(pids: number[]): Promise<Map<number, PidUsage>> {
    const found = new Map<number, PidUsage>();
    if (pids.length === 0) return found;
    const missing = await this.#batch(pids, found);
    if (missing.length > 0 && procAvailable) {
      // Still in /proc but unreadable: pidusage kept an fd of an earlier process with the same pid.
      const reused = missing.filter((pid) => existsSync(`/proc/${pid}`));
      if (reused.length > 0) {
        for (const pid of reused) this.#forget(pid);
        await this.#batch(reused, found);
      }
    }
    this.#checkHistory(found);
    return found;
  }

  async #batch(pids: number[], found: Map<number, PidUsage>): Promise<number[]> {
    let stats: Record<string, pidusage.Status | undefined | null>;
    try {
      stats = await pidusage(pids, { maxage: this.#maxAge });
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

  /** Once: make sure the history module we reach is the one pidusage uses (not a bundled copy). */
  #checkHistory(found: Map<number, PidUsage>): void {
    if (this.#historyChecked || this.#history === null || !procAvailable) return;
    const [pid] = found.keys();
    if (pid === undefined) return;
    this.#historyChecked = true;
    if (this.#history.get(pid, this.#maxAge) === undefined) this.#history = null;
  }

  /** Drop what pidusage holds for `pid`: close its fd, empty its figures, let it expire at the next sweep. */
  #forget(pid: number): void {
    this.#known.delete(pid);
    const entry = this.#history?.get(pid, 1);
    if (!entry) return;
    const fd = entry.fd;
    for (const key of Object.keys(entry)) delete entry[key];
    if (typeof fd === 'number' && fd > 2) close(fd, noop);
  }
}

const statBuffer = Buffer.allocUnsafe(4096);

/** The pid the kernel handed out last (the 5th field of /proc/loadavg): it moves whenever a process is created. */
function readLastPid(): number {
  let fd: number;
  try {
    fd = openSync('/proc/loadavg', 'r');
  } catch {
    return -1;
  }
  try {
    const length = readSync(fd, statBuffer, 0, 256, 0);
    const text = statBuffer.toString('latin1', 0, length);
    const value = Number(text.slice(text.lastIndexOf(' ') + 1));
    return Number.isInteger(value) ? value : -1;
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

/** /proc/<pid>/stat without readFileSync's fstat and allocations: this runs for every process each tick. */
function readStatFast(pid: number): ReturnType<typeof parseProcStat> {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return null;
  }
  try {
    const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return parseProcStat(pid, statBuffer.toString('latin1', 0, length));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * A reader of the app's own CPU (% of one core since the previous call) and resident memory, for the
 * status bar. Cheap: process.cpuUsage() and process.memoryUsage.rss(), no /proc and no pidusage.
 */
export interface OwnUsage {
  /** % of one core since the previous reading. */
  cpu: number;
  /** Resident memory in bytes. */
  memory: number;
  cores: number;
}

export function createAppUsageReader(): () => OwnUsage {
  let lastCpu = process.cpuUsage();
  let lastTime = performance.now();
  const cores = availableParallelism();
  return () => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const usedMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    const elapsedMs = now - lastTime;
    lastCpu = cpu;
    lastTime = now;
    return { cpu: elapsedMs > 0 ? (usedMs / elapsedMs) * 100 : 0, memory: process.memoryUsage.rss(), cores };
  };
}

const readAppUsage = createAppUsageReader();

/** The app's own CPU (% of one core since the previous call of this function) and resident memory. */
export function readOwnUsage(): OwnUsage {
  return readAppUsage();
}
