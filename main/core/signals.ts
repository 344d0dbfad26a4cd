import { constants } from 'node:os';

const signalNumbers = constants.signals as Record<string, number>;

/** multiprocessing's convention: a process ended by signal N has exitcode -N. */
export function exitcodeFrom(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? signalNumbers[signal] : undefined;
  return number ? -number : -1;
}
