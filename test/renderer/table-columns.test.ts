import { describe, expect, it } from 'vitest';
import { COLUMNS, hiddenColumns } from '../../renderer/lib/table-columns.js';

// Which columns give way as the window narrows.

const shownAt = (width: number) => COLUMNS.filter((column) => !hiddenColumns(width).has(column.key)).map((column) => column.label);

describe('hiddenColumns', () => {
  it('shows every column when there is room, or when the width is not known yet', () => {
    expect(hiddenColumns(1600).size).toBe(0);
    expect(hiddenColumns(0).size).toBe(0);
  });

  it('at 900 px keeps name, command, pid, alive, exit code and state', () => {
    expect(shownAt(900)).toEqual(['Name', 'Command', 'PID', 'Alive', 'Exit code', 'State']);
  });

  it('gives way least needed first, and never drops the five that stay', () => {
    expect(shownAt(1280)).toEqual(['Name', 'Command', 'PID', 'Alive', 'Exit code', 'State', 'Result', 'CPU', 'Uptime', 'Pool']);
    for (const width of [300, 600, 700, 800]) expect(shownAt(width)).toEqual(['Name', 'PID', 'Alive', 'Exit code', 'State']);
  });
});
