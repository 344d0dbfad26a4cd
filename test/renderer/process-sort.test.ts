import { describe, expect, it } from 'vitest';
import { RowSorter, filterRows, type SortDirection, type SortKey } from '../../renderer/lib/process-sort.js';
import type { ProcessRow } from '../../main/protocol/index.js';
import { processRow } from './process-rows.js';

/** A one-off sort: a fresh sorter each time, so no ranking is carried between calls. */
const sortRows = (rows: readonly ProcessRow[], key: SortKey, direction: SortDirection, now: number): ProcessRow[] =>
  new RowSorter().sort(rows, key, direction, now);

const ids = (rows: readonly { id: string }[]) => rows.map((row) => row.id);

describe('sorting process rows', () => {
  const rows = [
    processRow({ id: 'a', name: 'worker-10', pid: 30, cpu: 5, poolName: 'zeta' }),
    processRow({ id: 'b', name: 'worker-2', pid: null, cpu: null, poolName: null }),
    processRow({ id: 'c', name: 'Worker-1', pid: 10, cpu: 50, poolName: 'alpha' }),
    processRow({ id: 'd', name: 'worker-3', pid: 20, cpu: 5, isAlive: false, state: 'exited', exitcode: 0 }),
  ];

  it('puts empty values last in both directions and keeps ties in input order', () => {
    expect(ids(sortRows(rows, 'pid', 'asc', 0))).toEqual(['c', 'd', 'a', 'b']);
    expect(ids(sortRows(rows, 'pid', 'desc', 0))).toEqual(['a', 'd', 'c', 'b']);
    // d ended: its last CPU sample does not count.
    expect(ids(sortRows(rows, 'cpu', 'desc', 0))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('sorts text naturally and without case, empty pools last', () => {
    expect(ids(sortRows(rows, 'name', 'asc', 0))).toEqual(['c', 'b', 'd', 'a']);
    expect(ids(sortRows(rows, 'name', 'desc', 0))).toEqual(['a', 'd', 'b', 'c']);
    expect(ids(sortRows(rows, 'pool', 'asc', 0))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('reuses its name ranking across updates and redoes it when new rows appear', () => {
    const sorter = new RowSorter();
    expect(ids(sorter.sort(rows, 'name', 'asc', 0))).toEqual(['c', 'b', 'd', 'a']);
    const updated = rows.map((row) => ({ ...row, cpu: 1 }));
    expect(ids(sorter.sort(updated, 'name', 'asc', 0))).toEqual(['c', 'b', 'd', 'a']);
    const more = [...updated, processRow({ id: 'e', name: 'worker-0' })];
    expect(ids(sorter.sort(more, 'name', 'asc', 0))).toEqual(['e', 'c', 'b', 'd', 'a']);
    // A subset (a filter) sorts by the same ranks.
    expect(ids(sorter.sort([more[0], more[4]], 'name', 'asc', 0))).toEqual(['e', 'a']);
  });

  it('sorts by uptime at the given time', () => {
    const timed = [
      processRow({ id: 'old', startedAt: 0 }),
      processRow({ id: 'new', startedAt: 900 }),
      processRow({ id: 'never', startedAt: null }),
    ];
    expect(ids(sortRows(timed, 'uptime', 'desc', 1000))).toEqual(['old', 'new', 'never']);
  });
});

describe('filtering process rows', () => {
  it('matches a plain substring, never a pattern', () => {
    const rows = [processRow({ id: 'a', name: 'a+b', pid: 123 }), processRow({ id: 'b', name: 'aab', pid: 456 })];
    expect(ids(filterRows(rows, 'a+b'))).toEqual(['a']);
    expect(ids(filterRows(rows, ' 45 '))).toEqual(['b']);
    expect(filterRows(rows, '')).toBe(rows);
  });
});
