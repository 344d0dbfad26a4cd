import type { CommandHandlers } from '../../protocol/commands.js';
import type { WorkspaceStore } from './workspace-store.js';

export type WorkspaceCommandName = 'getWorkspace' | 'openWorkspace' | 'saveWorkspace' | 'saveWorkspaceAs' | 'listRecentWorkspaces' | 'startWorkspaceJob' | 'removeWorkspaceJob' | 'importJobs';
type TrackedCommandName = 'createProcess' | 'createPool' | 'remove' | 'removePool';

/**
 * The workspace's commands, and the four the UI changes jobs with, wrapped so the workspace follows:
 * a process or pool created in the UI joins it, a removed one leaves it. (The demo and the workspace's
 * own starts go to the supervisor directly, so they do not.)
 */
export function workspaceCommands(
  store: WorkspaceStore,
  ready: Promise<void>,
  handlers: Pick<CommandHandlers, TrackedCommandName>,
): Pick<CommandHandlers, WorkspaceCommandName | TrackedCommandName> {
  return {
    getWorkspace: async () => (await ready, store.info()),
    openWorkspace: async ({ path }) => (await ready, store.open(path)),
    saveWorkspace: async () => store.save(),
    saveWorkspaceAs: async ({ path }) => store.saveAs(path),
    listRecentWorkspaces: async () => ({ paths: await store.recent.list() }),
    startWorkspaceJob: async ({ name }) => (await ready, store.startJob(name)),
    removeWorkspaceJob: async ({ name }) => (await ready, store.removeJob(name)),
    importJobs: async ({ path, format }) => store.importJobs(path, format),
    createProcess: async (spec) => {
      const created = await handlers.createProcess(spec);
      store.jobCreated('process', spec, created.row);
      return created;
    },
    createPool: async (spec) => {
      const created = await handlers.createPool(spec);
      store.jobCreated('pool', spec, created.row);
      return created;
    },
    remove: async (args) => {
      const removed = await handlers.remove(args);
      store.rowRemoved(args.id);
      return removed;
    },
    removePool: async (args) => {
      const removed = await handlers.removePool(args);
      store.rowRemoved(args.id);
      return removed;
    },
  };
}
