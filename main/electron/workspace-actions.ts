// What File › Open Workspace…, Open Recent, Save Workspace and Save Workspace As… do: ask for a path
// (the native dialogs, injected so a test can answer them), call the backend's workspace commands,
// and tell the window and the menu (whose Open Recent changed). Failures go to an error box.
import type { CommandHandlers } from '../protocol/commands.js';
import { CommandFailure } from '../protocol/errors.js';
import type { WorkspaceMenuActions } from './menu.js';

export interface WorkspaceActionsOptions {
  handlers: Pick<CommandHandlers, 'openWorkspace' | 'saveWorkspace' | 'saveWorkspaceAs'>;
  pickToOpen(): Promise<string | null>;
  pickToSave(): Promise<string | null>;
  /** The workspace changed: the window reloads it, the menu its Open Recent. */
  changed(): void;
  showError(title: string, message: string): void;
}

export function createWorkspaceActions(options: WorkspaceActionsOptions): WorkspaceMenuActions & { done: () => Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  const run = (title: string, action: () => Promise<boolean>) => {
    pending = pending.then(async () => {
      try {
        if (await action()) options.changed();
      } catch (error) {
        options.showError(title, error instanceof Error ? error.message : String(error));
      }
    });
  };
  const openPath = async (path: string | null) => {
    if (path === null) return false;
    await options.handlers.openWorkspace({ path });
    return true;
  };
  const saveAs = async () => {
    const path = await options.pickToSave();
    if (path === null) return false;
    await options.handlers.saveWorkspaceAs({ path });
    return true;
  };
  return {
    open: () => run('Could not open the workspace', async () => openPath(await options.pickToOpen())),
    openPath: (path) => run('Could not open the workspace', () => openPath(path)),
    save: () =>
      run('Could not save the workspace', async () => {
        try {
          await options.handlers.saveWorkspace({});
          return true;
        } catch (error) {
          // An untitled workspace has no file yet: Save is Save As then, as in any editor.
          if (error instanceof CommandFailure && error.error.code === 'conflict') return saveAs();
          throw error;
        }
      }),
    saveAs: () => run('Could not save the workspace', saveAs),
    /** Resolves once every action asked for so far has finished (for tests). */
    done: () => pending,
  };
}
