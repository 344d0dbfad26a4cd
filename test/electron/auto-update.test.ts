// Auto-update's decisions in plain Node, with the fake electron: off by default, never in a development
// build or a --smoke-test run, the setting saved in settings.json, and Help's two items. The updater
// itself (electron-updater against the release feed) only runs in a packaged app: a stand-in records
// the calls here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItem, MenuItemConstructorOptions } from 'electron';
import type { AppUpdater } from 'electron-updater';
import { quitElectron } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).quitElectron);

const { AutoUpdate, startupDecision } = await import('../../main/electron/auto-update.js');
const { updateItems } = await import('../../main/electron/menu.js');
const { readShellSettings } = await import('../../main/electron/shell-settings.js');

let folder: string;
let logged: string[];
let calls: string[];

function autoUpdate(argv: string[] = ['pooldeck']) {
  return new AutoUpdate({
    settingsDir: folder,
    log: (message) => logged.push(message),
    argv,
    loadUpdater: async () => ({
      checkForUpdatesAndNotify: async () => {
        calls.push('checkForUpdatesAndNotify');
        return null;
      },
      checkForUpdates: async () => {
        calls.push('checkForUpdates');
        return { isUpdateAvailable: true, updateInfo: { version: '0.2.0' } } as Awaited<ReturnType<AppUpdater['checkForUpdates']>>;
      },
    }),
  });
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'pooldeck-settings-'));
  logged = [];
  calls = [];
  quitElectron.app.isPackaged = false;
  quitElectron.dialog.messages.length = 0;
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('the startup decision', () => {
  it('checks only when the setting is on, in a packaged build, outside a smoke test', () => {
    expect(startupDecision({ checkForUpdates: false }, true, [])).toEqual({ check: false, reason: 'Check for Updates Automatically is off' });
    expect(startupDecision({ checkForUpdates: true }, false, [])).toMatchObject({ check: false, reason: expect.stringMatching(/development build/) });
    expect(startupDecision({ checkForUpdates: true }, true, ['pooldeck', '--smoke-test'])).toMatchObject({ check: false, reason: expect.stringMatching(/--smoke-test/) });
    expect(startupDecision({ checkForUpdates: true }, true, ['pooldeck'])).toEqual({ check: true });
  });
});

describe('AutoUpdate', () => {
  it('is off by default: a packaged app with no settings file checks nothing at startup', async () => {
    quitElectron.app.isPackaged = true;
    const updates = autoUpdate();
    expect(updates.automatic).toBe(false);
    expect(await updates.checkAtStartup()).toMatchObject({ check: false });
    expect(calls).toEqual([]);
    expect(logged).toEqual(['no update check: Check for Updates Automatically is off']);
  });

  it('turned on, saves the setting, checks at once, and at the next startup', async () => {
    quitElectron.app.isPackaged = true;
    autoUpdate().setAutomatic(true);
    expect(JSON.parse(readFileSync(join(folder, 'settings.json'), 'utf8'))).toEqual({ checkForUpdates: true });
    await vi.waitFor(() => expect(calls).toEqual(['checkForUpdatesAndNotify']));
    const next = autoUpdate();
    expect(next.automatic).toBe(true);
    expect(await next.checkAtStartup()).toEqual({ check: true });
    expect(calls).toEqual(['checkForUpdatesAndNotify', 'checkForUpdatesAndNotify']);
  });

  it('checks nothing in a development build or a --smoke-test run, even when turned on', async () => {
    writeFileSync(join(folder, 'settings.json'), '{"checkForUpdates":true}');
    expect(await autoUpdate().checkAtStartup()).toMatchObject({ check: false });
    quitElectron.app.isPackaged = true;
    expect(await autoUpdate(['pooldeck', '--smoke-test']).checkAtStartup()).toMatchObject({ check: false });
    expect(calls).toEqual([]);
  });

  it('Check for Updates… checks once whatever the setting and says what it found; in development it says why not', async () => {
    await autoUpdate().checkNow();
    expect(quitElectron.dialog.messages.at(-1)).toMatch(/not checked.*development build/);
    quitElectron.app.isPackaged = true;
    await autoUpdate().checkNow();
    expect(calls).toEqual(['checkForUpdates']);
    expect(quitElectron.dialog.messages.at(-1)).toBe('Pooldeck 0.2.0 is available: it is downloading and installs when you quit.');
  });

  it('reads a broken settings file as the defaults, naming the problem', () => {
    writeFileSync(join(folder, 'settings.json'), '{"checkForUpdates":"yes"}');
    expect(readShellSettings(folder, (message) => logged.push(message))).toEqual({ checkForUpdates: false });
    expect(logged[0]).toMatch(/checkForUpdates must be true or false; using the default settings/);
  });
});

describe("Help's update items", () => {
  it('are a checkbox showing the setting, which saves what the user ticks, and Check for Updates…', () => {
    const updates = autoUpdate();
    const items = updateItems(updates.menuState());
    expect(items.map((item) => item.label ?? item.type)).toEqual(['Check for Updates Automatically', 'Check for Updates…', 'separator']);
    const [automatic] = items as [MenuItemConstructorOptions];
    expect(automatic).toMatchObject({ type: 'checkbox', checked: false });
    automatic.click!({ checked: true } as MenuItem, undefined, {} as never);
    expect(updates.automatic).toBe(true);
    expect(updateItems(updates.menuState())[0]).toMatchObject({ checked: true });
  });
});
