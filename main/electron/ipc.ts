// THE one place that touches ipcMain. Every message is checked before anything runs: the sender must
// be the main frame of a window Pooldeck created, showing a page of app://pooldeck (trusted-sender.ts);
// then the payload is validated against the protocol's schema by dispatchCommand. A refused sender is
// logged and gets an error value, never an exception.
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { commandNames, type CommandHandlers } from '../protocol/commands.js';
import { dispatchCommand } from '../protocol/dispatch.js';
import type { CommandOutcome } from '../protocol/errors.js';
import { IPC_READY_CHANNEL, PICK_FILE_CHANNEL, ipcChannel } from '../protocol/bridge.js';
import { checkSender, type SenderVerdict, type TrustPolicy } from './trusted-sender.js';

export interface CommandIpcOptions {
  handlers: CommandHandlers;
  policy: TrustPolicy;
  /** A trusted renderer attached its event listener: start (or restart) its event stream. */
  onRendererReady(webContents: WebContents): void;
  /** The bridge's pickFile(): a native open-file dialog for `asker`'s window; the path, or null when cancelled. */
  pickFile(asker: WebContents): Promise<string | null>;
  log(message: string): void;
}

function verdictFor(event: IpcMainEvent | IpcMainInvokeEvent, policy: TrustPolicy): SenderVerdict {
  const frame = event.senderFrame;
  if (frame === null) return { trusted: false, reason: 'the sender frame is gone' };
  return checkSender(
    {
      frameUrl: frame.url,
      isMainFrame: frame.parent === null,
      webContentsId: event.sender.id,
    },
    policy,
  );
}

/** Registers one handler per command plus the ready signal; returns the function that removes them. */
export function registerCommandIpc(options: CommandIpcOptions): () => void {
  const { handlers, policy, log } = options;

  for (const name of commandNames) {
    const channel = ipcChannel(name);
    ipcMain.handle(channel, async (event, payload: unknown, ...extra: unknown[]): Promise<CommandOutcome<unknown>> => {
      const verdict = verdictFor(event, policy);
      if (!verdict.trusted) {
        log(`refused IPC ${channel}: ${verdict.reason}`);
        return { ok: false, error: { code: 'forbidden', message: `refused: ${verdict.reason}` } };
      }
      // The preload always sends exactly one argument; anything more is not from our bridge.
      if (extra.length > 0) {
        return { ok: false, error: { code: 'invalid', message: `${name} takes one argument, got ${extra.length + 1}` } };
      }
      return dispatchCommand(handlers, name, payload);
    });
  }

  const onReady = (event: IpcMainEvent): void => {
    const verdict = verdictFor(event, policy);
    if (!verdict.trusted) {
      log(`refused IPC ${IPC_READY_CHANNEL}: ${verdict.reason}`);
      return;
    }
    options.onRendererReady(event.sender);
  };
  ipcMain.on(IPC_READY_CHANNEL, onReady);

  // Not a command (the headless server has no dialog), so no outcome value: a refused or malformed
  // request is answered as if the user had cancelled.
  ipcMain.handle(PICK_FILE_CHANNEL, async (event, ...extra: unknown[]): Promise<string | null> => {
    const verdict = verdictFor(event, policy);
    if (!verdict.trusted) {
      log(`refused IPC ${PICK_FILE_CHANNEL}: ${verdict.reason}`);
      return null;
    }
    if (extra.length > 0) return null;
    return options.pickFile(event.sender);
  });

  return () => {
    for (const name of commandNames) ipcMain.removeHandler(ipcChannel(name));
    ipcMain.removeHandler(PICK_FILE_CHANNEL);
    ipcMain.removeListener(IPC_READY_CHANNEL, onReady);
  };
}
