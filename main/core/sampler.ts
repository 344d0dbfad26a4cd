// CPU and memory of every live job, on a fixed cadence, in ONE batched pidusage call per tick. The parts:
// TreeScanner (which pids sit below each tracked root, from /proc), PidUsageReader (pidusage, through
// its public API), and the app's own usage (app-usage.ts).
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { PidUsageReader, type PidUsage } from './pid-usage.js';
import { readStateAndParent } from './proc-stat.js';
import { TreeScanner, type TrackedPid } from './tree-scan.js';

export type { PidUsage } from './pid-usage.js';
export { createAppUsageReader, readOwnUsage } from './app-usage.js';

export interface SamplerOptions {
  /** Time between the starts of two ticks. Default 1000 ms. */
  sampleIntervalMs?: number;
  /**
   * How long pidusage keeps the figures (and an open fd) of a pid nobody asks about any more: an ended
   * pid holds an fd for up to 1.5 × this. Default: 3 × the interval, at least 2 s.
   */
  pidusageMaxAgeMs?: number;
}

export interface TrackOptions {
  /** Also sum the pid's descendants (read from /proc) into a tree total. Default true. */
  tree?: boolean;
}

export interface TreeUsage {
  /** The tracked root. */
  pid: number;
  /** The root plus every descendant sampled in this tick, in % of one core. */
  cpu: number;
  /** The root plus every descendant sampled in this tick, RSS bytes. */
  memory: number;
  /** The pids below the root that were sampled (not including the root). Shared between ticks: read only. */
  descendants: readonly number[];
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
  /** True when the trees came from the last full scan of /proc: no process was born into a tree since. */
  treesReused: boolean;
  /**
   * Tracked pids the kernel holds stopped (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, or a debugger): state T or t
   * in /proc/<pid>/stat. Linux only (empty elsewhere: without /proc it would take a `ps` run per tick).
   * Read every tick for pids stopped at the last one and for a few ticks after watchState(); every
   * STATE_REFRESH_TICKS ticks (in rotation) for the others, so a stop sent from outside the app shows late.
   */
  stopped: Set<number>;
}

export interface SamplerEvents {
  sample: [result: SampleResult];
  error: [error: Error];
}

const noop = (): void => {};
const procAvailable = process.platform === 'linux' && existsSync('/proc/self/stat');

/**
 * A tracked pid nobody signalled has its state read once in this many ticks: the read costs about as much
 * as pidusage's own per pid (300 idle pids: a 2 ms tick became 6.7 ms when each was read every tick).
 */
const STATE_REFRESH_TICKS = 16;
/** Ticks a pid's state is read after watchState(): a signal may land after the first tick's read. */
const WATCH_TICKS = 3;

/** T: stopped by a signal; t: stopped by a tracer (a debugger). */
const isStoppedState = (state: string | undefined): boolean => state === 'T' || state === 't';

/**
 * Samples the tracked pids (and, for tree roots, their descendants) on a fixed cadence.
 * Ticks never overlap: `sampleNow()` calls and timer ticks run one after the other.
 */
export class Sampler extends EventEmitter<SamplerEvents> {
  readonly sampleIntervalMs: number;
  readonly #tracked = new Map<number, TrackedPid>();
  /**
   * A copy of #tracked for the ticks (track() and untrack() may run while pidusage reads), made again only
   * after either ran: the same map from tick to tick tells the tree scan its last answer still holds.
   */
  #snapshot: ReadonlyMap<number, TrackedPid> | null = null;
  readonly #trees = new TreeScanner();
  readonly #usage: PidUsageReader;
  #treeRoots = 0;
  #tick = 0;
  /** Pids whose state is read at every tick up to this one (see watchState). */
  readonly #stateWatch = new Map<number, number>();
  /** The tracked pids found stopped at the last tick: read again at every tick until they run. */
  #stopped = new Set<number>();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #disposed = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: SamplerOptions = {}) {
    super();
    const interval = options.sampleIntervalMs ?? 1000;
    if (!Number.isFinite(interval) || interval <= 0) throw new RangeError(`Sampler: sampleIntervalMs must be a positive number of ms, not ${interval}`);
    this.sampleIntervalMs = interval;
    const maxAge = options.pidusageMaxAgeMs ?? Math.max(2000, 3 * interval);
    if (!Number.isFinite(maxAge) || maxAge <= 0) throw new RangeError(`Sampler: pidusageMaxAgeMs must be a positive number of ms, not ${maxAge}`);
    this.#usage = new PidUsageReader(maxAge);
  }

  /** Start sampling `pid` (idempotent; a second call only updates the options). */
  track(pid: number, options: TrackOptions = {}): void {
    if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`Sampler: not a pid: ${pid}`);
    const tree = options.tree ?? true;
    const entry = this.#tracked.get(pid);
    if (entry) {
      if (entry.tree !== tree) this.#treeRoots += tree ? 1 : -1;
      if (tree && !entry.tree) this.#trees.invalidate();
      if (tree !== entry.tree) this.#snapshot = null;
      entry.tree = tree;
      return;
    }
    this.#tracked.set(pid, { tree, ppid: -1 });
    this.#snapshot = null;
    if (tree) this.#treeRoots += 1;
    this.#trees.invalidate();
  }

  /**
   * Read `pid`'s kernel state (stopped or not) at each of the next few ticks, not only in rotation:
   * the app just sent it a signal that may stop or continue it.
   */
  watchState(pid: number): void {
    if (this.#tracked.has(pid)) this.#stateWatch.set(pid, this.#tick + WATCH_TICKS);
  }

  /** Stop sampling `pid`. pidusage drops what it holds for it once nobody asks (see pid-usage.ts). */
  untrack(pid: number): void {
    const entry = this.#tracked.get(pid);
    if (!entry) return;
    this.#tracked.delete(pid);
    this.#snapshot = null;
    this.#stateWatch.delete(pid);
    if (entry.tree) this.#treeRoots -= 1;
    this.#usage.release(pid);
  }

  isTracked(pid: number): boolean {
    return this.#tracked.has(pid);
  }

  get trackedPids(): number[] {
    return [...this.#tracked.keys()];
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

  /** Stop (after the tick in flight) and forget every pid. No 'sample' is emitted after this resolves. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.stop();
    for (const pid of [...this.#tracked.keys()]) this.untrack(pid);
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

  /**
   * Whether this tick reads `pid`'s state. pidusage reads the same stat line but keeps the state to
   * itself, so each read is one more small read of /proc: done for few pids per tick.
   */
  #stateDue(pid: number, tick: number): boolean {
    if (this.#stopped.has(pid) || (pid + tick) % STATE_REFRESH_TICKS === 0) return true;
    const until = this.#stateWatch.get(pid);
    if (until === undefined) return false;
    if (until < tick) {
      this.#stateWatch.delete(pid);
      return false;
    }
    return true;
  }

  async #sample(): Promise<SampleResult> {
    const time = Date.now();
    const started = performance.now();
    const tick = ++this.#tick;

    const tracked = (this.#snapshot ??= new Map(this.#tracked));
    const scan = this.#treeRoots > 0 && procAvailable ? this.#trees.scan(tracked, tick) : { batch: [...tracked.keys()], descendantsOf: new Map<number, readonly number[]>(), reused: false };
    const { usage: pids, unreadable } = await this.#usage.read(scan.batch);

    for (const [pid, stat] of pids) this.#trees.noteParent(pid, stat.ppid);
    const ended: number[] = [];
    const stopped = new Set<number>();
    for (const [pid, entry] of tracked) {
      const stat = pids.get(pid);
      if (stat) {
        if (entry.ppid !== stat.ppid) this.#trees.invalidate();
        entry.ppid = stat.ppid;
        if (procAvailable && this.#stateDue(pid, tick) && isStoppedState(readStateAndParent(pid)?.state)) stopped.add(pid);
        continue;
      }
      if (unreadable.has(pid)) continue;
      // Gone (not in /proc). Unless it was untracked (or tracked anew) meanwhile.
      if (this.#tracked.get(pid) !== entry) continue;
      this.#tracked.delete(pid);
      this.#snapshot = null;
      this.#stateWatch.delete(pid);
      this.#usage.release(pid);
      if (entry.tree) this.#treeRoots -= 1;
      ended.push(pid);
    }
    this.#stopped = stopped;

    const trees = new Map<number, TreeUsage>();
    for (const [root, below] of scan.descendantsOf) {
      const own = pids.get(root);
      if (!own) continue;
      let cpu = own.cpu;
      let memory = own.memory;
      // The scan's own list is the answer (no copy per root per tick) unless some of it is gone this tick.
      let kept: number[] | null = null;
      for (let index = 0; index < below.length; index += 1) {
        const pid = below[index];
        const usage = pids.get(pid);
        // Gone, or a zombie (no resident memory: it ended, its parent has not reaped it yet).
        if (!usage || usage.memory === 0) {
          this.#trees.invalidate();
          kept ??= below.slice(0, index);
          continue;
        }
        // Its parent ended (it was reparented, maybe out of this tree): look again at the next tick.
        if (usage.ppid !== root && !pids.has(usage.ppid)) this.#trees.invalidate();
        cpu += usage.cpu;
        memory += usage.memory;
        kept?.push(pid);
      }
      trees.set(root, { pid: root, cpu, memory, descendants: kept ?? below });
    }
    if (this.#treeRoots > 0 && !procAvailable) {
      for (const [pid, entry] of tracked) {
        const own = pids.get(pid);
        if (entry.tree && own) trees.set(pid, { pid, cpu: own.cpu, memory: own.memory, descendants: [] });
      }
    }

    const result: SampleResult = { time, durationMs: performance.now() - started, processes: pids, trees, ended, treesReused: scan.reused, stopped };
    this.emit('sample', result);
    return result;
  }
}
