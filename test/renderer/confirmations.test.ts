import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import PoolCard from '../../renderer/components/PoolCard.svelte';
import ProcessTable from '../../renderer/components/ProcessTable.svelte';
import { Settings } from '../../renderer/lib/settings.svelte.js';
import type { ProcessRow } from '../../main/protocol/index.js';
import { memoryStorage } from './fake-transport.js';
import { recordingApi } from './recording-api.js';
import { poolRow, processRow } from './process-rows.js';

// Every action that ends work the user cannot get back asks first, the same way, with "don't ask
// again" per action (kept in the settings); Kill always asks.

function setup(rows: ProcessRow[], settings = new Settings(memoryStorage())) {
  const api = recordingApi();
  render(ProcessTable, { props: { api, rows, now: 1_000_000, cpu: { dividedByCores: false, cores: 1 }, viewportHeight: 600, confirmations: settings, selectedId: rows[0]!.id } });
  const toolbar = screen.getByRole('group', { name: `Actions for ${rows[0]!.name}` });
  return { api, settings, toolbar, grid: screen.getByRole('grid') };
}

const running = () => processRow({ id: 'p1', name: 'job' });
const ended = () => processRow({ id: 'p1', name: 'job', isAlive: false, state: 'exited', exitcode: 0 });

describe('confirmations', () => {
  it.each([
    ['Terminate', 'terminate', [{ name: 'terminate', args: { id: 'p1' } }]],
    ['Restart', 'restart', [{ name: 'restart', args: { id: 'p1' } }]],
    ['Remove', 'remove', [{ name: 'stop', args: { id: 'p1' } }, { name: 'remove', args: { id: 'p1' } }]],
  ] as const)('%s of a running process asks, does nothing on Cancel, and acts on confirm', async (label, action, calls) => {
    const { api, toolbar } = setup([running()]);
    await fireEvent.click(within(toolbar).getByRole('button', { name: label }));
    await fireEvent.click(within(screen.getByRole('dialog', { name: `${label} job?` })).getByRole('button', { name: 'Cancel' }));
    expect(api.calls).toEqual([]);
    await fireEvent.click(within(toolbar).getByRole('button', { name: label }));
    await fireEvent.click(within(screen.getByRole('dialog', { name: `${label} job?` })).getByRole('button', { name: label }));
    await Promise.resolve();
    expect(api.calls).toEqual(calls);
    void action;
  });

  it('asks on the Delete key too', async () => {
    const { api, grid } = setup([running()]);
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'Delete' });
    expect(screen.getByRole('dialog', { name: 'Terminate job?' })).toBeInTheDocument();
    expect(api.calls).toEqual([]);
  });

  it('remembers "don\'t ask again" for that action only', async () => {
    const { api, toolbar, settings } = setup([running()]);
    await fireEvent.click(within(toolbar).getByRole('button', { name: 'Terminate' }));
    const dialog = screen.getByRole('dialog', { name: 'Terminate job?' });
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: "Don't ask again" }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Terminate' }));
    expect(settings.asks('terminate')).toBe(false);
    await fireEvent.click(within(toolbar).getByRole('button', { name: 'Terminate' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.calls.map((call) => call.name)).toEqual(['terminate', 'terminate']);
    await fireEvent.click(within(toolbar).getByRole('button', { name: 'Restart' }));
    expect(screen.getByRole('dialog', { name: 'Restart job?' })).toBeInTheDocument();
  });

  it('keeps asking before Kill, with no way to stop it', async () => {
    const { toolbar } = setup([running()]);
    await fireEvent.click(within(toolbar).getByRole('button', { name: /Kill/ }));
    const dialog = screen.getByRole('dialog', { name: 'Kill job?' });
    expect(within(dialog).queryByRole('checkbox')).toBeNull();
  });

  it('does not ask when nothing can be lost: Restart or Remove of an ended process', async () => {
    const { api, toolbar } = setup([ended()]);
    await fireEvent.click(within(toolbar).getByRole('button', { name: 'Restart' }));
    await fireEvent.click(within(toolbar).getByRole('button', { name: 'Remove' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.calls.map((call) => call.name)).toEqual(['restart', 'remove']);
  });
});

describe('pool Terminate', () => {
  it('asks while tasks would be cut short or cancelled, saying how many', async () => {
    const api = recordingApi();
    render(PoolCard, { api, pool: poolRow() });
    await fireEvent.click(screen.getByRole('button', { name: 'Terminate' }));
    const dialog = screen.getByRole('dialog', { name: 'Terminate squares?' });
    expect(dialog).toHaveTextContent('4 running tasks stop now, and 50 queued tasks are cancelled.');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.calls).toEqual([]);
  });

  it('goes at once when nothing is left to do', async () => {
    const api = recordingApi();
    render(PoolCard, { api, pool: poolRow({ state: 'closed', counts: { queued: 0, running: 0, done: 100, failed: 0, cancelled: 0 } }) });
    await fireEvent.click(screen.getByRole('button', { name: 'Terminate' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.calls).toEqual([{ name: 'terminatePool', args: { id: 'pool-1' } }]);
  });
});
