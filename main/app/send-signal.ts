import type { SignalSent } from '../protocol/commands.js';
import { signalsWholeGroup } from '../protocol/signals.js';
import { SupervisorError } from './errors.js';
import type { Supervisor } from './supervisor.js';

/**
 * Sends a signal the user picked (htop's F9) to a running process. SIGTERM and SIGKILL are the
 * app's Terminate and Kill, so the row says it is stopping and no restart follows; job-control
 * signals reach the whole process group, any other the process alone (see signalsWholeGroup).
 */
export function sendSignal(supervisor: Supervisor, id: string, signal: string): SignalSent {
  const process = supervisor.processOf(id);
  const pid = process.pid;
  const notRunning = () => new SupervisorError('conflict', `id: ${process.name} is not running: only a running process can be sent ${signal}`);
  if (pid === null || !process.isAlive()) throw notRunning();
  const toGroup = signalsWholeGroup(signal);
  if (signal === 'SIGTERM') supervisor.terminate(id);
  else if (signal === 'SIGKILL') supervisor.kill(id);
  else if (!process.sendSignal(signal as NodeJS.Signals, { wholeTree: toGroup })) throw notRunning();
  supervisor.watchStateOf(pid);
  return { signal, pid, toGroup };
}
