// Ends what a test started, even when it failed: each process's whole group is killed (SIGKILL), then
// joined and closed. Only the processes given, by their own pids.
import type { Process } from '../../main/core/process.js';

export async function killAndClose(processes: Process[]): Promise<void> {
  for (const process of processes.splice(0)) {
    if (process.pid !== null && process.exitcode === null) {
      try {
        globalThis.process.kill(-process.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
      await process.join();
    }
    process.close();
  }
}
