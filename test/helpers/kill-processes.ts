// Ends what a test started, even when it failed: each process's whole tree is killed, then joined and
// closed. Only the processes given, by their own pids. On Unix that is a SIGKILL to the process group;
// Windows has no groups, so there the core's tree walk (taskkill /T /F) ends it.
import type { Process } from '../../main/core/process.js';
import { processTreeFor } from '../../main/core/process-tree/index.js';
import { unixLike } from './platform.js';

/** SIGKILL to the process group `pid` leads; on Windows, taskkill /T /F on its tree. */
export function killTreeOf(pid: number): void {
  try {
    if (unixLike) process.kill(-pid, 'SIGKILL');
    else processTreeFor().signalTree(pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

export async function killAndClose(processes: Process[]): Promise<void> {
  for (const started of processes.splice(0)) {
    if (started.pid !== null && started.exitcode === null) {
      killTreeOf(started.pid);
      await started.join();
    }
    started.close();
  }
}
