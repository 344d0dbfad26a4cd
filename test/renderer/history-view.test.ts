import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import HistoryView from '../../renderer/components/HistoryView.svelte';
import ProcessDetails from '../../renderer/components/ProcessDetails.svelte';
import type { RunPage, RunRecord } from '../../main/protocol/index.js';
import { recordingApi } from './recording-api.js';
import { processRow } from './process-rows.js';

// The History view: runs from the app's history, the filters, a past run's log, Run again and Retry
// failed tasks; and the details panel's recorded runs (they come from the history, across launches).

function runRecord(changes: Partial<RunRecord>): RunRecord {
  return {
    id: 'r1', kind: 'process', name: 'job', command: 'sh', target: null, args: ['-c', 'exit 3'], cwd: null, pid: 4321,
    startedAt: Date.UTC(2026, 11, 6, 5, 0, 0), endedAt: Date.UTC(2026, 11, 6, 5, 0, 2), durationMs: 2000, exitcode: 3, signal: null,
    status: 'failed', run: 1, poolRunId: null, poolName: null, workerPid: null, result: null, error: null, logFiles: ['/data/logs/p1.log'],
    liveId: 'p1', spec: { command: 'sh', args: ['-c', 'exit 3'] }, ...changes,
  };
}

const RUNS: RunRecord[] = [
  runRecord({ id: 'r3', kind: 'pool', name: 'crunch', command: 'python3', args: [], exitcode: null, status: 'failed', counts: { done: 8, failed: 2, cancelled: 0 }, logFiles: [], pid: null }),
  runRecord({ id: 'r2', name: 'web', status: 'signal', exitcode: -15, signal: 'SIGTERM', run: 2 }),
  runRecord({ id: 'r1', name: 'build' }),
];

function page(runs: RunRecord[]): { ok: true; value: RunPage } {
  return { ok: true, value: { total: runs.length, offset: 0, runs } };
}

describe('HistoryView', () => {
  it('lists the runs with how each ended, and asks again with the filters chosen', async () => {
    const api = recordingApi({ listRuns: () => page(RUNS) });
    render(HistoryView, { props: { api, viewportHeight: 400, onerror: () => {} } });
    const table = await screen.findByRole('table', { name: 'Runs' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    expect(table).toHaveTextContent('8 done · 2 failed');
    expect(table).toHaveTextContent('-15 (SIGTERM)');
    expect(table).toHaveTextContent(/web\s*· run 2/);
    expect(table).toHaveTextContent("sh -c 'exit 3'");
    expect(screen.getByText('3 runs')).toBeInTheDocument();

    await fireEvent.click(screen.getByRole('button', { name: 'Failed' }));
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Job name' }), { target: { value: 'bui' } });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Time range' }), { target: { value: 'hour' } });
    await waitFor(() => {
      const last = api.calls.filter((call) => call.name === 'listRuns').at(-1)!.args as { filter: Record<string, unknown> };
      expect(last.filter).toMatchObject({ status: 'failed', name: 'bui', since: expect.any(Number) as number });
    });
  });

  it("retries a pool run's failed tasks, runs a process again, and shows a pool run's tasks", async () => {
    const onstarted = vi.fn();
    const api = recordingApi({
      listRuns: () => page(RUNS),
      retryFailedTasks: () => ({ ok: true, value: { kind: 'pool', id: 'pool4', tasks: 2 } }),
      runAgain: () => ({ ok: true, value: { kind: 'process', id: 'p9', tasks: 0 } }),
    });
    render(HistoryView, { props: { api, viewportHeight: 400, onstarted, onerror: () => {} } });
    const table = await screen.findByRole('table', { name: 'Runs' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    const [poolRow, processRow] = within(table).getAllByRole('row').slice(1);
    // Only a pool run with failed tasks can retry them.
    expect(within(processRow).queryByRole('button', { name: 'Retry failed' })).toBeNull();
    await fireEvent.click(within(poolRow).getByRole('button', { name: 'Retry failed' }));
    await waitFor(() => expect(onstarted).toHaveBeenCalledWith({ kind: 'pool', id: 'pool4', tasks: 2 }));
    expect(api.calls).toContainEqual({ name: 'retryFailedTasks', args: { runId: 'r3' } });
    await fireEvent.click(within(processRow).getByRole('button', { name: 'Run again' }));
    await waitFor(() => expect(onstarted).toHaveBeenCalledWith({ kind: 'process', id: 'p9', tasks: 0 }));
    expect(api.calls).toContainEqual({ name: 'runAgain', args: { runId: 'r2' } });

    await fireEvent.click(within(poolRow).getByRole('button', { name: 'Tasks' }));
    await waitFor(() => {
      const last = api.calls.filter((call) => call.name === 'listRuns').at(-1)!.args as { filter: Record<string, unknown> };
      expect(last.filter).toEqual({ poolRunId: 'r3' });
    });
    expect(screen.getByText(/Tasks of crunch/)).toBeInTheDocument();
  });

  it("opens a past run's log from disk and searches the whole file", async () => {
    const log = 'first line\n\u001b[31mred line\u001b[0m\n';
    const api = recordingApi({
      listRuns: () => page(RUNS),
      readRunLog: () => ({ ok: true, value: { data: btoa(log), nextOffset: log.length, totalBytes: log.length } }),
      searchRunLog: () => ({ ok: true, value: { matches: [{ line: 2, text: 'red line' }], matchCount: 1, linesSearched: 2, complete: true, filePath: '/data/logs/p1.log' } }),
    });
    render(HistoryView, { props: { api, viewportHeight: 400, onerror: () => {} } });
    const table = await screen.findByRole('table', { name: 'Runs' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    await fireEvent.click(within(within(table).getAllByRole('row')[3]).getByRole('button', { name: 'Logs' }));
    const panel = await screen.findByRole('region', { name: 'Log of build' });
    await waitFor(() => expect(panel).toHaveTextContent('red line'));
    expect(panel.querySelector('pre')!.innerHTML).not.toContain('\u001b');
    await fireEvent.input(within(panel).getByRole('searchbox'), { target: { value: 'red' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(panel).toHaveTextContent('1 line matches'));
    expect(api.calls).toContainEqual({ name: 'searchRunLog', args: { runId: 'r1', text: 'red' } });
  });
});

describe("ProcessDetails' recorded runs", () => {
  it("shows the job's exit codes from the history, so they outlive a restart of the app", async () => {
    const api = recordingApi({ getProcessDetails: () => ({ ok: true, value: { argv: ['web'], cwd: '/', env: {} } }), listRuns: () => page([runRecord({ id: 'a', name: 'web', exitcode: 3 }), runRecord({ id: 'b', name: 'web', exitcode: -9 }), runRecord({ id: 'c', name: 'webby', exitcode: 0 })]) });
    // A row as the app shows it after a restart: its own list of previous exit codes is empty.
    render(ProcessDetails, { props: { api, row: processRow({ id: 'p1', name: 'web', previousExitcodes: [] }), now: Date.now(), onclose: () => {} } });
    const panel = screen.getByRole('region', { name: 'Details of web' });
    await waitFor(() => expect(panel).toHaveTextContent('Recorded runs 3, -9 (SIGKILL) (newest first'));
    expect(api.calls).toContainEqual({ name: 'listRuns', args: { filter: { name: 'web', kind: 'process' }, limit: 50 } });
  });
});
