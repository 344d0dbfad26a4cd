// Auto-update: electron-updater against the GitHub releases feed (package.json build.publish; the
// release workflow attaches latest*.yml beside the installers). Off by default: the "Check for
// Updates Automatically" setting (settings.json) turns it on; "Check for Updates…" checks once when
// asked. Never in a development build (nothing to update: no app-update.yml) or a --smoke-test run.
// The only file that imports electron-updater, and only when a check is made.
import { app, dialog } from 'electron';
import type { AppUpdater } from 'electron-updater';
import type { ShellSettings } from '../protocol/shell-settings.js';
import { readShellSettings, writeShellSettings } from './shell-settings.js';
import { isSmokeTest } from './smoke-test.js';

/** The part of electron-updater's AppUpdater used here. */
export type Updater = Pick<AppUpdater, 'checkForUpdates' | 'checkForUpdatesAndNotify'>;

export type UpdateDecision = { check: true } | { check: false; reason: string };

/** Whether updates can be checked at all in this run; null when they can. */
function whyNoUpdates(isPackaged: boolean, argv: readonly string[]): string | null {
  if (isSmokeTest(argv)) return 'a --smoke-test run checks no updates';
  if (!isPackaged) return 'a development build (not packaged) has no update feed';
  return null;
}

/** Whether to check for updates at startup: only when the user turned it on, in a packaged, normal run. */
export function startupDecision(settings: ShellSettings, isPackaged: boolean, argv: readonly string[]): UpdateDecision {
  const why = whyNoUpdates(isPackaged, argv);
  if (why !== null) return { check: false, reason: why };
  if (!settings.checkForUpdates) return { check: false, reason: 'Check for Updates Automatically is off' };
  return { check: true };
}

/** What Help's update items show and do; built afresh with the menu. */
export interface UpdateMenuState {
  automatic: boolean;
  setAutomatic(on: boolean): void;
  checkNow(): void;
}

export interface AutoUpdateOptions {
  /** Where settings.json lives: the app's user-data folder. */
  settingsDir: string;
  log: (message: string) => void;
  /** electron-updater's autoUpdater, loaded when the first check is made. */
  loadUpdater?: () => Promise<Updater>;
  argv?: readonly string[];
}

async function loadElectronUpdater(): Promise<Updater> {
  // CommonJS: its named exports come through the default export under ESM.
  const updater = await import('electron-updater');
  return updater.default.autoUpdater;
}

export class AutoUpdate {
  readonly #settingsDir: string;
  readonly #log: (message: string) => void;
  readonly #loadUpdater: () => Promise<Updater>;
  readonly #argv: readonly string[];
  #settings: ShellSettings;

  constructor(options: AutoUpdateOptions) {
    this.#settingsDir = options.settingsDir;
    this.#log = options.log;
    this.#loadUpdater = options.loadUpdater ?? loadElectronUpdater;
    this.#argv = options.argv ?? process.argv;
    this.#settings = readShellSettings(this.#settingsDir, this.#log);
  }

  get automatic(): boolean {
    return this.#settings.checkForUpdates;
  }

  /** Turns automatic checks on or off (saved at once); turning them on checks now. */
  setAutomatic(on: boolean): void {
    this.#settings = { ...this.#settings, checkForUpdates: on };
    writeShellSettings(this.#settingsDir, this.#settings);
    if (on) void this.checkAtStartup();
  }

  /**
   * At startup: checks, downloads and notifies (the update installs when the app quits) if the
   * setting is on in a packaged, normal run; else only logs why not. Resolves to the decision.
   */
  async checkAtStartup(): Promise<UpdateDecision> {
    const decision = startupDecision(this.#settings, app.isPackaged, this.#argv);
    if (!decision.check) {
      this.#log(`no update check: ${decision.reason}`);
      return decision;
    }
    try {
      const updater = await this.#loadUpdater();
      await updater.checkForUpdatesAndNotify();
    } catch (error) {
      this.#log(`the update check failed: ${(error as Error).message}`);
    }
    return decision;
  }

  /** Help › Check for Updates…: checks once, whatever the setting, and says what it found. */
  async checkNow(): Promise<void> {
    const why = whyNoUpdates(app.isPackaged, this.#argv);
    if (why !== null) {
      await dialog.showMessageBox({ type: 'info', message: 'Updates are not checked', detail: `This is ${why}.` });
      return;
    }
    let message: string;
    try {
      const result = await (await this.#loadUpdater()).checkForUpdates();
      message = result?.isUpdateAvailable
        ? `Pooldeck ${result.updateInfo.version} is available: it is downloading and installs when you quit.`
        : `Pooldeck ${app.getVersion()} is the newest version.`;
    } catch (error) {
      message = `The update check failed: ${(error as Error).message}`;
    }
    await dialog.showMessageBox({ type: 'info', message });
  }

  /** Help's update items as they stand now. */
  menuState(): UpdateMenuState {
    return {
      automatic: this.automatic,
      setAutomatic: (on) => this.setAutomatic(on),
      checkNow: () => void this.checkNow(),
    };
  }
}
