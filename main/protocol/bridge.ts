import type { CommandArgs, CommandName, CommandResult } from './commands.js';
import type { CommandOutcome } from './errors.js';
import type { AppEvent } from './events.js';

/** A backend as both shells see it: validated command handlers plus the event stream. */
export interface AppEventSource {
  /** Calls `listener` with a snapshot at once, then with every delta, until the returned function is called. */
  subscribe(listener: (event: AppEvent) => void): () => void;
}

/**
 * What the preload exposes on `window.pooldeck`: one function per command, each bound to its own
 * IPC channel, plus the event subscription. Nothing generic (no raw `invoke`, no `ipcRenderer`).
 */
export type PreloadBridge = {
  [N in CommandName]: (args: CommandArgs<N>) => Promise<CommandOutcome<CommandResult<N>>>;
} & {
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Menu items the shell hands to the UI (File > New Process…); the renderer may ignore them. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
  /**
   * A native open-file dialog filtered to .py/.mjs/.cjs/.js: the chosen path, or null when cancelled.
   * Only the desktop shell has one; in a browser the form shows a path field instead.
   */
  pickFile?(): Promise<string | null>;
};

/** Menu items that need the UI; the shell sends them on MENU_CHANNEL. workspaceChanged: File › Open/Save As… changed the workspace. */
export type MenuAction = 'newProcess' | 'newPool' | 'workspaceChanged';
export const MENU_CHANNEL = 'pooldeck:menu';

/** The desktop shell's open-file dialog (not a command: the headless server has none). */
export const PICK_FILE_CHANNEL = 'pooldeck:pickFile';

/** The IPC channel of a command, and of the event stream. */
export const ipcChannel = (name: CommandName): string => `pooldeck:${name}`;
export const IPC_EVENT_CHANNEL = 'pooldeck:event';
/** Sent by the renderer once its listener is attached, so the shell sends the first snapshot. */
export const IPC_READY_CHANNEL = 'pooldeck:ready';

/** The headless server's routes (HTTP POST for commands, a WebSocket for events). */
export const HTTP_COMMAND_PREFIX = '/api/command/';
export const EVENTS_PATH = '/api/events';
/** GET: this run's token, for a page the session cookie authorizes (a second tab, a bookmark, a restart). */
export const SESSION_PATH = '/api/session';
