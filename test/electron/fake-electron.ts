// A stand-in for the few Electron main-process objects the shell's wiring touches, so that wiring can
// be tested in plain Node (the real binary is not available here). Used through vi.mock('electron').
import { EventEmitter } from 'node:events';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new EventEmitter();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Handler): void {
    this.listeners.on(channel, listener);
  }
  removeListener(channel: string, listener: Handler): void {
    this.listeners.removeListener(channel, listener);
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export class FakeWebContents extends EventEmitter {
  readonly sent: { channel: string; value: unknown }[] = [];
  destroyed = false;
  readonly mainFrame: FakeFrame;
  constructor(
    readonly id: number,
    url = 'app://pooldeck/index.html',
  ) {
    super();
    this.mainFrame = { url, parent: null };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, value: unknown): void {
    this.sent.push({ channel, value });
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

/** An IPC event as Electron builds it, sent by `frame` (the main frame unless given). */
export function ipcEvent(sender: FakeWebContents, frame: FakeFrame | null = sender.mainFrame) {
  return { sender, senderFrame: frame };
}

export class FakeApp extends EventEmitter {
  quitCalls = 0;
  /** A development run unless a test says otherwise (auto-update checks only packaged builds). */
  isPackaged = false;
  getVersion(): string {
    return '0.1.0';
  }
  quit(): void {
    this.quitCalls += 1;
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', event);
  }
}

/** The quit dialog: answers with the buttons the test queued (0 Wait, 1 Terminate, 2 Cancel; Cancel when none is left). */
export class FakeDialog {
  answers: number[] = [];
  shown = 0;
  /** The message of each box shown, in order. */
  readonly messages: string[] = [];
  async showMessageBox(options: { message: string; detail?: string }): Promise<{ response: number; checkboxChecked: boolean }> {
    this.shown += 1;
    this.messages.push(options.detail === undefined ? options.message : `${options.message} ${options.detail}`);
    return { response: this.answers.shift() ?? 2, checkboxChecked: false };
  }
}

/**
 * `electron` as the quit flow sees it, for `vi.mock('electron', async () => (await import('./fake-electron.js')).quitElectron)`;
 * `reset()` before each test gives it a fresh app and dialog.
 */
export const quitElectron = {
  app: new FakeApp(),
  dialog: new FakeDialog(),
  reset(): void {
    this.app = new FakeApp();
    this.dialog = new FakeDialog();
  },
};
