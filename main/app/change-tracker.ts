import type { TaskRow } from '../protocol/rows.js';

/** The ids (and task rows) that changed since the last delta, numbered by `seq`. */
export interface Changes {
  seq: number;
  processIds: string[];
  removedProcesses: string[];
  poolIds: string[];
  removedPools: string[];
  tasks: TaskRow[];
  sampled: boolean;
}

/**
 * What changed since the last delta: the rows touched, the rows removed, whether a CPU sample came.
 * Knows ids, not rows: the supervisor reads the current rows when it builds the delta.
 */
export class ChangeTracker {
  readonly #processes = new Set<string>();
  readonly #removedProcesses = new Set<string>();
  readonly #pools = new Set<string>();
  readonly #removedPools = new Set<string>();
  readonly #tasks = new Map<string, TaskRow>();
  #sampled = false;
  #seq = 0;

  constructor(private readonly onChange: () => void) {}

  /** The seq of the last delta taken (a snapshot carries it). */
  get seq(): number {
    return this.#seq;
  }

  process(id: string): void {
    this.#processes.add(id);
    this.onChange();
  }

  /** A process row touched by a sample: told once, by sampled(). */
  processSampled(id: string): void {
    this.#processes.add(id);
  }

  processRemoved(id: string): void {
    this.#processes.delete(id);
    this.#removedProcesses.add(id);
    this.onChange();
  }

  pool(id: string): void {
    this.#pools.add(id);
    this.onChange();
  }

  poolSampled(id: string): void {
    this.#pools.add(id);
  }

  poolRemoved(id: string, taskKeys: Iterable<string>): void {
    for (const key of taskKeys) this.#tasks.delete(key);
    this.#pools.delete(id);
    this.#removedPools.add(id);
    this.onChange();
  }

  /** A task row changed; the pool's change (its counts) is told separately. */
  task(row: TaskRow): void {
    this.#tasks.set(row.key, row);
  }

  sampled(): void {
    this.#sampled = true;
    this.onChange();
  }

  /** The changes since the last call, under the next seq, or null (and no new seq) if there were none. */
  take(): Changes | null {
    const empty =
      this.#processes.size === 0 &&
      this.#removedProcesses.size === 0 &&
      this.#pools.size === 0 &&
      this.#removedPools.size === 0 &&
      this.#tasks.size === 0 &&
      !this.#sampled;
    if (empty) return null;
    this.#seq += 1;
    const changes: Changes = {
      seq: this.#seq,
      processIds: [...this.#processes],
      removedProcesses: [...this.#removedProcesses],
      poolIds: [...this.#pools],
      removedPools: [...this.#removedPools],
      tasks: [...this.#tasks.values()],
      sampled: this.#sampled,
    };
    this.#processes.clear();
    this.#removedProcesses.clear();
    this.#pools.clear();
    this.#removedPools.clear();
    this.#tasks.clear();
    this.#sampled = false;
    return changes;
  }
}
