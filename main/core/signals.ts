import { constants } from 'node:os';

// The engine's signal table is the running platform's own (os.constants): Node reports a signal by
// name, and the number, like its name in messages, must be this platform's. The UI's table, which
// cannot see node:os, is main/protocol/signals.ts (Linux numbers); the engine may not import it (the
// layer matrix lets main/core see only the protocol's vocabulary types).
const signalNumbers = constants.signals as Record<string, number>;
const signalNames = new Map<number, string>();
// Some numbers have two names (6: SIGABRT and SIGIOT): the first listed is the usual one.
for (const [name, number] of Object.entries(signalNumbers)) if (!signalNames.has(number)) signalNames.set(number, name);

/** multiprocessing's convention: a process ended by signal N has exitcode -N. */
export function exitcodeFrom(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? signalNumbers[signal] : undefined;
  return number ? -number : -1;
}

/** SIGTERM for 15 on Linux; null for a number this platform does not name. */
export function signalNameOf(signalNumber: number): string | null {
  return signalNames.get(signalNumber) ?? null;
}
