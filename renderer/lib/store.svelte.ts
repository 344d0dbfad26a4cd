import type { AppEvent, AppStats, Delta, PoolRow, ProcessRow, Snapshot } from '../../main/protocol/index.js';
import type { ConnectionState } from './transport.js';

/** Samples kept per process for the sparkline: one minute at the default 1 s interval. */
export const CPU_HISTORY_LENGTH = 60;

/** A fixed-size ring of CPU samples, oldest first when read. Not reactive by itself (see `historyVersion`). */
export class CpuRing {
  readonly #values = new Float64Array(CPU_HISTORY_LENGTH);
  #start = 0;
  #length = 0;

  push(value: number): void {
    const end = (this.#start + this.#length) % CPU_HISTORY_LENGTH;
    this.#values[end] = value;
    if (this.#length < CPU_HISTORY_LENGTH) this.#length += 1;
    else this.#start = (this.#start + 1) % CPU_HISTORY_LENGTH;
  }

  get length(): number {
    return this.#length;
  }

  toArray(): number[] {
    const out = new Array<number>(this.#length);
    for (let i = 0; i < this.#length; i += 1) out[i] = this.#values[(this.#start + i) % CPU_HISTORY_LENGTH];
    return out;
  }
}

export type DeltaOutcome = 'applied' | 'stale' | 'gap' | 'buffered';

export interface StoreOptions {
  /** Asked for when a delta shows that some were lost; answer by passing a fresh snapshot to `applySnapshot`. */
  requestSnapshot?: () => void;
  /** The local clock, injectable for tests. */
  now?: () => number;
}

const EMPTY_HISTORY: readonly number[] = Object.freeze([]);

/**
 * The renderer's copy of the supervisor's state, without task rows: a task list asks for the page it
 * shows (TaskPager), so a pool's million tasks never sit in the renderer. Every collection is `$state.raw` and replaced as a
 * whole on each update: rows are plain frozen-in-practice objects, never deep proxies, so a delta
 * touching 10,000 rows costs a Map copy, not 10,000 proxy writes.
 *
 * Events must arrive in `seq` order. A delta older than what we hold is dropped; one that skips a
 * `seq` means deltas were lost, so we ask for a snapshot and hold later deltas until it arrives.
 */
export class PooldeckStore {
  #processes = $state.raw<ReadonlyMap<string, ProcessRow>>(new Map());
  #pools = $state.raw<ReadonlyMap<string, PoolRow>>(new Map());
  #app = $state.raw<AppStats | null>(null);
  #connection = $state.raw<ConnectionState>('connecting');
  #loaded = $state.raw(false);
  #sampleIntervalMs = $state.raw(1000);
  /** Bumped whenever any CPU ring changes; sparklines read it to know when to redraw. */
  #historyVersion = $state.raw(0);

  readonly #rings = new Map<string, CpuRing>();
  #seq = -1;
  #resyncing = false;
  #held: Delta[] = [];
  /** Server time minus local time, so uptimes computed here match the supervisor's clock. */
  #clockOffsetMs = 0;
  /** The supervisor's time at the last event: what "now" was when the shown state was true. */
  #lastEventTime = $state.raw(0);
  readonly #requestSnapshot: (() => void) | undefined;
  readonly #now: () => number;

  readonly processList: ProcessRow[] = $derived(Array.from(this.#processes.values()));
  readonly poolList: PoolRow[] = $derived(Array.from(this.#pools.values()));
  readonly counts = $derived.by(() => {
    let running = 0;
    for (const row of this.#processes.values()) if (row.isAlive) running += 1;
    return { running, total: this.#processes.size, pools: this.#pools.size };
  });

  constructor(options: StoreOptions = {}) {
    this.#requestSnapshot = options.requestSnapshot;
    this.#now = options.now ?? Date.now;
  }

  get processes(): ReadonlyMap<string, ProcessRow> {
    return this.#processes;
  }
  get pools(): ReadonlyMap<string, PoolRow> {
    return this.#pools;
  }
  get app(): AppStats | null {
    return this.#app;
  }
  get connection(): ConnectionState {
    return this.#connection;
  }
  /** True once the first snapshot arrived: before that, "no processes" means "not known yet". */
  get loaded(): boolean {
    return this.#loaded;
  }
  get sampleIntervalMs(): number {
    return this.#sampleIntervalMs;
  }
  get seq(): number {
    return this.#seq;
  }
  get resyncing(): boolean {
    return this.#resyncing;
  }
  get historyVersion(): number {
    return this.#historyVersion;
  }

  /** The supervisor's idea of "now", for uptimes. */
  serverTime(localNow: number = this.#now()): number {
    return localNow + this.#clockOffsetMs;
  }

  /**
   * The time uptimes are computed at: the supervisor's clock while the link is open, frozen at the
   * last event while it is down, so a stale table does not pretend its processes are still counting.
   */
  displayTime(localNow: number): number {
    return this.#connection === 'open' || this.#lastEventTime === 0 ? this.serverTime(localNow) : this.#lastEventTime;
  }

  setConnection(state: ConnectionState): void {
    this.#connection = state;
    // A server that no longer accepts this page has restarted: its rows (and counts) were the old
    // server's, whose jobs ended with it, so they are dropped rather than shown as running.
    if (state === 'unauthorized' && (this.#processes.size > 0 || this.#pools.size > 0)) {
      this.#processes = new Map();
      this.#pools = new Map();
      this.#rings.clear();
      this.#historyVersion += 1;
    }
  }

  handle(event: AppEvent): void {
    if (event.type === 'snapshot') this.applySnapshot(event.snapshot);
    else this.applyDelta(event.delta);
  }

  /** A snapshot always wins, whatever its seq: after a reconnect the server may have restarted from 0. */
  applySnapshot(snapshot: Snapshot): void {
    this.#processes = new Map(snapshot.processes.map((row) => [row.id, row]));
    this.#pools = new Map(snapshot.pools.map((row) => [row.id, row]));
    this.#app = snapshot.app;
    this.#sampleIntervalMs = snapshot.sampleIntervalMs;
    this.#clockOffsetMs = snapshot.time - this.#now();
    this.#lastEventTime = snapshot.time;
    this.#rings.clear();
    for (const [id, samples] of Object.entries(snapshot.cpuHistory)) {
      const ring = new CpuRing();
      for (const value of samples.slice(-CPU_HISTORY_LENGTH)) ring.push(value);
      this.#rings.set(id, ring);
    }
    this.#historyVersion += 1;
    this.#seq = snapshot.seq;
    this.#loaded = true;
    this.#resyncing = false;
    const held = this.#held;
    this.#held = [];
    for (const delta of held) this.applyDelta(delta);
  }

  applyDelta(delta: Delta): DeltaOutcome {
    if (!this.#loaded || this.#resyncing) {
      this.#held.push(delta);
      return 'buffered';
    }
    if (delta.seq <= this.#seq) return 'stale';
    if (delta.seq !== this.#seq + 1) {
      this.#resyncing = true;
      this.#held = [delta];
      this.#requestSnapshot?.();
      return 'gap';
    }
    this.#seq = delta.seq;
    this.#clockOffsetMs = delta.time - this.#now();
    this.#lastEventTime = delta.time;

    if (delta.processes.length > 0 || delta.removedProcesses.length > 0) {
      const next = new Map(this.#processes);
      for (const row of delta.processes) next.set(row.id, row);
      for (const id of delta.removedProcesses) {
        next.delete(id);
        this.#rings.delete(id);
      }
      this.#processes = next;
    }
    if (delta.pools.length > 0 || delta.removedPools.length > 0) {
      const next = new Map(this.#pools);
      for (const row of delta.pools) next.set(row.id, row);
      for (const id of delta.removedPools) next.delete(id);
      this.#pools = next;
    }
    if (delta.app) this.#app = delta.app;
    if (delta.sampled) this.#recordSample();
    return 'applied';
  }

  /**
   * A sample covers every live process, whether or not its row changed in this delta: an idle
   * process whose CPU stayed at 0 still gets its point, so all sparklines advance together.
   */
  #recordSample(): void {
    for (const row of this.#processes.values()) {
      if (!row.isAlive || row.cpu === null) continue;
      let ring = this.#rings.get(row.id);
      if (!ring) {
        ring = new CpuRing();
        this.#rings.set(row.id, ring);
      }
      ring.push(row.cpu);
    }
    this.#historyVersion += 1;
  }

  /** The last minute of CPU samples for one process, oldest first (in % of one core). */
  cpuHistory(id: string): readonly number[] {
    void this.#historyVersion; // read so a caller in a reactive context redraws on new samples
    return this.#rings.get(id)?.toArray() ?? EMPTY_HISTORY;
  }
}
