import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createMenuTemplate } from '../../main/electron/menu.js';
import type { MenuAction } from '../../main/protocol/bridge.js';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function template(isDev: boolean, isMac = false) {
  const sent: MenuAction[] = [];
  const showAbout = vi.fn();
  const items = createMenuTemplate({ isDev, isMac, sendToWindow: (action) => sent.push(action), showAbout });
  return { items, all: flatten(items), sent, showAbout };
}

describe('createMenuTemplate', () => {
  it('has File, View and Help menus, plus the app menu on macOS', () => {
    expect(template(false).items.map((item) => item.label ?? item.role)).toEqual(['File', 'editMenu', 'View', 'help']);
    expect(template(false, true).items[0].role).toBe('appMenu');
  });

  it('File offers New Process, New Pool and Quit; the first two go to the window', () => {
    const { items, sent } = template(false);
    const file = items[0].submenu as MenuItemConstructorOptions[];
    expect(file.map((item) => item.label ?? item.role ?? item.type)).toEqual(['New Process…', 'New Pool…', 'separator', 'quit']);
    const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();
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
