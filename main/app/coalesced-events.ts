import type { AppEventSource } from '../protocol/bridge.js';
import type { AppEvent } from '../protocol/events.js';
import type { Supervisor } from './supervisor.js';

/**
 * Sends a snapshot to each new subscriber, then the supervisor's deltas, at most one per interval:
 * a burst of changes (a sample of 1,000 rows, 500 exits) becomes one message.
 */
export class CoalescedEvents implements AppEventSource {
  readonly #listeners = new Set<(event: AppEvent) => void>();
  #timer: NodeJS.Timeout | null = null;
  #lastFlush = 0;
  #disposed = false;
  readonly #onChange = () => this.#schedule();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly intervalMs: number,
  ) {
    supervisor.on('change', this.#onChange);
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    listener({ type: 'snapshot', snapshot: this.supervisor.snapshot() });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    this.#disposed = true;
    this.supervisor.off('change', this.#onChange);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  #schedule(): void {
    if (this.#timer || this.#disposed) return;
    const wait = Math.max(0, this.#lastFlush + this.intervalMs - Date.now());
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#timer = null;
    this.#lastFlush = Date.now();
    const delta = this.supervisor.takeDelta();
    if (!delta) return;
    for (const listener of this.#listeners) {
      try {
        listener({ type: 'delta', delta });
      } catch {
        // One broken subscriber (a closed window) must not stop the others.
      }
    }
  }
}
