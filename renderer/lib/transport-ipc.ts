import type { PreloadBridge } from '../../main/protocol/bridge.js';
import type { AppEvent, CommandArgs, CommandName, CommandOutcome, CommandResult } from '../../main/protocol/index.js';
import type { ConnectionState, MenuAction, Transport } from './transport.js';

/** What the Electron preload puts on window.pooldeck. */
export type DesktopBridge = PreloadBridge;

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the UI is served by the headless server. */
    pooldeck?: DesktopBridge;
  }
}

/** The desktop transport: each command is one function of the preload bridge, events come from `onEvent`. */
export class IpcTransport implements Transport {
  readonly kind = 'ipc';
  readonly #bridge: DesktopBridge;
  readonly #unsubscribers = new Set<() => void>();
  readonly pickFile?: () => Promise<string | null>;

  constructor(bridge: DesktopBridge) {
    this.#bridge = bridge;
    // Only a shell that has the dialog offers it; the forms show the path field alone otherwise.
    const pickFile = bridge.pickFile;
    if (typeof pickFile === 'function') this.pickFile = () => pickFile();
  }

  async call<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutcome<CommandResult<N>>> {
    const command = this.#bridge[name] as unknown as
      | ((args: CommandArgs<N>) => Promise<CommandOutcome<CommandResult<N>>>)
      | undefined;
    if (typeof command !== 'function') {
      return { ok: false, error: { code: 'unknown_command', message: `This version of the app has no command ${name}.` } };
    }
    try {
      return await command(args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal', message } };
    }
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    const off = this.#bridge.onEvent(listener);
    this.#unsubscribers.add(off);
    return () => {
      this.#unsubscribers.delete(off);
      off();
    };
  }

  /** IPC inside one app cannot drop: the link is open for the window's whole life. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    listener('open');
    return () => {};
  }

  onMenuAction(listener: (action: MenuAction) => void): () => void {
    if (typeof this.#bridge.onMenuAction !== 'function') return () => {};
    const off = this.#bridge.onMenuAction(listener);
    this.#unsubscribers.add(off);
    return () => {
      this.#unsubscribers.delete(off);
      off();
    };
  }

  dispose(): void {
    for (const off of this.#unsubscribers) off();
    this.#unsubscribers.clear();
  }
}
