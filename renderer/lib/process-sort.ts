import type { ProcessRow, ProcessState } from '../../main/protocol/index.js';
import { uptimeMs } from './format.js';

// Sorting and filtering of process rows, kept out of the component so they are plain functions the
// tests can call and the table can run on 10,000 rows per update without surprises.

export type SortKey =
  | 'name'
  | 'pid'
  | 'isAlive'
  | 'daemon'
  | 'exitcode'
  | 'state'
  | 'cpu'
  | 'memory'
  | 'uptime'
  | 'pool'
  | 'tasksDone';

export type SortDirection = 'asc' | 'desc';

/** Columns where the interesting rows are the big ones start descending (top CPU first, like top). */
export function firstDirection(key: SortKey): SortDirection {
  return key === 'cpu' || key === 'memory' || key === 'uptime' || key === 'tasksDone' ? 'desc' : 'asc';
}

const STATE_ORDER: Record<ProcessState, number> = { failed: 0, starting: 1, running: 2, stopping: 3, exited: 4 };

// "worker-2" before "worker-10", case-insensitive: what people expect from names.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortValue(row: ProcessRow, key: SortKey, now: number): string | number | null {
  switch (key) {
    case 'name':
      return row.name;
    case 'pid':
      return row.pid;
    case 'isAlive':
      return row.isAlive ? 1 : 0;
    case 'daemon':
      return row.daemon ? 1 : 0;
    case 'exitcode':
      return row.exitcode;
    case 'state':
      return STATE_ORDER[row.state];
    // An ended process uses nothing, whatever its last sample said: it sorts with the empty values.
    case 'cpu':
      return row.isAlive ? row.cpu : null;
    case 'memory':
      return row.isAlive ? row.memory : null;
    case 'uptime':
      return uptimeMs(row.startedAt, row.endedAt, now);
    case 'pool':
      return row.poolName;
    case 'tasksDone':
      return row.tasksDone;
  }
}

/**
 * A sorted copy. Empty values (no pid yet, no sample yet, no pool) always go last, whichever the
 * direction; ties keep the incoming order, so rows do not jump around between updates.
 */
export function sortRows(
  rows: readonly ProcessRow[],
  key: SortKey,
  direction: SortDirection,
  now: number,
): ProcessRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  const keyed = rows.map((row, index) => ({ row, index, value: sortValue(row, key, now) }));
  keyed.sort((a, b) => {
    const av = a.value;
    const bv = b.value;
    if (av === null || bv === null) {
      if (av === bv) return a.index - b.index;
      return av === null ? 1 : -1;
    }
    const order =
      typeof av === 'string' && typeof bv === 'string' ? collator.compare(av, bv) : (av as number) - (bv as number);
    return order !== 0 ? order * sign : a.index - b.index;
  });
  return keyed.map((entry) => entry.row);
}

/** Plain, case-insensitive substring search over name, command line, pid and pool. Never a regex. */
export function filterRows(rows: readonly ProcessRow[], query: string): readonly ProcessRow[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) => rowMatches(row, needle));
}

function rowMatches(row: ProcessRow, needle: string): boolean {
  if (row.name.toLowerCase().includes(needle)) return true;
  if (row.command.toLowerCase().includes(needle)) return true;
  if (row.pid !== null && String(row.pid).includes(needle)) return true;
  if (row.poolName !== null && row.poolName.toLowerCase().includes(needle)) return true;
  for (const arg of row.args) if (arg.toLowerCase().includes(needle)) return true;
  return false;
}
