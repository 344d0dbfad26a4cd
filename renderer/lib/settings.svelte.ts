// The user's display preferences, kept in localStorage so they survive a reload (and, in Electron, a
// restart). Only preferences live here; nothing about processes.

export type ThemeChoice = 'system' | 'light' | 'dark';

interface StoredSettings {
  cpuDividedByCores: boolean;
  theme: ThemeChoice;
}

const STORAGE_KEY = 'pooldeck.settings.v1';
const DEFAULTS: StoredSettings = { cpuDividedByCores: false, theme: 'system' };

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
  readonly #storage: Storage | null;

  constructor(storage: Storage | null = defaultStorage()) {
    this.#storage = storage;
    const stored = readStored(storage);
    this.#cpuDividedByCores = stored.cpuDividedByCores;
    this.#theme = stored.theme;
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

  #save(): void {
    try {
      this.#storage?.setItem(
        STORAGE_KEY,
        JSON.stringify({ cpuDividedByCores: this.#cpuDividedByCores, theme: this.#theme } satisfies StoredSettings),
      );
    } catch {
      // Quota or privacy mode: the setting still applies for this session.
    }
  }
}
