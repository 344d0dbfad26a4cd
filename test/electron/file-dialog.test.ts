import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebContents } from './fake-electron.js';

interface DialogCall {
  window: unknown;
  options: { properties?: string[]; filters?: { extensions: string[] }[] };
}

const fake = vi.hoisted(() => ({
  calls: [] as DialogCall[],
  answer: { canceled: false, filePaths: ['/home/user/tasks.py'] },
  windows: new Map<number, { id: number }>(),
}));
vi.mock('electron', () => ({
  BrowserWindow: { fromWebContents: (webContents: { id: number }) => fake.windows.get(webContents.id) ?? null },
  dialog: {
    showOpenDialog: async (...args: unknown[]) => {
      const [window, options] = args.length === 2 ? args : [null, args[0]];
      fake.calls.push({ window, options: options as DialogCall['options'] });
      return fake.answer;
    },
  },
}));

const { pickTargetFile } = await import('../../main/electron/file-dialog.js');

describe('pickTargetFile', () => {
  beforeEach(() => {
    fake.calls.length = 0;
    fake.windows.clear();
    fake.answer = { canceled: false, filePaths: ['/home/user/tasks.py'] };
  });

  it('opens one file, offering only what a helper runs, modal to the window that asked', async () => {
    const window = { id: 7 };
    fake.windows.set(1, window);
    await expect(pickTargetFile(new FakeWebContents(1) as unknown as Electron.WebContents)).resolves.toBe('/home/user/tasks.py');
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.window).toBe(window);
    expect(fake.calls[0]!.options.properties).toEqual(['openFile']);
    const extensions = new Set(fake.calls[0]!.options.filters!.flatMap((filter) => filter.extensions));
    expect(extensions).toEqual(new Set(['py', 'mjs', 'cjs', 'js']));
  });

  it('answers null when the user cancels', async () => {
    fake.answer = { canceled: true, filePaths: [] };
    await expect(pickTargetFile(new FakeWebContents(1) as unknown as Electron.WebContents)).resolves.toBeNull();
    expect(fake.calls[0]!.window).toBeNull();
  });
});
