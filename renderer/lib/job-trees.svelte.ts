import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { ProcessTree } from '../../main/protocol/index.js';
import type { PooldeckApi } from './api.js';
import { objectNotes, treeLines, type TreeLine, type TreeNote } from './tree-lines.js';

// Which jobs' rows are expanded, and their process trees, read with getProcessTree while expanded:
// at once on expanding, then every `intervalMs`. Nothing is asked for while no row is expanded.

export class JobTrees {
  readonly expanded = new SvelteSet<string>();
  /** Per expanded job: its lines, or a note while there are none. */
  readonly lines = new SvelteMap<string, (TreeLine | TreeNote)[] | TreeNote>();
  readonly #api: () => PooldeckApi;
  readonly #intervalMs: () => number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Polls in flight: a slow answer never overlaps the next poll of the same job. */
  readonly #reading = new Set<string>();

  constructor(api: () => PooldeckApi, intervalMs: () => number) {
    this.#api = api;
    this.#intervalMs = intervalMs;
  }

  isExpanded(id: string): boolean {
    return this.expanded.has(id);
  }

  toggle(id: string): void {
    if (this.expanded.has(id)) this.collapse(id);
    else this.expand(id);
  }

  expand(id: string): void {
    if (this.expanded.has(id)) return;
    this.expanded.add(id);
    void this.refresh(id);
    this.#schedule();
  }

  collapse(id: string): void {
    this.expanded.delete(id);
    this.lines.delete(id);
    if (this.expanded.size === 0) this.#stop();
  }

  /** Reads one job's tree now (after an action on one of its processes, to show the change at once). */
  async refresh(id: string): Promise<void> {
    if (this.#reading.has(id)) return;
    this.#reading.add(id);
    try {
      const outcome = await this.#api().call('getProcessTree', { id });
      if (!this.expanded.has(id)) return;
      if (outcome.ok) this.lines.set(id, linesOf(id, outcome.value));
      else this.lines.set(id, { key: `${id}:note`, jobId: id, note: `Could not read the process tree: ${outcome.error.message}` });
    } finally {
      this.#reading.delete(id);
    }
  }

  /** Stops polling (the table went away). */
  dispose(): void {
    this.#stop();
    this.expanded.clear();
    this.lines.clear();
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.expanded.size === 0) return;
      for (const id of this.expanded) void this.refresh(id);
      this.#schedule();
    }, this.#intervalMs());
  }

  #stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** The job's tree lines, then the queues and shared values the inspector saw in it, one line each. */
function linesOf(id: string, tree: ProcessTree): (TreeLine | TreeNote)[] {
  const lines: (TreeLine | TreeNote)[] = treeLines(id, tree);
  if (lines.length === 0) lines.push({ key: `${id}:note`, jobId: id, note: tree.pid === null ? 'Not running: no processes below it.' : 'No processes below it.' });
  lines.push(...objectNotes(id, tree.inspection));
  return lines;
}
