import type { ProcessRow } from '../../main/protocol/index.js';

// Which rows the process table shows besides the filter: ended rows can be hidden, and names that
// several jobs share are flagged, since a name alone then no longer says which one is meant; and the
// state word a row shows (a running process the kernel holds stopped says so).

/** A running process the kernel holds stopped (SIGSTOP, SIGTSTP): its row says "stopped" until a SIGCONT. */
export function isStopped(row: ProcessRow): boolean {
  return row.suspended && row.state === 'running';
}

/** The state word a row shows and the filter matches: its state, or "stopped". */
export function shownState(row: ProcessRow): string {
  return isStopped(row) ? 'stopped' : row.state;
}

/** A row whose process is over: it exited, or it never started. */
export function isEnded(row: ProcessRow): boolean {
  return row.state === 'exited' || row.state === 'failed';
}

/**
 * The rows left once ended ones are hidden. The row `keepId` stays whatever its state: a process
 * the user selected, and is watching, does not vanish from under the pointer when it exits.
 */
export function withoutEnded(rows: readonly ProcessRow[], keepId: string | null): readonly ProcessRow[] {
  return rows.filter((row) => !isEnded(row) || row.id === keepId);
}

/**
 * Names shared by two or more of the user's own processes. Pool workers and exec-mode tasks are
 * left out: their names repeat by design (a task reuses its slot's name).
 */
export function duplicateNames(rows: readonly ProcessRow[]): ReadonlySet<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const row of rows) {
    if (row.kind !== 'process') continue;
    if (seen.has(row.name)) duplicates.add(row.name);
    else seen.add(row.name);
  }
  return duplicates;
}
