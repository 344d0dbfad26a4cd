// The open workspace as the UI shows it (the toolbar's Workspace menu, the "Not started" list): read
// with getWorkspace, refreshed after each action and whenever rows come or go (a job created or
// removed in the UI changes the workspace too).
import type { ImportResult, WorkspaceInfo } from '../../main/protocol/index.js';
import type { PooldeckApi } from './api.js';
import type { Settings } from './settings.svelte.js';


/** A little longer than the app's save delay (500 ms). */
const SAVE_RECHECK_MS = 1_000;

export class WorkspaceState {
  info = $state.raw<WorkspaceInfo | null>(null);
  recent = $state.raw<readonly string[]>([]);
  readonly #apiOf: () => PooldeckApi;
  #recheck: ReturnType<typeof setTimeout> | null = null;

  /** `api` is read at each call: the component's prop may be replaced. */
  constructor(api: () => PooldeckApi) {
    this.#apiOf = api;
  }

  get #api(): PooldeckApi {
    return this.#apiOf();
  }

  /** The workspace's display settings win over the browser's own: the file is what the user keeps. */
  applyDisplay(settings: Pick<Settings, 'hideExited' | 'cpuDividedByCores' | 'theme'>): void {
    const display = this.info?.display ?? {};
    if (display.hideExited !== undefined) settings.hideExited = display.hideExited;
    if (display.cpuDividedByCores !== undefined) settings.cpuDividedByCores = display.cpuDividedByCores;
    if (display.theme !== undefined) settings.theme = display.theme;
  }

  /** The jobs of the workspace not running as a row in this session: each has a Start button. */
  get notStarted() {
    return (this.info?.jobs ?? []).filter((job) => job.rowId === null);
  }

  /** The file's name, for the toolbar; "Untitled" before Save As. */
  get title(): string {
    const path = this.info?.path;
    return path ? (path.split(/[\\/]/).pop() ?? path) : 'Untitled workspace';
  }

  async refresh(): Promise<void> {
    const [info, recent] = await Promise.all([this.#api.call('getWorkspace', {}), this.#api.call('listRecentWorkspaces', {})]);
    if (info.ok) this.info = info.value;
    if (recent.ok) this.recent = recent.value.paths;
    // A change is written a moment after it was made: look again then, so "saving…" turns "saved".
    if (this.info?.unsaved && this.info.path !== null && this.#recheck === null) {
      this.#recheck = setTimeout(() => {
        this.#recheck = null;
        void this.refresh();
      }, SAVE_RECHECK_MS);
    }
  }

  /** Each returns the error's message, or null when it worked. */
  async open(path: string): Promise<string | null> {
    return this.#settle(await this.#api.call('openWorkspace', { path }));
  }

  async save(): Promise<string | null> {
    return this.#settle(await this.#api.call('saveWorkspace', {}));
  }

  async saveAs(path: string): Promise<string | null> {
    return this.#settle(await this.#api.call('saveWorkspaceAs', { path }));
  }

  async start(name: string): Promise<string | null> {
    const outcome = await this.#api.call('startWorkspaceJob', { name });
    await this.refresh();
    return outcome.ok ? null : outcome.error.message;
  }

  async remove(name: string): Promise<string | null> {
    return this.#settle(await this.#api.call('removeWorkspaceJob', { name }));
  }

  async importJobs(path: string, format: 'procfile' | 'supervisord'): Promise<{ ok: true; result: ImportResult } | { ok: false; message: string }> {
    const outcome = await this.#api.call('importJobs', { path, format });
    await this.refresh();
    return outcome.ok ? { ok: true, result: outcome.value } : { ok: false, message: outcome.error.message };
  }

  async #settle(outcome: { ok: true; value: WorkspaceInfo } | { ok: false; error: { message: string } }): Promise<string | null> {
    await this.refresh();
    return outcome.ok ? null : outcome.error.message;
  }
}
