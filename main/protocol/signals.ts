// Linux signal numbers, for showing an exitcode the way people read it: -15 (SIGTERM).
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS',
  8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE',
  14: 'SIGALRM', 15: 'SIGTERM', 16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP',
  20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU', 23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ',
  26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR', 31: 'SIGSYS',
};

/** Every signal the UI can send (htop's F9 list), in number order: this platform's table above. */
export const SIGNAL_TABLE: readonly { number: number; name: string }[] = Object.entries(SIGNAL_NAMES).map(([number, name]) => ({ number: Number(number), name }));
export const SIGNAL_LIST: readonly string[] = SIGNAL_TABLE.map((signal) => signal.name);

/**
 * The signals a terminal sends to a whole job (Ctrl+C, Ctrl+\, Ctrl+Z, fg, a closed terminal) and the
 * app's own Terminate and Kill: these go to the process group, so a pipeline or a script's children
 * stop, pause or resume together. Any other signal (SIGUSR1 to ask for a status line, SIGWINCH, …)
 * goes to the one process, as htop sends it.
 */
const GROUP_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT', 'SIGTSTP', 'SIGSTOP', 'SIGCONT', 'SIGHUP', 'SIGTERM', 'SIGKILL']);

export function signalsWholeGroup(signal: string): boolean {
  return GROUP_SIGNALS.has(signal);
}

export function signalName(signalNumber: number): string | null {
  return SIGNAL_NAMES[signalNumber] ?? null;
}

/** `0`, `3`, `-15 (SIGTERM)`, or an empty string while there is no exitcode. */
export function formatExitcode(exitcode: number | null): string {
  if (exitcode === null) return '';
  if (exitcode >= 0) return String(exitcode);
  const name = signalName(-exitcode);
  return name ? `${exitcode} (${name})` : String(exitcode);
}
