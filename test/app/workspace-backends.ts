// App backends a workspace test launches (again and again, on one data folder), all shut down and
// disposed by closeAll: the processes they started end with them.
import { createAppBackend, type AppBackend } from '../../main/app/backend.js';

const WORKERS_DIR = new URL('../../resources/workers/', import.meta.url).pathname;

export function workspaceBackends(dataDir: () => string): { launch(workspacePath?: string): AppBackend; closeAll(): Promise<void> } {
  const backends: AppBackend[] = [];
  return {
    launch(workspacePath) {
      const backend = createAppBackend({ dataDir: dataDir(), workersDir: WORKERS_DIR, sampleIntervalMs: 60_000, graceMs: 500, workspacePath });
      backends.push(backend);
      return backend;
    },
    async closeAll() {
      for (const backend of backends.splice(0)) {
        await backend.shutdown({ terminateAll: true, graceMs: 500 });
        await backend.dispose();
      }
    },
  };
}
