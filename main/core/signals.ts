import { constants } from 'node:os';

// Node reports a signal by name; its number is the platform's own (os.constants). Naming a number for
// people (-15 → SIGTERM) is the protocol's table, main/protocol/signals.ts: this file does only the
// name → number step that needs the running platform.
const signalNumbers = constants.signals as Record<string, number>;

/** multiprocessing's convention: a process ended by signal N has exitcode -N. */
export function exitcodeFrom(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? signalNumbers[signal] : undefined;
  return number ? -number : -1;
}
