// The application menu as a template. Type-only Electron imports: index.ts builds it with
// Menu.buildFromTemplate, and a unit test checks which items exist in development and in release builds.
import type { MenuItemConstructorOptions } from 'electron';

import type { MenuAction } from '../protocol/bridge.js';
import type { UpdateMenuState } from './auto-update.js';

export interface MenuOptions {
  isDev: boolean;
  isMac: boolean;
  sendToWindow(action: MenuAction): void;
  showAbout(): void;
  /** Help's update items (auto-update.ts); left out, the menu has none. */
  updates?: UpdateMenuState;
  /** Newest first: File › Open Recent. */
  recentWorkspaces: readonly string[];
  workspace: WorkspaceMenuActions;
}

/** What File's workspace items do; index.ts shows the dialogs and calls the backend. */
export interface WorkspaceMenuActions {
  open(): void;
  openPath(path: string): void;
  save(): void;
  saveAs(): void;
}

export function createMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Process…', accelerator: 'CmdOrCtrl+N', click: () => options.sendToWindow('newProcess') },
      { label: 'New Pool…', accelerator: 'CmdOrCtrl+Shift+N', click: () => options.sendToWindow('newPool') },
      { type: 'separator' },
      ...workspaceItems(options),
      { type: 'separator' },
      // role 'quit' calls app.quit(), which goes through the quit flow (quit.ts).
      { role: 'quit' },
    ],
  };
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.isDev
        ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [...(options.updates ? updateItems(options.updates) : []), { label: 'About Pooldeck', click: () => options.showAbout() }],
  };
  const appMenu: MenuItemConstructorOptions[] = options.isMac ? [{ role: 'appMenu' }] : [];
  return [...appMenu, file, edit, view, help];
}

function workspaceItems({ workspace, recentWorkspaces }: MenuOptions): MenuItemConstructorOptions[] {
  const recent: MenuItemConstructorOptions[] =
    recentWorkspaces.length === 0
      ? [{ label: 'No Recent Workspaces', enabled: false }]
      : recentWorkspaces.map((path) => ({ label: path, click: () => workspace.openPath(path) }));
  return [
    { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => workspace.open() },
    { label: 'Open Recent', submenu: recent },
    { label: 'Save Workspace', accelerator: 'CmdOrCtrl+S', click: () => workspace.save() },
    { label: 'Save Workspace As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => workspace.saveAs() },
  ];
}

/** Help › Check for Updates Automatically (a checkbox, saved at once) and Check for Updates…. */
export function updateItems(updates: UpdateMenuState): MenuItemConstructorOptions[] {
  return [
    { label: 'Check for Updates Automatically', type: 'checkbox', checked: updates.automatic, click: (item) => updates.setAutomatic(item.checked) },
    { label: 'Check for Updates…', click: () => updates.checkNow() },
    { type: 'separator' },
  ];
}
