import '@testing-library/svelte/vitest';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import ProcessTable from '../../renderer/components/ProcessTable.svelte';
import type { ProcessRow } from '../../main/protocol/index.js';
import { recordingApi } from './recording-api.js';
import { manyRows, processRow } from './process-rows.js';

const NOW = 1_000_000 + 65_000;
const cpu = { dividedByCores: false, cores: 4 };

function setup(rows: ProcessRow[], extra: Record<string, unknown> = {}) {
  const api = recordingApi();
  const onopenlogs = vi.fn();
  const onerror = vi.fn();
  const result = render(ProcessTable, { props: { api, rows, now: NOW, cpu, onopenlogs, onerror, viewportHeight: 600, ...extra } });
  const grid = screen.getByRole('grid', { name: 'Processes' });
  return { api, onopenlogs, onerror, grid, ...result };
}

/** The ids of the rows in the DOM, top to bottom. */
function renderedIds(grid: HTMLElement): string[] {
  return Array.from(grid.querySelectorAll('tbody tr[data-id]')).map((row) => row.getAttribute('data-id') ?? '');
}

function rowElement(grid: HTMLElement, id: string): HTMLElement {
  const row = grid.querySelector<HTMLElement>(`tbody tr[data-id="${id}"]`);
  if (!row) throw new Error(`row ${id} is not rendered`);
  return row;
}

/** Row buttons appear on the hovered (or selected) row, as for a mouse user. */
async function hover(grid: HTMLElement, id: string): Promise<ReturnType<typeof within>> {
  const row = rowElement(grid, id);
  await fireEvent.pointerOver(row);
  return within(row);
}

function selectedIds(grid: HTMLElement): string[] {
  return Array.from(grid.querySelectorAll('tbody tr[aria-selected="true"]')).map((row) => row.getAttribute('data-id') ?? '');
}

const demoRows = (): ProcessRow[] => [
  processRow({ id: 'w1', name: 'squares-worker-1', kind: 'worker', pid: 4242, cpu: 12.34, memory: 23.4 * 1024 * 1024, poolId: 'pool1', poolName: 'squares', tasksDone: 2 }),
  processRow({
    id: 't1',
    name: 'sleeper',
    pid: 4300,
    isAlive: false,
    state: 'exited',
    exitcode: -15,
    cpu: 3.5, // the last sample before it ended: not shown, an ended process uses nothing
    startedAt: 1_000_000,
    endedAt: 1_000_000 + 3000,
  }),
  processRow({ id: 'd1', name: 'heartbeat', pid: 4100, daemon: true, cpu: 0.5 }),
  processRow({ id: 'f1', name: 'broken', pid: null, isAlive: false, state: 'failed', error: 'spawn nope ENOENT', cpu: null, memory: null, startedAt: null }),
];

const DIVIDE_TRACEBACK = 'Traceback (most recent call last):\n  File "tasks.py", line 9, in divide\n    return a / b\nZeroDivisionError: division by zero';

/** A function process that ended by raising. */
function raisedRow(traceback: string): ProcessRow {
  return processRow({
    id: 'bad',
    name: 'divide',
    target: 'tasks.py:divide',
    targetArgs: [1, 0],
    isAlive: false,
    state: 'exited',
    exitcode: 1,
    targetError: { type: 'ZeroDivisionError', message: 'division by zero', traceback },
  });
}

describe('ProcessTable', () => {
  it('shows one row per process with every column', () => {
    const { grid } = setup(demoRows());
    const headers = within(grid).getAllByRole('columnheader').map((th) => th.textContent?.trim());
    expect(headers).toEqual(['Name', 'Command', 'PID', 'Alive', 'Daemon', 'Exit code', 'State', 'Result', 'CPU', 'Memory', 'Uptime', 'Pool', 'Tasks', 'Actions']);

    const worker = within(rowElement(grid, 'w1'));
    const cells = worker.getAllByRole('gridcell').map((td) => td.textContent?.trim());
    expect(cells.slice(0, 13)).toEqual(['squares-worker-1 worker', 'python3 job.py', '4242', 'yes', 'no', '', 'running', '', '12.3%', '23.4 MiB', '1m 05s', 'squares', '2']);
    // The CPU cell carries the last minute as a sparkline.
    expect(rowElement(grid, 'w1').querySelector('svg.spark')).not.toBeNull();

    expect(within(rowElement(grid, 'd1')).getAllByRole('gridcell')[4]).toHaveTextContent('yes');
  });

  it('reads an exit by signal the way people say it, with the uptime frozen at the end', () => {
    const { grid } = setup(demoRows());
    const cells = within(rowElement(grid, 't1')).getAllByRole('gridcell');
    expect(cells[5]).toHaveTextContent('-15 (SIGTERM)');
    expect(cells[6]).toHaveTextContent('exited');
    expect(cells[6].querySelector('.badge')).toHaveClass('state-bad');
    expect(cells[10]).toHaveTextContent('3s');
    expect(cells[8]).toHaveTextContent(/^$/);
    expect(cells[9]).toHaveTextContent(/^$/);
  });

  it('shows a function’s target by its name, and what it returned or raised in the Result column', () => {
    const { grid } = setup([
      processRow({ id: 'ok', name: 'square-7', target: 'tasks.py:square', targetArgs: [7], kwargs: { scale: 2 }, isAlive: false, state: 'exited', exitcode: 0, returnValue: '98' }),
      raisedRow(DIVIDE_TRACEBACK),
    ]);
    const ok = rowElement(grid, 'ok');
    expect(within(ok).getAllByRole('gridcell')[0]).toHaveTextContent('square-7 tasks.py:square');
    // Where a command row's Command column has its command line: the call, as Python would write it.
    expect(within(ok).getAllByRole('gridcell')[1]).toHaveTextContent('tasks.py:square(7, scale=2)');
    expect(within(ok).getAllByRole('gridcell')[7]).toHaveTextContent(/^98$/);
    const raised = within(rowElement(grid, 'bad')).getAllByRole('gridcell')[7];
    expect(raised).toHaveTextContent('ZeroDivisionError: division by zero');
    expect(raised.querySelector('.raised')).not.toBeNull();
    expect(within(raised).getByRole('button', { name: 'Traceback of divide' })).toBeInTheDocument();
  });

  it('opens the traceback from the row, shows it whole, and closes it with Escape', async () => {
    const { grid } = setup([raisedRow(DIVIDE_TRACEBACK)]);
    await fireEvent.click(within(grid).getByRole('button', { name: 'Traceback of divide' }));
    const dialog = screen.getByRole('dialog', { name: 'Traceback of divide' });
    expect(dialog).toHaveAccessibleDescription('tasks.py:divide(1, 0)');
    expect(within(dialog).getByLabelText('Traceback').textContent).toBe(DIVIDE_TRACEBACK);
    expect(within(dialog).getByRole('button', { name: 'Copy traceback' })).toBeInTheDocument();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows a failed start as a visible row with the OS error', () => {
    const { grid } = setup(demoRows());
    const row = rowElement(grid, 'f1');
    expect(row).toHaveClass('failed');
    expect(row).toHaveTextContent('failed to start');
    expect(row).toHaveTextContent('spawn nope ENOENT');
  });

  it('sorts by a column when its header is clicked, and says so with aria-sort', async () => {
    const { grid } = setup(demoRows());
    const pidHeader = within(grid).getByRole('columnheader', { name: /PID/ });
    expect(pidHeader).toHaveAttribute('aria-sort', 'none');

    await fireEvent.click(within(pidHeader).getByRole('button'));
    expect(pidHeader).toHaveAttribute('aria-sort', 'ascending');
    // No pid yet sorts last, in either direction.
    expect(renderedIds(grid)).toEqual(['d1', 'w1', 't1', 'f1']);

    await fireEvent.click(within(pidHeader).getByRole('button'));
    expect(pidHeader).toHaveAttribute('aria-sort', 'descending');
    expect(renderedIds(grid)).toEqual(['t1', 'w1', 'd1', 'f1']);

    // CPU starts with the busiest, like top.
    const cpuHeader = within(grid).getByRole('columnheader', { name: /CPU/ });
    await fireEvent.click(within(cpuHeader).getByRole('button'));
    expect(cpuHeader).toHaveAttribute('aria-sort', 'descending');
    expect(pidHeader).toHaveAttribute('aria-sort', 'none');
    expect(renderedIds(grid).slice(0, 2)).toEqual(['w1', 'd1']);
  });

  it('sorts names naturally', async () => {
    const rows = ['worker-10', 'worker-2', 'Worker-1'].map((name) => processRow({ id: name, name }));
    const { grid } = setup(rows);
    await fireEvent.click(within(within(grid).getByRole('columnheader', { name: /Name/ })).getByRole('button'));
    expect(renderedIds(grid)).toEqual(['Worker-1', 'worker-2', 'worker-10']);
  });

  it('filters by a plain substring of name, command, pid or pool', async () => {
    const { grid } = setup(demoRows());
    const filter = screen.getByRole('searchbox', { name: 'Filter processes' });

    await fireEvent.input(filter, { target: { value: 'SQUARES' } });
    expect(renderedIds(grid)).toEqual(['w1']);
    expect(screen.getByText('1 of 4')).toBeInTheDocument();

    await fireEvent.input(filter, { target: { value: '4300' } });
    expect(renderedIds(grid)).toEqual(['t1']);

    await fireEvent.input(filter, { target: { value: 'python3' } });
    expect(renderedIds(grid)).toHaveLength(4);

    // Regex characters are just characters.
    await fireEvent.input(filter, { target: { value: '.*' } });
    expect(renderedIds(grid)).toEqual([]);
    expect(grid).toHaveTextContent('No process matches “.*”.');

    await fireEvent.keyDown(filter, { key: 'Escape' });
    expect(renderedIds(grid)).toHaveLength(4);
  });

  it('keeps the selection when an update replaces every row', async () => {
    const { grid, rerender } = setup(demoRows());
    await fireEvent.click(within(rowElement(grid, 'd1')).getByText('heartbeat'));
    expect(selectedIds(grid)).toEqual(['d1']);

    const replaced = demoRows().reverse().map((row) => ({ ...row, cpu: (row.cpu ?? 0) + 5 }));
    await rerender({ rows: replaced });
    expect(selectedIds(grid)).toEqual(['d1']);
    expect(within(rowElement(grid, 'd1')).getAllByRole('gridcell')[8]).toHaveTextContent('5.5%');
    expect(grid).toHaveAttribute('aria-activedescendant', rowElement(grid, 'd1').id);
  });

  it('moves the selection with the arrow keys and acts on it with Delete and Enter', async () => {
    const { grid, api, onopenlogs } = setup(demoRows());
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(selectedIds(grid)).toEqual(['w1']);
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(selectedIds(grid)).toEqual(['d1']);
    await fireEvent.keyDown(grid, { key: 'ArrowUp' });
    expect(selectedIds(grid)).toEqual(['t1']);
    await fireEvent.keyDown(grid, { key: 'ArrowUp' });

    await fireEvent.keyDown(grid, { key: 'Delete' });
    // Terminate asks first (see confirmations.test.ts).
    await fireEvent.click(within(screen.getByRole('dialog', { name: 'Terminate squares-worker-1?' })).getByRole('button', { name: 'Terminate' }));
    expect(api.calls).toEqual([{ name: 'terminate', args: { id: 'w1' } }]);

    await fireEvent.keyDown(grid, { key: 'Enter' });
    expect(onopenlogs).toHaveBeenCalledWith(expect.objectContaining({ id: 'w1' }));

    await fireEvent.keyDown(grid, { key: 'End' });
    expect(selectedIds(grid)).toEqual(['f1']);
    // A process that is not alive cannot be terminated.
    await fireEvent.keyDown(grid, { key: 'Delete' });
    expect(api.calls).toHaveLength(1);
  });

  it('asks before killing, and kills only when confirmed', async () => {
    const { grid, api } = setup(demoRows());
    await fireEvent.click((await hover(grid, 'w1')).getByRole('button', { name: 'Kill squares-worker-1' }));
    let dialog = screen.getByRole('dialog', { name: 'Kill squares-worker-1?' });
    expect(dialog).toHaveTextContent('pid 4242');
    expect(api.calls).toEqual([]);

    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.calls).toEqual([]);

    // Clicking the row's button selected it; Shift+Delete on the selected row asks the same question.
    expect(selectedIds(grid)).toEqual(['w1']);
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'Delete', shiftKey: true });
    dialog = screen.getByRole('dialog', { name: 'Kill squares-worker-1?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Kill' }));
    expect(api.calls).toEqual([{ name: 'kill', args: { id: 'w1' } }]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows row buttons on the hovered row only', async () => {
    const { grid } = setup(demoRows());
    expect(within(rowElement(grid, 'w1')).queryByRole('button')).toBeNull();
    await hover(grid, 'w1');
    expect(within(rowElement(grid, 'w1')).getByRole('button', { name: 'Logs of squares-worker-1' })).toBeInTheDocument();
    await fireEvent.pointerLeave(grid);
    expect(within(rowElement(grid, 'w1')).queryByRole('button')).toBeNull();
  });

  it('offers Remove only for ended rows, and Restart for all', async () => {
    const { grid } = setup(demoRows());
    const running = await hover(grid, 'w1');
    expect(running.queryByRole('button', { name: 'Remove squares-worker-1' })).toBeNull();
    expect(running.getByRole('button', { name: 'Restart squares-worker-1' })).toBeInTheDocument();
    const ended = await hover(grid, 't1');
    expect(ended.getByRole('button', { name: 'Remove sleeper' })).toBeInTheDocument();
    expect(ended.queryByRole('button', { name: 'Terminate sleeper' })).toBeNull();
  });

  it('shows the message of a command that failed', async () => {
    const api = recordingApi({ restart: () => ({ ok: false, error: { code: 'conflict', message: 'it is already restarting' } }) });
    const onerror = vi.fn();
    render(ProcessTable, { props: { api, rows: demoRows(), now: NOW, cpu, onerror, viewportHeight: 600 } });
    await hover(screen.getByRole('grid'), 'd1');
    await fireEvent.click(screen.getByRole('button', { name: 'Restart heartbeat' }));
    // heartbeat runs: Restart asks first.
    await fireEvent.click(within(screen.getByRole('dialog', { name: 'Restart heartbeat?' })).getByRole('button', { name: 'Restart' }));
    await vi.waitFor(() => expect(onerror).toHaveBeenCalledWith('Could not restart heartbeat: it is already restarting'));
  });

  it('shows command errors inline when nobody else does', async () => {
    const api = recordingApi({ remove: () => ({ ok: false, error: { code: 'not_found', message: 'no such process' } }) });
    render(ProcessTable, { props: { api, rows: demoRows(), now: NOW, cpu, viewportHeight: 600 } });
    await hover(screen.getByRole('grid'), 't1');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove sleeper' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not remove sleeper: no such process');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('renders only a window of rows for 5,000 processes', async () => {
    const rows = manyRows(5000);
    const { grid } = setup(rows, { viewportHeight: 600 });
    const ids = renderedIds(grid);
    expect(ids.length).toBeGreaterThan(15);
    expect(ids.length).toBeLessThan(60);
    expect(ids[0]).toBe('p0');
    expect(grid).toHaveAttribute('aria-rowcount', '5001');

    // Jumping to the end brings the last rows into the window (and the first ones out).
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'End' });
    const after = renderedIds(grid);
    expect(after.length).toBeLessThan(60);
    expect(after).toContain('p4999');
    expect(after).not.toContain('p0');
    expect(rowElement(grid, 'p4999')).toHaveAttribute('aria-rowindex', '5001');
    // The spacer rows stand in for the thousands of rows not in the DOM.
    const spacer = grid.querySelector<HTMLElement>('tbody tr.spacer');
    expect(parseInt(spacer?.style.height ?? '0', 10)).toBeGreaterThan(4900 * 28);
  });

  it('brings a row selected from outside (a process just created) into view once, when it appears', async () => {
    const rows = manyRows(1000);
    const { grid, rerender } = setup(rows, { selectedId: 'p900' });
    await rerender({ rows: [...rows, processRow({ id: 'fresh', name: 'just-created', pid: 9999 })], selectedId: 'fresh' });
    await tick();
    expect(renderedIds(grid)).toContain('fresh');
    expect(selectedIds(grid)).toEqual(['fresh']);
  });

  it('reuses the row elements by position when the window moves, with the selection following the id', async () => {
    const rows = manyRows(5000);
    const { grid } = setup(rows, { viewportHeight: 600, selectedId: 'p0' });
    const elements = Array.from(grid.querySelectorAll('tbody tr[data-id]'));
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'End' });
    const after = Array.from(grid.querySelectorAll('tbody tr[data-id]'));
    // The window now shows other rows in the elements it had: none was created for the rows that entered.
    expect(after.length).toBe(elements.length);
    expect(after.every((element) => elements.includes(element))).toBe(true);
    expect(after[0]).toBe(elements[0]);
    expect(renderedIds(grid)).not.toContain('p0');
    // The element that showed p0, selected then, shows another row now and is not selected; the last row is.
    expect(elements[0]).toHaveAttribute('aria-selected', 'false');
    expect(selectedIds(grid)).toEqual(['p4999']);
  });

  it('updates the window in place when a delta replaces all rows', async () => {
    const rows = manyRows(1000);
    const { grid, rerender } = setup(rows);
    const firstRowElement = rowElement(grid, 'p0');
    await rerender({ rows: rows.map((row) => ({ ...row, cpu: 42 })) });
    await tick();
    // Same DOM row, new content.
    expect(rowElement(grid, 'p0')).toBe(firstRowElement);
    expect(within(firstRowElement).getAllByRole('gridcell')[8]).toHaveTextContent('42.0%');
  });
});
