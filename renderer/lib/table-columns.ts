import type { SortKey } from './process-sort.js';

// The process table's columns: their order, widths, and which give way first when the window is
// narrow. Name, PID, Alive, Exit code and State always stay (with the row buttons); the others go
// one by one, least needed first, until the rest fits without a sideways scroll.

export interface TableColumn {
  key: SortKey;
  label: string;
  className: string;
  title?: string;
  /** px; null for a column that shares what the fixed ones leave (it needs at least `minWidth`). */
  width: number | null;
  minWidth?: number;
}

export const COLUMNS: readonly TableColumn[] = [
  { key: 'name', label: 'Name', className: 'c-name', width: null, minWidth: 150 },
  { key: 'command', label: 'Command', className: 'c-command', title: 'The program and its arguments, or the function called', width: null, minWidth: 150 },
  { key: 'pid', label: 'PID', className: 'c-pid num', width: 72 },
  { key: 'isAlive', label: 'Alive', className: 'c-alive', title: 'is_alive()', width: 62 },
  { key: 'daemon', label: 'Daemon', className: 'c-daemon', width: 68 },
  { key: 'exitcode', label: 'Exit code', className: 'c-exit num', title: 'exitcode: -N when signal N ended it', width: 112 },
  // Room for "restarting in 60 s", or "errored" and the restart count beside it.
  { key: 'state', label: 'State', className: 'c-state', width: 128 },
  { key: 'result', label: 'Result', className: 'c-result', title: 'What a function returned, or what it raised', width: null, minWidth: 120 },
  { key: 'cpu', label: 'CPU', className: 'c-cpu num', width: 124 },
  { key: 'memory', label: 'Memory', className: 'c-mem num', title: 'Resident memory of the process tree', width: 84 },
  { key: 'uptime', label: 'Uptime', className: 'c-up num', width: 72 },
  { key: 'pool', label: 'Pool', className: 'c-pool', width: 100 },
  { key: 'tasksDone', label: 'Tasks', className: 'c-tasks num', title: 'Tasks done', width: 60 },
];

/** The row buttons' column, after the others. */
export const ACTIONS_WIDTH = 176;

/** First to go when space runs out; the columns not listed always stay. */
const GIVE_WAY_ORDER: readonly SortKey[] = ['tasksDone', 'daemon', 'memory', 'pool', 'uptime', 'result', 'cpu', 'command'];

const needs = (column: TableColumn) => column.width ?? column.minWidth ?? 0;

/** The columns left out at `width` px (none when the width is unknown). */
export function hiddenColumns(width: number): ReadonlySet<SortKey> {
  const hidden = new Set<SortKey>();
  if (!(width > 0)) return hidden;
  let total = ACTIONS_WIDTH + COLUMNS.reduce((sum, column) => sum + needs(column), 0);
  for (const key of GIVE_WAY_ORDER) {
    if (total <= width) break;
    hidden.add(key);
    total -= needs(COLUMNS.find((column) => column.key === key)!);
  }
  return hidden;
}

/** The columns a failed start's error spans: those between State's left edge and Uptime's right one. */
export const START_ERROR_SPAN: readonly SortKey[] = ['exitcode', 'state', 'result', 'cpu', 'memory', 'uptime'];
