import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import ProcessDetails from '../../renderer/components/ProcessDetails.svelte';
import ProcessTable from '../../renderer/components/ProcessTable.svelte';
import { Settings } from '../../renderer/lib/settings.svelte.js';
import { fakeTransport, memoryStorage, renderApp } from './fake-transport.js';
import { recordingApi } from './recording-api.js';
import { processRow, snapshot } from './process-rows.js';

// The details panel, the signal menu, and the panel's place in the app (Escape, the Processes view, Remove).

const details = { argv: ['python3', 'serve.py', '--port', '8000', 'two words'], cwd: '/srv/app', env: { PYTHONUNBUFFERED: '1' } };

describe('ProcessDetails', () => {
  it('shows the full argv, working directory, environment, times, restarts and earlier exit codes', async () => {
    const api = recordingApi({ getProcessDetails: () => ({ ok: true, value: details }) });
    const row = processRow({ id: 'p1', name: 'web', restarts: 2, previousExitcodes: [1, -9], startedAt: Date.UTC(2026, 0, 2, 3, 4, 5) });
    render(ProcessDetails, { props: { api, row, now: row.startedAt! + 65_000, onclose: () => {} } });
    await tick();
    await tick();
    const panel = screen.getByRole('region', { name: 'Details of web' });
    expect(within(panel).getByRole('list', { name: 'argv' }).textContent).toContain('two words');
    expect(within(panel).getAllByRole('listitem').map((item) => item.textContent)).toEqual([...details.argv, 'PYTHONUNBUFFERED=1']);
    expect(panel).toHaveTextContent(`python3 serve.py --port 8000 'two words'`);
    expect(panel).toHaveTextContent('/srv/app');
    expect(panel).toHaveTextContent(new Date(row.startedAt!).toLocaleString());
    expect(panel).toHaveTextContent('still running');
    expect(panel).toHaveTextContent('Uptime 1m 05s');
    expect(panel).toHaveTextContent('Restarts 2');
    expect(panel).toHaveTextContent('1, -9 (SIGKILL) (oldest first)');
    expect(api.calls.filter((call) => call.name !== 'listRuns')).toEqual([{ name: 'getProcessDetails', args: { id: 'p1' } }]);
  });
});

/** A table of one running process, with its row's signal menu open. */
async function openSignalMenu() {
  const api = recordingApi();
  render(ProcessTable, { props: { api, rows: [processRow({ id: 'p1', name: 'job' })], now: 1_000_000, cpu: { dividedByCores: false, cores: 1 }, viewportHeight: 600 } });
  const row = screen.getByRole('grid').querySelector<HTMLElement>('tr[data-id="p1"]')!;
  await fireEvent.pointerOver(row);
  await fireEvent.click(within(row).getByRole('button', { name: 'Send a signal to job' }));
  return api;
}

describe('the signal menu', () => {
  it('lists every signal with where it goes, and sends the one picked', async () => {
    const api = await openSignalMenu();
    const menu = screen.getByRole('menu', { name: 'Signals for job' });
    const items = within(menu).getAllByRole('menuitem');
    expect(items).toHaveLength(31);
    expect(within(menu).getByRole('menuitem', { name: /^19 SIGSTOP .*to the group$/ })).toBeInTheDocument();
    expect(within(menu).getByRole('menuitem', { name: /^10 SIGUSR1 .*to the process$/ })).toBeInTheDocument();
    await fireEvent.click(within(menu).getByRole('menuitem', { name: /SIGUSR1/ }));
    expect(api.calls).toEqual([{ name: 'signal', args: { id: 'p1', signal: 'SIGUSR1' } }]);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('asks before SIGKILL, as Kill does', async () => {
    const api = await openSignalMenu();
    await fireEvent.click(screen.getByRole('menuitem', { name: /SIGKILL/ }));
    expect(screen.getByRole('dialog', { name: 'Kill job?' })).toBeInTheDocument();
    expect(api.calls).toEqual([]);
  });
});

describe('the process panel in the app', () => {
  function start() {
    const transport = fakeTransport({
      readLogs: () => ({ ok: true, value: { lines: [], lastSeq: 0, partial: [], droppedBytes: 0, filePath: null } }),
      getProcessDetails: () => ({ ok: true, value: details }),
    });
    const settings = new Settings(memoryStorage());
    settings.hideExited = false;
    renderApp(transport, settings);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ processes: [processRow({ id: 'a', name: 'worker-a', isAlive: false, state: 'exited', exitcode: 0 }), processRow({ id: 'b', name: 'other' })] }) });
    return transport;
  }

  async function openLogsOfFirst() {
    await tick();
    const grid = screen.getByRole('grid');
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'Enter' });
    return grid;
  }

  it('closes with Escape', async () => {
    start();
    const grid = await openLogsOfFirst();
    expect(screen.getByRole('complementary', { name: 'Logs' })).toBeInTheDocument();
    await fireEvent.keyDown(grid, { key: 'Escape' });
    expect(screen.queryByRole('complementary')).toBeNull();
  });

  it('opens the details with I, and belongs to the Processes view', async () => {
    start();
    const grid = await openLogsOfFirst();
    await fireEvent.keyDown(grid, { key: 'i' });
    expect(screen.getByRole('complementary', { name: 'Details' })).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('tab', { name: /Pools/ }));
    expect(screen.queryByRole('complementary')).toBeNull();
    await fireEvent.click(screen.getByRole('tab', { name: /Processes/ }));
    expect(screen.getByRole('complementary', { name: 'Details' })).toBeInTheDocument();
  });

  it('closes after Remove', async () => {
    const transport = start();
    await openLogsOfFirst();
    const toolbar = screen.getByRole('group', { name: /Actions for/ });
    const selected = toolbar.getAttribute('aria-label')!.replace('Actions for ', '');
    expect(selected).toBe('worker-a');
    await fireEvent.click(within(toolbar).getByRole('button', { name: /Remove/ }));
    // The remove may ask first (a running one); this one has ended.
    await tick();
    expect(transport.calls.map((call) => call.name)).toContain('remove');
    expect(screen.queryByRole('complementary')).toBeNull();
  });
});
