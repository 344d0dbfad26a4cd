import type { PooldeckApi } from './api.js';
import type { SearchLogsResult } from '../../main/protocol/index.js';

/** Typing pauses this long before the file is searched: one search per word, not per key. */
const SEARCH_DELAY_MS = 300;
/** Matches the view asks for at most (the newest); the count covers them all. */
const MATCH_LIMIT = 1000;

/**
 * A search of one process's log file on disk (all of it, not only the lines the view holds), with a
 * current match to step through. The newest answer wins: an answer to an older query is ignored.
 */
export class LogFileSearch {
  /** What the user typed, trimmed. */
  query = $state('');
  result = $state.raw<SearchLogsResult | null>(null);
  searching = $state(false);
  error = $state<string | null>(null);
  /** Index in `result.matches` of the match shown as current. */
  current = $state(0);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #asked = 0;

  constructor(
    private readonly api: () => PooldeckApi,
    /** The process whose log is searched. */
    private readonly processId: () => string,
  ) {}

  /** The user typed: searches after a pause; an empty query ends the search. */
  set(text: string): void {
    const query = text.trim();
    if (query === this.query) return;
    this.query = query;
    clearTimeout(this.#timer);
    this.#asked += 1;
    this.result = null;
    this.error = null;
    this.current = 0;
    this.searching = query !== '';
    if (query !== '') this.#timer = setTimeout(() => void this.#run(query), SEARCH_DELAY_MS);
  }

  next(): void {
    const count = this.result?.matches.length ?? 0;
    if (count > 0) this.current = (this.current + 1) % count;
  }

  previous(): void {
    const count = this.result?.matches.length ?? 0;
    if (count > 0) this.current = (this.current - 1 + count) % count;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#asked += 1;
  }

  async #run(query: string): Promise<void> {
    const asked = ++this.#asked;
    const outcome = await this.api().call('searchLogs', { id: this.processId(), text: query, limit: MATCH_LIMIT });
    if (asked !== this.#asked) return;
    this.searching = false;
    if (!outcome.ok) {
      this.error = outcome.error.message;
      return;
    }
    this.result = outcome.value;
    // The newest match first, as a log is read from its end.
    this.current = Math.max(0, outcome.value.matches.length - 1);
  }
}
