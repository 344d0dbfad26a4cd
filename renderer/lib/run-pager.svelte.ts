import type { CommandOutcome, RunFilter, RunPage } from '../../main/protocol/index.js';
import type { PooldeckApi } from './api.js';

/** Rows asked for beyond each edge of the window. */
const MARGIN_ROWS = 50;
/** The protocol's longest page of runs. */
const MAX_PAGE_ROWS = 1000;

export interface RunPageRequest {
  filter: RunFilter;
  offset: number;
  limit: number;
}

/**
 * Keeps the page of the run history that the History view's window shows, asking the app (listRuns) as
 * the window moves, the filter changes and on each refresh. One request in flight; what is wanted
 * meanwhile is asked for next, only the latest.
 */
export class RunPager {
  page = $state.raw<RunPage | null>(null);
  #pageFilter = '';
  #wanted: RunPageRequest | null = null;
  #asking = false;

  constructor(private readonly listRuns: (request: RunPageRequest) => Promise<CommandOutcome<RunPage>>) {}

  want(filter: RunFilter, first: number, last: number): void {
    const offset = Math.max(0, first - MARGIN_ROWS);
    const limit = Math.min(MAX_PAGE_ROWS, Math.max(1, last - offset + MARGIN_ROWS));
    this.#wanted = { filter, offset, limit };
    if (JSON.stringify(filter) !== this.#pageFilter && this.page !== null) this.page = null;
    void this.#ask();
  }

  async #ask(): Promise<void> {
    const wanted = this.#wanted;
    if (this.#asking || wanted === null) return;
    this.#wanted = null;
    this.#asking = true;
    try {
      const outcome = await this.listRuns(wanted);
      const key = JSON.stringify(wanted.filter);
      const since = this.#wanted as RunPageRequest | null;
      if (outcome.ok && (since === null || JSON.stringify(since.filter) === key)) {
        this.page = outcome.value;
        this.#pageFilter = key;
      }
    } finally {
      this.#asking = false;
    }
    await this.#ask();
  }
}

/** The History view's time choices, as the start of the range (ms since the epoch) or none. */
export const TIME_RANGES = [
  { value: 'any', label: 'Any time', ms: null },
  { value: 'hour', label: 'Last hour', ms: 3_600_000 },
  { value: 'day', label: 'Last 24 hours', ms: 86_400_000 },
  { value: 'week', label: 'Last 7 days', ms: 7 * 86_400_000 },
] as const;
export type TimeRange = (typeof TIME_RANGES)[number]['value'];

export function sinceOf(range: TimeRange, now: number): number | undefined {
  const ms = TIME_RANGES.find((choice) => choice.value === range)?.ms ?? null;
  return ms === null ? undefined : now - ms;
}

/** Bytes of a past run's log the History view shows: its end. */
const LOG_TAIL_BYTES = 256 * 1024;

/** The end of a past run's log file as text, and whether it is only the end. */
export async function readRunLogTail(api: Pick<PooldeckApi, 'call'>, runId: string): Promise<{ text: string; cut: boolean } | { error: string }> {
  const first = await api.call('readRunLog', { runId, offset: 0 });
  if (!first.ok) return { error: first.error.message };
  const start = Math.max(0, first.value.totalBytes - LOG_TAIL_BYTES);
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  let piece = first.value;
  if (start > 0) {
    const tail = await api.call('readRunLog', { runId, offset: start });
    if (!tail.ok) return { error: tail.error.message };
    piece = tail.value;
  }
  for (;;) {
    pieces.push(Uint8Array.from(atob(piece.data), (char) => char.charCodeAt(0)));
    if (piece.nextOffset >= piece.totalBytes || piece.data === '') break;
    const next = await api.call('readRunLog', { runId, offset: piece.nextOffset });
    if (!next.ok) return { error: next.error.message };
    piece = next.value;
  }
  const text = new TextDecoder().decode(await new Blob(pieces).arrayBuffer());
  // A cut in the middle of a line: start at the next whole one.
  return { text: start > 0 ? text.slice(text.indexOf('\n') + 1) : text, cut: start > 0 };
}
