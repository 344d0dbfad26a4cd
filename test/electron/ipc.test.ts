import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeIpcMain, FakeWebContents, ipcEvent } from './fake-electron.js';
import { commandNames, type CommandHandlers } from '../../main/protocol/commands.js';
import { IPC_READY_CHANNEL, PICK_FILE_CHANNEL, ipcChannel } from '../../main/protocol/bridge.js';

const fake = vi.hoisted(() => ({ ipcMain: null as unknown as FakeIpcMain }));
vi.mock('electron', () => ({
  get ipcMain() {
    return fake.ipcMain;
  },
}));

const { registerCommandIpc } = await import('../../main/electron/ipc.js');
const { appTrustPolicy } = await import('../../main/electron/trusted-sender.js');

function setup() {
  fake.ipcMain = new FakeIpcMain();
  const trusted = new Set<number>([1]);
  const logs: string[] = [];
  const ready: number[] = [];
  const getSnapshot = vi.fn(async () => ({ seq: 1 }));
  const terminate = vi.fn(async () => ({}));
  const handlers = { getSnapshot, terminate } as unknown as CommandHandlers;
  const pickFile = vi.fn(async (asker: { id: number }) => `/home/user/tasks-${asker.id}.py`);
  const dispose = registerCommandIpc({
    handlers,
    policy: appTrustPolicy(trusted),
    onRendererReady: (webContents) => ready.push(webContents.id),
    pickFile: pickFile as unknown as (asker: Electron.WebContents) => Promise<string | null>,
    log: (message) => logs.push(message),
  });
  const invoke = (channel: string, event: unknown, ...args: unknown[]) => {
    const handler = fake.ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  };
  return { trusted, logs, ready, getSnapshot, terminate, pickFile, dispose, invoke };
}

describe('registerCommandIpc', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('registers exactly one handler per command, on its own pooldeck: channel, and one for the file dialog', () => {
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...commandNames.map(ipcChannel), PICK_FILE_CHANNEL].sort());
    expect(fake.ipcMain.listeners.listenerCount(IPC_READY_CHANNEL)).toBe(1);
  });

  it('runs a valid command from the app window through the schema', async () => {
    const window = new FakeWebContents(1);
    await expect(t.invoke(ipcChannel('getSnapshot'), ipcEvent(window), {})).resolves.toEqual({ ok: true, value: { seq: 1 } });
    await expect(t.invoke(ipcChannel('terminate'), ipcEvent(window), { id: 'p1' })).resolves.toEqual({ ok: true, value: {} });
    expect(t.terminate).toHaveBeenCalledWith({ id: 'p1' });
  });

  it('validates payloads: wrong or extra fields never reach the handler', async () => {
    const window = new FakeWebContents(1);
    const wrong = await t.invoke(ipcChannel('terminate'), ipcEvent(window), { id: 5 });
    const extra = await t.invoke(ipcChannel('terminate'), ipcEvent(window), { id: 'p1', shell: true });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(t.terminate).not.toHaveBeenCalled();
  });

  it('refuses a second argument', async () => {
    const result = await t.invoke(ipcChannel('terminate'), ipcEvent(new FakeWebContents(1)), { id: 'p1' }, 'more');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(t.terminate).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown webContents', () => ipcEvent(new FakeWebContents(2))],
    ['a foreign origin', () => ipcEvent(new FakeWebContents(1, 'app://pooldeck.evil/index.html'))],
    ['an https page', () => ipcEvent(new FakeWebContents(1, 'https://app.pooldeck/'))],
    ['an iframe on the app origin', () => {
      const window = new FakeWebContents(1);
      return ipcEvent(window, { url: 'app://pooldeck/frame.html', parent: window.mainFrame });
    }],
    ['a frame that is gone', () => ipcEvent(new FakeWebContents(1), null)],
    ['about:blank', () => ipcEvent(new FakeWebContents(1, 'about:blank'))],
  ])('refuses %s with an error value and logs it', async (_name, makeEvent) => {
    const result = await t.invoke(ipcChannel('terminate'), makeEvent(), { id: 'p1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/^refused: /) } });
    expect(t.terminate).not.toHaveBeenCalled();
    expect(t.logs).toHaveLength(1);
    expect(t.logs[0]).toMatch(/^refused IPC pooldeck:terminate: /);
  });

  it('starts the event stream only for a trusted ready signal', () => {
    fake.ipcMain.listeners.emit(IPC_READY_CHANNEL, ipcEvent(new FakeWebContents(1)));
    fake.ipcMain.listeners.emit(IPC_READY_CHANNEL, ipcEvent(new FakeWebContents(3)));
    fake.ipcMain.listeners.emit(IPC_READY_CHANNEL, ipcEvent(new FakeWebContents(1, 'app://evil/')));
    expect(t.ready).toEqual([1]);
    expect(t.logs).toHaveLength(2);
  });

  it("opens the file dialog for the app window and answers the chosen path", async () => {
    await expect(t.invoke(PICK_FILE_CHANNEL, ipcEvent(new FakeWebContents(1)))).resolves.toBe('/home/user/tasks-1.py');
    expect(t.pickFile).toHaveBeenCalledTimes(1);
  });

  it('answers null, opening no dialog, to an untrusted sender or an extra argument', async () => {
    await expect(t.invoke(PICK_FILE_CHANNEL, ipcEvent(new FakeWebContents(2)))).resolves.toBeNull();
    await expect(t.invoke(PICK_FILE_CHANNEL, ipcEvent(new FakeWebContents(1, 'https://evil.example/')))).resolves.toBeNull();
    await expect(t.invoke(PICK_FILE_CHANNEL, ipcEvent(new FakeWebContents(1)), { defaultPath: '/etc' })).resolves.toBeNull();
    expect(t.pickFile).not.toHaveBeenCalled();
    expect(t.logs).toEqual([expect.stringMatching(/^refused IPC pooldeck:pickFile: /), expect.stringMatching(/^refused IPC pooldeck:pickFile: /)]);
  });

  it('removes everything it registered', () => {
    t.dispose();
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.ipcMain.listeners.listenerCount(IPC_READY_CHANNEL)).toBe(0);
  });
});
