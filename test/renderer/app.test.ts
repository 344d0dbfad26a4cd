import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { fakeTransport, renderApp } from './fake-transport.js';
import { appStats, delta, processRow, snapshot } from './process-rows.js';

/** The reads the toolbar's Workspace menu makes on its own (on launch, as rows come and go). */
const WORKSPACE_READS = new Set<string>(['getWorkspace', 'listRecentWorkspaces']);

describe('App', () => {
  it('offers the demo workspace on first launch and starts it', async () => {
    const transport = fakeTransport({ runDemo: () => ({ ok: true, value: { processIds: [], poolIds: [] } }) });
    renderApp(transport);
    expect(screen.getByText('Connecting to Pooldeck…')).toBeInTheDocument();

    transport.setState('open');
    transport.emit({ type: 'snapshot', snapshot: snapshot({ app: appStats() }) });
    await tick();
    expect(screen.getByRole('heading', { name: 'Nothing is running yet' })).toBeInTheDocument();
    expect(screen.getByText(/-15 \(SIGTERM\)/)).toBeInTheDocument();

    await fireEvent.click(screen.getByRole('button', { name: 'Load demo workspace' }));
    expect(transport.calls.filter((call) => !WORKSPACE_READS.has(call.name))).toEqual([{ name: 'runDemo', args: {} }]);

    transport.emit({ type: 'delta', delta: delta(2, { processes: [processRow({ id: 'a', name: 'demo-busy' })] }) });
    await tick();
    const grid = screen.getByRole('grid', { name: 'Processes' });
    expect(within(grid).getByText('demo-busy')).toBeInTheDocument();
    expect(screen.getByRole('contentinfo')).toHaveTextContent('1 running / 1 process');
  });

  it('shows why the demo did not start', async () => {
    const transport = fakeTransport({ runDemo: () => ({ ok: false, error: { code: 'conflict', message: 'the demo is already running' } }) });
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot() });
    await tick();
    await fireEvent.click(screen.getByRole('button', { name: 'Load demo workspace' }));
    expect(await screen.findByText('Could not start the demo: the demo is already running')).toBeInTheDocument();
  });

  it('asks for a fresh snapshot when deltas were lost', async () => {
    const transport = fakeTransport({
      getSnapshot: () => ({ ok: true, value: snapshot({ seq: 9, processes: [processRow({ id: 'b', name: 'after-resync' })] }) }),
    });
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ seq: 1, processes: [processRow({ id: 'a', name: 'before' })] }) });
    transport.emit({ type: 'delta', delta: delta(5) });
    expect(transport.calls.map((c) => c.name).filter((name) => !WORKSPACE_READS.has(name))).toEqual(['getSnapshot']);
    expect(await screen.findByText('after-resync')).toBeInTheDocument();
  });

  it('says so when the link drops', async () => {
    const transport = fakeTransport();
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ processes: [processRow({ id: 'a' })] }) });
    transport.setState('reconnecting');
    await tick();
    expect(screen.getByRole('alert')).toHaveTextContent('Disconnected from Pooldeck — reconnecting…');
    transport.setState('open');
    await tick();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('opens the logs of the selected process with Enter', async () => {
    const transport = fakeTransport({
      readLogs: () => ({ ok: true, value: { lines: [], lastSeq: 0, partial: [], droppedBytes: 0, filePath: null } }),
    });
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ processes: [processRow({ id: 'a', name: 'worker-a' })] }) });
    await tick();
    const grid = screen.getByRole('grid');
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'Enter' });
    expect(screen.getByRole('complementary', { name: 'Logs' })).toHaveTextContent('worker-a');
  });

  it('opens the forms from the desktop menu', async () => {
    const transport = fakeTransport();
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot() });
    transport.menu('newPool');
    await tick();
    expect(screen.getByRole('dialog', { name: 'New pool' })).toBeInTheDocument();
  });
});
