// Messages the user must see but that belong to no form field: mostly command errors.

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

export class Toasts {
  #items = $state.raw<Toast[]>([]);
  #nextId = 1;
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Errors stay long enough to be read; each can be dismissed sooner. */
  readonly #lifetimeMs: number;

  constructor(lifetimeMs = 12_000) {
    this.#lifetimeMs = lifetimeMs;
  }

  get items(): readonly Toast[] {
    return this.#items;
  }

  show(message: string, kind: Toast['kind'] = 'error'): number {
    // The same error twice in a row (say, a repeated keypress) is one toast, refreshed.
    const same = this.#items.find((toast) => toast.message === message && toast.kind === kind);
    if (same) this.dismiss(same.id);
    const id = this.#nextId++;
    this.#items = [...this.#items.slice(-4), { id, kind, message }];
    if (this.#lifetimeMs > 0) this.#timers.set(id, setTimeout(() => this.dismiss(id), this.#lifetimeMs));
    return id;
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
    this.#items = this.#items.filter((toast) => toast.id !== id);
  }

  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
