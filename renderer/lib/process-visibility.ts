import type { ProcessRow } from '../../main/protocol/index.js';

// Which rows the process table shows besides the filter: ended rows can be hidden, and names that
// several jobs share are flagged, since a name alone then no longer says which one is meant.

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
