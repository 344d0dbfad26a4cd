// What the platform running the tests offers, by name, and how a test that needs more skips saying why.
// Linux runs every test. macOS (only on the CI matrix) has sh, sleep, process groups and POSIX signals
// but no /proc. Windows (only on the CI matrix) has none of these, nor fd 3 for a child, and names its
// Python `python`. A skip prints one line naming the file and the reason, as electron-binary.ts does.
import { defaultPythonCommand } from '../../main/core/python-command.js';

/** /proc: the kernel's view of each process (stat, fd, children, limits), read as files. Linux only. */
export const hasProcfs = process.platform === 'linux';

/** util-linux's command-line tools, e.g. setsid(1): Linux only (macOS has no setsid command). */
export const hasUtilLinux = process.platform === 'linux';

/** sh and sleep on PATH, process groups (negative pids), POSIX signals, inherited fds beyond stdio. */
export const unixLike = process.platform !== 'win32';

/** The Python 3 interpreter on PATH: python.org's and setup-python's Windows installs have no python3. */
export const python = defaultPythonCommand(process.platform);

/** Prints, once per call, that `suite`'s tests skip here and why. */
export function announceSkip(suite: string, reason: string): void {
  console.warn(`[${suite}] skipped: ${reason}`);
}

/**
 * For `describe.skipIf` / `it.skipIf`: true (skip) when `condition` does not hold on this platform,
 * after printing why. `reason` says what the tests need, e.g. "reads /proc/self/fd".
 */
export function skipUnless(condition: boolean, suite: string, reason: string): boolean {
  if (!condition) announceSkip(suite, `on ${process.platform}: ${reason}`);
  return !condition;
}

/**
 * A program given as JavaScript, run by this Node: the portable stand-in for `sh -c` and `sleep` where a
 * test is about processes in general, not about sh. Extra arguments reach it as process.argv[1…].
 */
export function nodeProgram(code: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['-e', code] };
}
