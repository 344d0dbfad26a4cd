import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import ProcessTable from '../../renderer/components/ProcessTable.svelte';
import type { ProcessRow } from '../../main/protocol/index.js';
import { filterRows } from '../../renderer/lib/process-sort.js';
import { formatCommandLine } from '../../renderer/lib/args-input.js';
import { splitArgs } from '../../renderer/lib/args-input.js';
import { recordingApi } from './recording-api.js';
import { processRow } from './process-rows.js';

// What a new user asked of the process table: ended rows out of the way, a filter that knows states
// and signals, the command line in view, and a flag on names that two processes share.

const cpu = { dividedByCores: false, cores: 4 };

const rows = (): ProcessRow[] => [
  processRow({ id: 'a', name: 'web', command: 'python3', args: ['-m', 'http.server', '8000'], pid: 11 }),
  processRow({ id: 'b', name: 'web', command: 'node', args: ['server.js'], pid: 12 }),
  processRow({ id: 'c', name: 'killed', pid: 13, isAlive: false, state: 'exited', exitcode: -9, endedAt: 1_001_000 }),
  processRow({ id: 'd', name: 'typo', pid: null, isAlive: false, state: 'failed', error: 'Cannot start pyhton3: no such program' }),
];

function setup(extra: Record<string, unknown> = {}) {
  render(ProcessTable, { props: { api: recordingApi(), rows: rows(), now: 1_002_000, cpu, viewportHeight: 600, ...extra } });
  return screen.getByRole('grid', { name: 'Processes' });
}

const shownIds = (grid: HTMLElement) => Array.from(grid.querySelectorAll('tbody tr[data-id]')).map((row) => row.getAttribute('data-id'));

describe('the process table for a new user', () => {
  it('hides exited and failed processes behind a toggle that counts them, and can show them again', async () => {
    const grid = setup({ hideExited: true });
    expect(shownIds(grid)).toEqual(['a', 'b']);
    const toggle = screen.getByRole('checkbox', { name: 'Hide exited (2)' });
    expect(toggle).toBeChecked();
    await fireEvent.click(toggle);
    expect(shownIds(grid)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('offers no toggle while nothing has ended', () => {
    setup({ hideExited: true, rows: rows().slice(0, 2) });
    expect(screen.queryByRole('checkbox', { name: /Hide exited/ })).toBeNull();
  });

  it('keeps the selected process in view when it ends while ended ones are hidden', () => {
    const grid = setup({ hideExited: true, selectedId: 'c' });
    expect(shownIds(grid)).toEqual(['a', 'b', 'c']);
  });

  it('says when the filter matches only hidden processes, with a button to show them', async () => {
    const grid = setup({ hideExited: true });
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter processes' }), { target: { value: 'SIGKILL' } });
    expect(within(grid).getByText(/No live process matches “SIGKILL”: 1 ended process is hidden/)).toBeInTheDocument();
    await fireEvent.click(within(grid).getByRole('button', { name: 'Show ended processes' }));
    expect(shownIds(grid)).toEqual(['c']);
  });

  it('filters by state and by the signal that ended a process', () => {
    expect(filterRows(rows(), 'running').map((row) => row.id)).toEqual(['a', 'b']);
    expect(filterRows(rows(), 'failed').map((row) => row.id)).toEqual(['d']);
    expect(filterRows(rows(), 'sigkill').map((row) => row.id)).toEqual(['c']);
    expect(filterRows(rows(), '-9').map((row) => row.id)).toEqual(['c']);
  });

  it('shows the command line in a Command column, quoted so it reads back as the same argv', () => {
    const grid = setup();
    expect(within(grid).getByRole('columnheader', { name: /Command/ })).toBeInTheDocument();
    const cell = grid.querySelector('tr[data-id="a"] td.c-command');
    expect(cell).toHaveTextContent('python3 -m http.server 8000');
    const argv = ['x.py', 'two words', "it's", ''];
    const line = formatCommandLine('python3', argv);
    expect(line).toBe(`python3 x.py 'two words' 'it'\\''s' ''`);
    expect(splitArgs(line)).toEqual({ ok: true, args: ['python3', ...argv] });
  });

  it('flags names that two of the user’s processes share', () => {
    const grid = setup();
    const flagged = Array.from(grid.querySelectorAll('tr[data-id]'))
      .filter((row) => row.querySelector('.same-name'))
      .map((row) => row.getAttribute('data-id'));
    expect(flagged).toEqual(['a', 'b']);
  });
});
