import { readFileSync } from 'node:fs';

// What the kernel says about one of the tests' own processes, from /proc (Linux).

/** The one-letter state of a pid (S sleeping, T stopped, Z zombie), or null once it is gone. */
export function stateOf(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return null;
  }
}

/** The pids of a process's children. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
