import type { CommandOutcome, TaskPage, TaskState } from '../../main/protocol/index.js';

/** Which tasks a list shows: all of them, or those in one state. */
export type TaskFilter = 'all' | TaskState;

export interface TaskPageRequest {
  poolId: string;
  offset: number;
  limit: number;
  state?: TaskState;
}

/** Rows asked for beyond each edge of the window, so a short scroll shows rows before its page comes. */
const MARGIN_ROWS = 50;
/** The protocol's longest page (LIMITS.maxTasksPerPage). */
const MAX_PAGE_ROWS = 1000;

/**
 * Keeps the page of a pool's task list that a windowed list shows, asking the app for it (listTasks)
 * as the window moves and the pool changes. One request at a time: what is wanted meanwhile is asked
 * for next, only the latest of it, so a fast scroll or a flood of deltas costs one request in flight.
 */
export class TaskPager {
  /** The latest page of the current filter; null until it came (or after the filter changed). */
  page = $state.raw<TaskPage | null>(null);
  #pageFilter: TaskFilter | null = null;
  #wanted: { filter: TaskFilter; offset: number; limit: number } | null = null;
  #asking = false;

  constructor(
    private readonly listTasks: (request: TaskPageRequest) => Promise<CommandOutcome<TaskPage>>,
    private readonly poolId: () => string,
  ) {}

  /** The window shows rows `first` … `last - 1` of the list under `filter`: get them (again). */
  want(filter: TaskFilter, first: number, last: number): void {
    const offset = Math.max(0, first - MARGIN_ROWS);
    const limit = Math.min(MAX_PAGE_ROWS, Math.max(1, last - offset + MARGIN_ROWS));
    this.#wanted = { filter, offset, limit };
    if (filter !== this.#pageFilter && this.page !== null) this.page = null;
    void this.#ask();
  }

  async #ask(): Promise<void> {
    const wanted = this.#wanted;
    if (this.#asking || wanted === null) return;
    this.#wanted = null;
    this.#asking = true;
    try {
      const { filter, offset, limit } = wanted;
      const outcome = await this.listTasks({ poolId: this.poolId(), offset, limit, ...(filter === 'all' ? {} : { state: filter }) });
      // A page of a filter the user has left since is of no use (TS cannot see #wanted change across the await).
      const since = this.#wanted as { filter: TaskFilter } | null;
      const stale = since !== null && since.filter !== filter;
      if (outcome.ok && !stale) {
        this.page = outcome.value;
        this.#pageFilter = filter;
      }
    } finally {
      this.#asking = false;
    }
    await this.#ask();
  }
}
