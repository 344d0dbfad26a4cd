// The restart policy in the UI: the form's Restart fields, a row's countdown and errored badge, an errored pool's card.
import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import NewProcessForm from '../../renderer/components/NewProcessForm.svelte';
import ProcessStateBadge from '../../renderer/components/ProcessStateBadge.svelte';
import PoolCard from '../../renderer/components/PoolCard.svelte';
import type { PoolRow } from '../../main/protocol/index.js';
import { processRow } from './process-rows.js';
import { recordingApi } from './recording-api.js';

describe('the New process form: restart policy', () => {
  async function fill(restart: string, maxRestarts: string) {
    await fireEvent.input(screen.getByLabelText(/^Command/), { target: { value: 'python3' } });
    await fireEvent.change(screen.getByLabelText(/^Restart/), { target: { value: restart } });
    await fireEvent.input(screen.getByLabelText(/^Max restarts/), { target: { value: maxRestarts } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
  }

  it('starts at No with max restarts disabled, and sends the chosen policy and max restarts', async () => {
    const api = recordingApi({
      checkSpec: () => ({ ok: true, value: { problems: [] } }),
      createProcess: () => ({ ok: true, value: { id: 'p1', row: processRow({ id: 'p1' }) } }),
    });
    render(NewProcessForm, { api, onclose: () => {} });
    expect(screen.getByLabelText(/^Restart/)).toHaveValue('no');
    expect(screen.getByLabelText(/^Max restarts/)).toBeDisabled();
    await fill('on-failure', '3');
    expect(api.calls.filter((call) => call.name === 'createProcess')).toEqual([
      { name: 'createProcess', args: { command: 'python3', daemon: false, restart: 'on-failure', maxRestarts: 3 } },
    ]);
  });

  it('shows a bad max restarts at its field, naming it, and sends nothing', async () => {
    const api = recordingApi();
    render(NewProcessForm, { api, onclose: () => {} });
    await fill('always', 'lots');
    const field = screen.getByLabelText(/^Max restarts/);
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(expect.stringContaining('maxRestarts must be a number'));
    expect(api.calls.filter((call) => call.name === 'createProcess')).toEqual([]);
  });
});

describe("a process row's state", () => {
  it('counts down to the next restart with the clock, and shows how often it was started again', async () => {
    const row = processRow({ id: 'p1', state: 'exited', isAlive: false, exitcode: 3, restarts: 2, previousExitcodes: [3, 3], nextRestartAt: 10_000 });
    const view = render(ProcessStateBadge, { row, now: 6_000 });
    expect(screen.getByText('restarting in 4 s')).toHaveAttribute('title', expect.stringMatching(/exited with 3; .* again in 4 s \(restarted 2 times so far\)/));
    await view.rerender({ row, now: 8_500 });
    expect(screen.getByText('restarting in 2 s')).toBeInTheDocument();
    // Once it runs again, the count sits beside the state.
    await view.rerender({ row: { ...row, state: 'running', isAlive: true, exitcode: null, nextRestartAt: null }, now: 10_000 });
    expect(screen.getByText('↻2')).toHaveAttribute('title', 'Started again 2 times; previous exit codes: 3, 3');
  });

  it('shows errored as a red badge with the last exit code and the stderr tail on hover', () => {
    const error = 'gave up after 5 restarts in a row that each ran less than 10 s (stableAfterMs): the last run exited with code 3; its stderr ended with:\ncannot open config';
    render(ProcessStateBadge, { row: processRow({ id: 'p1', state: 'errored', isAlive: false, exitcode: 3, restarts: 5, error }), now: 0 });
    const badge = screen.getByText('errored');
    expect(badge).toHaveClass('state-bad');
    expect(badge.title).toBe(`errored: the last run ended with 3\n${error}`);
  });
});

describe('an errored pool', () => {
  it('shows errored and why, with the advice', () => {
    const error = 'Pool-1: 3 workers in a row ended before answering any task; the last, … They never spoke the worker protocol: … create the pool in exec mode …';
    const pool: PoolRow = {
      id: 'pool1', name: 'not-workers', mode: 'worker', processes: 2, command: 'sleep', args: ['0'], target: null, initializer: null, maxTasksPerChild: null,
      daemon: true, state: 'errored', error, counts: { queued: 0, running: 0, done: 0, failed: 20, cancelled: 0 }, total: 20, createdAt: 0, etaMs: null,
    };
    render(PoolCard, { api: recordingApi(), pool });
    expect(screen.getByText('errored')).toHaveClass('state-errored');
    expect(screen.getByRole('status')).toHaveTextContent(/exec mode/);
    expect(screen.getByRole('button', { name: /Terminate/ })).toBeEnabled();
  });
});
