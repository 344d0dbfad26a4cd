import type { ProcessRow, ProcessState } from '../../main/protocol/index.js';
import { formatExitcode } from '../../main/protocol/signals.js';
import { formatCommandLine } from './args-input.js';
import { uptimeMs } from './format.js';
import { shownState } from './process-visibility.js';
import { formatCall } from './target-format.js';

// Sorting and filtering of process rows, kept out of the component so they are plain functions the
// tests can call and the table can run on 10,000 rows per update without surprises.

export type SortKey =
  | 'name'
  | 'command'
  | 'pid'
  | 'isAlive'
  | 'daemon'
  | 'exitcode'
  | 'state'
  | 'result'
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

const STATE_ORDER: Record<ProcessState, number> = { failed: 0, errored: 0, starting: 1, running: 2, stopping: 3, exited: 4 };

// "worker-2" before "worker-10", case-insensitive: what people expect from names.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The numeric sort value of a row; NaN when it has none (no pid yet, no sample yet…). */
function numericValue(row: ProcessRow, key: Exclude<SortKey, TextKey>, now: number): number {
  switch (key) {
    case 'pid':
      return row.pid ?? Number.NaN;
    case 'isAlive':
      return row.isAlive ? 1 : 0;
    case 'daemon':
      return row.daemon ? 1 : 0;
    case 'exitcode':
      return row.exitcode ?? Number.NaN;
    case 'state':
      return STATE_ORDER[row.state];
    // By outcome: what raised, then what returned; rows without one (commands, running functions) last.
    case 'result':
      return row.targetError !== null ? 0 : row.returnValue !== null ? 1 : Number.NaN;
    // An ended process uses nothing, whatever its last sample said: it sorts with the empty values.
    case 'cpu':
      return row.isAlive && row.cpu !== null ? row.cpu : Number.NaN;
    case 'memory':
      return row.isAlive && row.memory !== null ? row.memory : Number.NaN;
    case 'uptime':
      return uptimeMs(row.startedAt, row.endedAt, now) ?? Number.NaN;
    case 'tasksDone':
      return row.tasksDone;
  }
}

type TextKey = 'name' | 'command' | 'pool';
const isTextKey = (key: SortKey): key is TextKey => key === 'name' || key === 'command' || key === 'pool';

/** What the Command column shows and sorts by: the program and its arguments, or the function called. */
export function commandText(row: ProcessRow): string {
  return row.target === null ? formatCommandLine(row.command, row.args) : formatCall(row.target, row.targetArgs, row.kwargs);
}

function textOf(row: ProcessRow, key: TextKey): string | null {
  if (key === 'name') return row.name;
  if (key === 'command') return commandText(row);
  return row.poolName;
}

/**
 * Sorts process rows, cheaply enough to run on every update of 10,000 rows.
 *
 * Every column becomes a number per row and rows are ordered through an index array, so no objects
 * are allocated per row. Text columns (name, command, pool) never change for a given row, so their collation
 * is done once and kept as a rank per id; it is redone only when rows the ranking has not seen appear.
 * Empty values (no pid yet, no sample yet, no pool) always go last, whichever the direction; ties
 * keep the incoming order, so rows do not jump around between updates.
 */
export class RowSorter {
  #rankedKey: TextKey | null = null;
  #ranks = new Map<string, number>();

  sort(rows: readonly ProcessRow[], key: SortKey, direction: SortDirection, now: number): ProcessRow[] {
    const count = rows.length;
    const values = new Float64Array(count);
    if (isTextKey(key)) {
      const ranks = this.#ranksFor(rows, key);
      for (let i = 0; i < count; i += 1) values[i] = ranks.get(rows[i].id) ?? Number.NaN;
    } else {
      for (let i = 0; i < count; i += 1) values[i] = numericValue(rows[i], key, now);
    }
    const sign = direction === 'asc' ? 1 : -1;
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i += 1) order[i] = i;
    order.sort((a, b) => {
      const va = values[a];
      const vb = values[b];
      if (Number.isNaN(va)) return Number.isNaN(vb) ? a - b : 1;
      if (Number.isNaN(vb)) return -1;
      return (va - vb) * sign || a - b;
    });
    const out = new Array<ProcessRow>(count);
    for (let i = 0; i < count; i += 1) out[i] = rows[order[i]];
    return out;
  }

  #ranksFor(rows: readonly ProcessRow[], key: TextKey): Map<string, number> {
    let fresh = this.#rankedKey === key;
    if (fresh) {
      for (const row of rows) {
        if (!this.#ranks.has(row.id)) {
          fresh = false;
          break;
        }
      }
    }
    if (fresh) return this.#ranks;
    const withText = rows.filter((row) => textOf(row, key) !== null);
    withText.sort((a, b) => collator.compare(textOf(a, key) as string, textOf(b, key) as string));
    const ranks = new Map<string, number>();
    withText.forEach((row, rank) => ranks.set(row.id, rank));
    this.#ranks = ranks;
    this.#rankedKey = key;
    return ranks;
  }
}

/**
 * Plain, case-insensitive substring search over name, command line or target, pid, pool, state
 * as the row shows it (`running`, `stopped`, `failed`) and exit code as the table shows it (`SIGKILL`, `-15`). Never a regex.
 */
export function filterRows(rows: readonly ProcessRow[], query: string): readonly ProcessRow[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) => rowMatches(row, needle));
}

function rowMatches(row: ProcessRow, needle: string): boolean {
  if (row.name.toLowerCase().includes(needle)) return true;
  if (row.command.toLowerCase().includes(needle)) return true;
  if (row.target !== null && row.target.toLowerCase().includes(needle)) return true;
  if (row.pid !== null && String(row.pid).includes(needle)) return true;
  if (row.poolName !== null && row.poolName.toLowerCase().includes(needle)) return true;
  for (const arg of row.args) if (arg.toLowerCase().includes(needle)) return true;
  if (shownState(row).includes(needle)) return true;
  return row.exitcode !== null && formatExitcode(row.exitcode).toLowerCase().includes(needle);
}
