import { signalNameOf } from './signals.js';

/** How a process ended, in words: "exited with code 3", "was killed by signal 9 (SIGKILL)". */
export function describeExit(exitcode: number | null): string {
  if (exitcode === null) return 'ended (exit status unknown)';
  if (exitcode >= 0) return `exited with code ${exitcode}`;
  const name = signalNameOf(-exitcode);
  return `was killed by signal ${-exitcode}${name ? ` (${name})` : ''}`;
}
