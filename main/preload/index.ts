// Exposes window.pooldeck: one function per command, each bound to its own channel, and onEvent.
// Nothing generic (no raw invoke/send/on), and the IpcRendererEvent never reaches the page.
// Imports only small pure protocol files, so the bundle requires nothing but 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_READY_CHANNEL, MENU_CHANNEL, PICK_FILE_CHANNEL, ipcChannel, type MenuAction, type PreloadBridge } from '../protocol/bridge.js';
import type { AppEvent } from '../protocol/events.js';
import { preloadCommandNames } from './command-list.js';

type CommandFunctions = Omit<PreloadBridge, 'onEvent' | 'onMenuAction' | 'pickFile'>;

const commands = Object.fromEntries(
  preloadCommandNames.map((name) => {
    const channel = ipcChannel(name);
    return [name, (args: unknown) => ipcRenderer.invoke(channel, args)];
  }),
) as unknown as CommandFunctions;

const bridge: PreloadBridge = {
  ...commands,
  onEvent(listener) {
    const forward = (_event: IpcRendererEvent, value: AppEvent): void => listener(value);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    // The shell (re)starts this window's stream with a snapshot once a listener is attached.
    ipcRenderer.send(IPC_READY_CHANNEL);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
  onMenuAction(listener) {
    const forward = (_event: IpcRendererEvent, action: MenuAction): void => listener(action);
    ipcRenderer.on(MENU_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(MENU_CHANNEL, forward);
    };
  },
  pickFile: () => ipcRenderer.invoke(PICK_FILE_CHANNEL) as Promise<string | null>,
};

contextBridge.exposeInMainWorld('pooldeck', bridge);
