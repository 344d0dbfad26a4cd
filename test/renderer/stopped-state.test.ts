// A process the kernel holds stopped (SIGSTOP from the signal menu, htop's T): its badge and the table's filter.
import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import ProcessStateBadge from '../../renderer/components/ProcessStateBadge.svelte';
import ProcessTable from '../../renderer/components/ProcessTable.svelte';
import { filterRows } from '../../renderer/lib/process-sort.js';
import { recordingApi } from './recording-api.js';
import { processRow } from './process-rows.js';

describe('a stopped process', () => {
  it('shows a "stopped" badge of its own, saying SIGCONT resumes it, and "running" again once continued', async () => {
    const row = processRow({ id: 'p1', suspended: true });
    const view = render(ProcessStateBadge, { row, now: 0 });
    const badge = screen.getByText('stopped');
    expect(badge).toHaveClass('state-stopped');
    expect(badge).toHaveAttribute('title', expect.stringMatching(/SIGSTOP.*until it gets SIGCONT/));
    expect(screen.queryByText('running')).toBeNull();

    await view.rerender({ row: { ...row, suspended: false }, now: 0 });
    expect(screen.getByText('running')).toHaveClass('state-running');
    expect(screen.queryByText('stopped')).toBeNull();
  });

  it('says what ended it, not "stopped", once a stopped process has ended', () => {
    render(ProcessStateBadge, { row: processRow({ id: 'p1', suspended: true, state: 'exited', isAlive: false, exitcode: -9 }), now: 0 });
    expect(screen.getByText('exited')).toBeInTheDocument();
    expect(screen.queryByText('stopped')).toBeNull();
  });

  it('is matched by the filter as "stopped", and no longer as "running"', () => {
    const rows = [processRow({ id: 'frozen', suspended: true }), processRow({ id: 'busy' }), processRow({ id: 'winding-down', state: 'stopping' })];
    expect(filterRows(rows, 'stopped').map((row) => row.id)).toEqual(['frozen']);
    expect(filterRows(rows, 'running').map((row) => row.id)).toEqual(['busy']);
    expect(filterRows(rows, 'STOP').map((row) => row.id)).toEqual(['frozen', 'winding-down']);
  });

  it('shows in the process table with its badge, and stays when the table is filtered by "stopped"', async () => {
    const rows = [processRow({ id: 'frozen', name: 'frozen-job', suspended: true }), processRow({ id: 'busy', name: 'busy-job' })];
    render(ProcessTable, { props: { api: recordingApi(), rows, now: 1_065_000, cpu: { dividedByCores: false, cores: 4 }, viewportHeight: 600 } });
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter processes' }), { target: { value: 'stopped' } });
    const grid = screen.getByRole('grid', { name: 'Processes' });
    expect(Array.from(grid.querySelectorAll('tbody tr[data-id]')).map((row) => row.getAttribute('data-id'))).toEqual(['frozen']);
    expect(grid.querySelector('tbody tr[data-id="frozen"] .state-stopped')).toHaveTextContent('stopped');
  });
});
