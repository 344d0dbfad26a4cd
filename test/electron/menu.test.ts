import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createMenuTemplate, type WorkspaceMenuActions } from '../../main/electron/menu.js';
import type { MenuAction } from '../../main/protocol/bridge.js';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function template(isDev: boolean, isMac = false, recentWorkspaces: string[] = []) {
  const sent: MenuAction[] = [];
  const showAbout = vi.fn();
  const workspaceCalls: string[] = [];
  const workspace: WorkspaceMenuActions = {
    open: () => workspaceCalls.push('open'),
    openPath: (path) => workspaceCalls.push(`openPath ${path}`),
    save: () => workspaceCalls.push('save'),
    saveAs: () => workspaceCalls.push('saveAs'),
  };
  const items = createMenuTemplate({ isDev, isMac, sendToWindow: (action) => sent.push(action), showAbout, recentWorkspaces, workspace });
  return { items, all: flatten(items), sent, showAbout, workspaceCalls };
}

const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as unknown as () => void)();

describe('createMenuTemplate', () => {
  it('has File, View and Help menus, plus the app menu on macOS', () => {
    expect(template(false).items.map((item) => item.label ?? item.role)).toEqual(['File', 'editMenu', 'View', 'help']);
    expect(template(false, true).items[0].role).toBe('appMenu');
  });

  it('File offers New Process, New Pool, the workspace items and Quit; the first two go to the window', () => {
    const { items, sent } = template(false);
    const file = items[0].submenu as MenuItemConstructorOptions[];
    expect(file.map((item) => item.label ?? item.role ?? item.type)).toEqual([
      'New Process…',
      'New Pool…',
      'separator',
      'Open Workspace…',
      'Open Recent',
      'Save Workspace',
      'Save Workspace As…',
      'separator',
      'quit',
    ]);
    click(file[0]);
    click(file[1]);
    expect(sent).toEqual(['newProcess', 'newPool']);
  });

  it('offers reload and devtools only in development', () => {
    const roles = (isDev: boolean) => template(isDev).all.map((item) => item.role);
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(roles(false)).not.toContain('reload');
    expect(roles(false)).not.toContain('forceReload');
    expect(roles(false)).not.toContain('toggleDevTools');
  });

  it('Help › About shows the about panel', () => {
    const { all, showAbout } = template(false);
    const about = all.find((item) => item.label === 'About Pooldeck');
    (about?.click as unknown as () => void)();
    expect(showAbout).toHaveBeenCalledOnce();
  });
});

describe('File › workspace items', () => {
  it('Open, Save and Save As call the workspace actions, with the usual shortcuts', () => {
    const { all, workspaceCalls } = template(false);
    const item = (label: string) => all.find((entry) => entry.label === label);
    expect([item('Open Workspace…'), item('Save Workspace'), item('Save Workspace As…')].map((entry) => entry?.accelerator)).toEqual([
      'CmdOrCtrl+O',
      'CmdOrCtrl+S',
      'CmdOrCtrl+Shift+S',
    ]);
    click(item('Open Workspace…'));
    click(item('Save Workspace'));
    click(item('Save Workspace As…'));
    expect(workspaceCalls).toEqual(['open', 'save', 'saveAs']);
  });

  it('Open Recent lists the recent workspaces, newest first, each opening its file; says so when there are none', () => {
    const { all, workspaceCalls } = template(false, false, ['/home/u/b.yaml', '/home/u/a.yaml']);
    const recent = all.find((entry) => entry.label === 'Open Recent')!.submenu as MenuItemConstructorOptions[];
    expect(recent.map((entry) => entry.label)).toEqual(['/home/u/b.yaml', '/home/u/a.yaml']);
    click(recent[1]);
    expect(workspaceCalls).toEqual(['openPath /home/u/a.yaml']);

    const empty = template(false).all.find((entry) => entry.label === 'Open Recent')!.submenu as MenuItemConstructorOptions[];
    expect(empty).toEqual([{ label: 'No Recent Workspaces', enabled: false }]);
  });
});
