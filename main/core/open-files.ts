// Why a spawn failed for lack of file descriptors, in words a user can act on. Linux only reads
// the numbers (elsewhere the message goes without them).
import { readdirSync } from 'node:fs';
import { readSoftLimit } from './os-limits.js';

/** The soft "Max open files" limit, read once: when the limit is hit, reading it would fail too. */
const openFilesLimit = readSoftLimit('Max open files');

/** How many fds the app holds; at the limit, listing them needs one more, so the limit is the count. */
function openFileCount(): number | null {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return openFilesLimit;
  }
}

/** The reason for an EMFILE or ENFILE failure, or null for other codes. */
export function describeOpenFilesError(code: string | null): string | null {
  if (code === 'EMFILE') {
    const count = openFileCount();
    const held = count === null ? '' : ` the app has ${count} open${openFilesLimit === null ? '' : ` of ${openFilesLimit} allowed`};`;
    return `too many open files:${held} raise the limit (ulimit -n) or end some jobs`;
  }
  if (code === 'ENFILE') return 'too many open files on this machine (the system-wide limit): end some jobs or raise fs.file-max';
  return null;
}
