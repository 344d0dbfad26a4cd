// The Channels view's data: listChannels polled at the app's sampling interval while the view is shown
// (the rows change every tick, so polling one bounded list is simpler than deltas for them).
import type { ChannelList, CommandOutcome } from '../../main/protocol/index.js';

export type ListChannels = () => Promise<CommandOutcome<ChannelList>>;

const DEFAULT_INTERVAL_MS = 1000;

export class ChannelListing {
  list = $state.raw<ChannelList | null>(null);
  error = $state<string | null>(null);
  readonly #listChannels: ListChannels;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;

  constructor(listChannels: ListChannels) {
    this.#listChannels = listChannels;
  }

  /** Polls until the returned function is called. */
  start(): () => void {
    this.#stopped = false;
    void this.#poll();
    return () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
    };
  }

  /** Reads at once (after an action), without waiting for the next poll. */
  async refresh(): Promise<void> {
    const outcome = await this.#listChannels();
    if (outcome.ok) {
      this.list = outcome.value;
      this.error = null;
    } else this.error = outcome.error.message;
  }

  async #poll(): Promise<void> {
    await this.refresh();
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#poll(), this.list?.sampleIntervalMs ?? DEFAULT_INTERVAL_MS);
  }
}
