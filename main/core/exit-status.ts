import { constants } from 'node:os';

const signalNames = new Map<number, string>(Object.entries(constants.signals as Record<string, number>).map(([name, number]) => [number, name]));

/** How a process ended, in words: "exited with code 3", "was killed by signal 9 (SIGKILL)". */
export function describeExit(exitcode: number | null): string {
  if (exitcode === null) return 'ended (exit status unknown)';
  if (exitcode >= 0) return `exited with code ${exitcode}`;
  const name = signalNames.get(-exitcode);
  return `was killed by signal ${-exitcode}${name ? ` (${name})` : ''}`;
}
