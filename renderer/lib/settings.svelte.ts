// The user's display preferences, kept in localStorage so they survive a reload (and, in Electron, a
// restart). Only preferences live here; nothing about processes.

export type ThemeChoice = 'system' | 'light' | 'dark';

/** The actions that end work the user cannot get back, each asking first unless told not to again. Kill always asks. */
export const CONFIRMED_ACTIONS = ['terminate', 'restart', 'remove', 'terminatePool'] as const;
export type ConfirmedAction = (typeof CONFIRMED_ACTIONS)[number];

interface StoredSettings {
  cpuDividedByCores: boolean;
  theme: ThemeChoice;
  /** Hide processes that exited or failed to start. */
  hideExited: boolean;
  /** The actions whose "don't ask again" box was ticked. */
  skipConfirm: ConfirmedAction[];
}

const STORAGE_KEY = 'pooldeck.settings.v1';
const DEFAULTS: StoredSettings = { cpuDividedByCores: false, theme: 'system', hideExited: true, skipConfirm: [] };

function readStored(storage: Storage | null): StoredSettings {
  if (!storage) return { ...DEFAULTS };
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');
    if (parsed === null || typeof parsed !== 'object') return { ...DEFAULTS };
    const record = parsed as Partial<Record<keyof StoredSettings, unknown>>;
    return {
      cpuDividedByCores:
        typeof record.cpuDividedByCores === 'boolean' ? record.cpuDividedByCores : DEFAULTS.cpuDividedByCores,
      theme: record.theme === 'light' || record.theme === 'dark' || record.theme === 'system' ? record.theme : DEFAULTS.theme,
      hideExited: typeof record.hideExited === 'boolean' ? record.hideExited : DEFAULTS.hideExited,
      skipConfirm: Array.isArray(record.skipConfirm)
        ? CONFIRMED_ACTIONS.filter((action) => (record.skipConfirm as unknown[]).includes(action))
        : [],
    };
  } catch {
    return { ...DEFAULTS };
  }
}

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled by the browser's privacy settings
  }
}

export class Settings {
  #cpuDividedByCores = $state(false);
  #theme = $state<ThemeChoice>('system');
  #hideExited = $state(true);
  #skipConfirm = $state.raw<readonly ConfirmedAction[]>([]);
  readonly #storage: Storage | null;

  constructor(storage: Storage | null = defaultStorage()) {
    this.#storage = storage;
    const stored = readStored(storage);
    this.#cpuDividedByCores = stored.cpuDividedByCores;
    this.#theme = stored.theme;
    this.#hideExited = stored.hideExited;
    this.#skipConfirm = stored.skipConfirm;
  }

  /** false: 100% = one core (as top and htop count); true: 100% = all cores busy. */
  get cpuDividedByCores(): boolean {
    return this.#cpuDividedByCores;
  }
  set cpuDividedByCores(value: boolean) {
    this.#cpuDividedByCores = value;
    this.#save();
  }

  get theme(): ThemeChoice {
    return this.#theme;
  }
  set theme(value: ThemeChoice) {
    this.#theme = value;
    this.#save();
  }

  get hideExited(): boolean {
    return this.#hideExited;
  }
  set hideExited(value: boolean) {
    this.#hideExited = value;
    this.#save();
  }

  /** Whether `action` still asks before it runs. */
  asks(action: ConfirmedAction): boolean {
    return !this.#skipConfirm.includes(action);
  }

  /** "Don't ask again" for `action`. */
  stopAsking(action: ConfirmedAction): void {
    if (this.#skipConfirm.includes(action)) return;
    this.#skipConfirm = [...this.#skipConfirm, action];
    this.#save();
  }

  #save(): void {
    try {
      this.#storage?.setItem(
        STORAGE_KEY,
        JSON.stringify({
          cpuDividedByCores: this.#cpuDividedByCores,
          theme: this.#theme,
          hideExited: this.#hideExited,
          skipConfirm: [...this.#skipConfirm],
        } satisfies StoredSettings),
      );
    } catch {
      // Quota or privacy mode: the setting still applies for this session.
    }
  }
}
