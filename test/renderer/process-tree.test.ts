import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import ProcessTable from '../../renderer/components/ProcessTable.svelte';
import PoolList from '../../renderer/components/PoolList.svelte';
import type { InspectedJobPools, InspectedProcessRow, ProcessRow, ProcessTree, TreeProcessRow } from '../../main/protocol/index.js';
import { treeLines } from '../../renderer/lib/tree-lines.js';
import { recordingApi } from './recording-api.js';
import { manyRows, processRow } from './process-rows.js';

// The expanded job row: its process tree below it, with the inspector's names in place of bare rows,
// and Terminate/Kill of one descendant; the Pools view's "inside crawl.py" cards.

const NOW = 1_000_000 + 65_000;
const cpu = { dividedByCores: false, cores: 4 };

function treeRow(pid: number, ppid: number, command: string, overrides: Partial<TreeProcessRow> = {}): TreeProcessRow {
  return { pid, ppid, pgid: 500, state: 'S', command, startTime: 9000 + pid, startedAt: 1_000_000 + 1000, cpu: 1.5, memory: 8 * 1024 * 1024, children: [], ...overrides };
}

function inspected(pid: number, ppid: number, name: string, overrides: Partial<InspectedProcessRow> = {}): InspectedProcessRow {
  return { pid, ppid, name, className: 'Process', daemon: false, alive: true, exitcode: null, target: null, traceback: null, ...overrides };
}

const TRACEBACK = 'Traceback (most recent call last):\n  File "crawl.py", line 7, in run_task\n    1 / 0\nZeroDivisionError: division by zero';

/** A crawl.py job (pid 500): a Pool of two workers, a named Process, a helper shell, and two processes that ended. */
function crawlTree(): ProcessTree {
  return {
    pid: 500,
    time: NOW,
    children: [
      treeRow(501, 500, 'python3 crawl.py'),
      treeRow(502, 500, 'python3 crawl.py'),
      treeRow(503, 500, 'python3 crawl.py', { children: [treeRow(510, 503, 'sleep 30', { pgid: 510 })] }),
      treeRow(504, 500, 'sh -c du -s .'),
    ],
    inspection: {
      processes: [
        inspected(501, 500, 'ForkPoolWorker-1', { className: 'ForkProcess', daemon: true }),
        inspected(502, 500, 'ForkPoolWorker-2', { className: 'ForkProcess', daemon: true }),
        inspected(503, 500, 'fetcher', { className: 'Fetcher', target: "run_task('3',)" }),
        inspected(505, 500, 'Process-2', { alive: false, exitcode: -15 }),
        inspected(506, 503, 'Process-3', { alive: false, exitcode: 1, traceback: TRACEBACK }),
      ],
      pools: [
        {
          key: '500:Pool-1',
          name: 'Pool-1',
          ppid: 500,
          processes: 2,
          workers: [501, 502],
          state: 'running',
          submitted: 5,
          done: 3,
          failed: 0,
          running: 2,
          failures: [],
          tasks: [
            { job: 0, index: 0, worker: 501, call: "run_task('1',)", state: 'done', traceback: null },
            { job: 1, index: 0, worker: 502, call: "run_task('2',)", state: 'done', traceback: null },
            { job: 2, index: 0, worker: 501, call: "run_task('3',)", state: 'done', traceback: null },
          ],
        },
      ],
      queues: [],
      values: [],
    },
  };
}

function setup(rows: ProcessRow[], tree: ProcessTree = crawlTree(), extra: Record<string, unknown> = {}) {
  const api = recordingApi({ getProcessTree: () => ({ ok: true, value: tree }) });
  render(ProcessTable, { props: { api, rows, now: NOW, cpu, viewportHeight: 600, treeIntervalMs: 20, ...extra } });
  const grid = screen.getByRole('grid', { name: 'Processes' });
  return { api, grid };
}

const crawlJob = () => processRow({ id: 'crawl', name: 'crawl', pid: 500, args: ['crawl.py'] });

/** The tree lines under the job, as `name pid` in table order. */
function treeNames(grid: HTMLElement): string[] {
  return Array.from(grid.querySelectorAll('tbody tr[data-tree-pid]')).map((row) => `${row.querySelector('.name')?.textContent} ${row.getAttribute('data-tree-pid')}`);
}

function treeRowOf(grid: HTMLElement, pid: number): HTMLElement {
  const row = grid.querySelector<HTMLElement>(`tbody tr[data-tree-pid="${pid}"]`);
  if (!row) throw new Error(`no tree line for pid ${pid}`);
  return row;
}

async function expandWithMouse(grid: HTMLElement, id: string, name = id) {
  const row = grid.querySelector<HTMLElement>(`tbody tr[data-id="${id}"]`)!;
  await fireEvent.pointerOver(row);
  await fireEvent.click(within(row).getByRole('button', { name: `Processes below ${name}` }));
}

describe('the expanded process tree', () => {
  it('asks for nothing while no row is expanded, and shows no disclosure button on rows not hovered', async () => {
    const { api, grid } = setup([crawlJob(), processRow({ id: 'other', pid: 600 })]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(api.calls.filter((call) => call.name === 'getProcessTree')).toEqual([]);
    expect(grid.querySelectorAll('button.disclosure')).toHaveLength(0);
  });

  it('shows the descendants nested, named by the inspector where it knows them, bare where it does not, and ended ones with their exit codes', async () => {
    const { api, grid } = setup([crawlJob()]);
    await expandWithMouse(grid, 'crawl');
    await waitFor(() => expect(treeNames(grid)).toHaveLength(7));
    expect(api.calls.find((call) => call.name === 'getProcessTree')?.args).toEqual({ id: 'crawl' });
    expect(treeNames(grid)).toEqual([
      'ForkPoolWorker-1 501',
      'ForkPoolWorker-2 502',
      'fetcher 503',
      'Process-3 506',
      'sleep 510',
      'sh 504',
      'Process-2 505',
    ]);
    const cells = (pid: number) => within(treeRowOf(grid, pid)).getAllByRole('gridcell').map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim());
    // Name, Command, PID, Alive, Daemon, Exit code, State, Result, CPU, Memory, Uptime, Pool, Tasks, actions.
    expect(cells(501).slice(0, 7)).toEqual(['└ ForkPoolWorker-1', 'python3 crawl.py', '501', 'yes', 'yes', '', 'S sleeping']);
    expect(cells(501)[11]).toBe('Pool-1');
    expect(cells(501)[12]).toBe('2');
    expect(cells(503)[7]).toBe("run_task('3',)");
    expect(cells(505).slice(2, 7)).toEqual(['505', 'no', 'no', '-15 (SIGTERM)', 'ended']);
    // A bare descendant: the program's name, no multiprocessing fields.
    expect(cells(504).slice(0, 6)).toEqual(['└ sh', 'sh -c du -s .', '504', 'yes', '', '']);
    // Nested: the grandchild is indented one level more than its parent.
    const indent = (pid: number) => parseInt(treeRowOf(grid, pid).querySelector<HTMLElement>('.indent')!.style.width, 10);
    expect(indent(510)).toBe(indent(503) + 14);
    expect(indent(506)).toBe(indent(503) + 14);
    // A subclass named its own way shows its class.
    expect(cells(503)[0]).toBe('└ fetcher Fetcher');
  });

  it('lists the queues and shared values the inspector saw in the job, below its processes', async () => {
    const tree = crawlTree();
    tree.inspection!.queues = [{ key: '500:JoinableQueue-1', kind: 'JoinableQueue', maxsize: 10, size: 3 }];
    tree.inspection!.values = [{ key: '500:counter', kind: 'Value', typecode: 'i', value: 42, length: null }];
    const { grid } = setup([crawlJob()], tree);
    await expandWithMouse(grid, 'crawl');
    await waitFor(() => expect(grid.querySelectorAll('tbody tr.tree-note')).toHaveLength(2));
    const notes = Array.from(grid.querySelectorAll('tbody tr.tree-note')).map((row) => row.textContent?.trim());
    expect(notes).toEqual(['JoinableQueue-1 · 3 items of at most 10', "Value counter ('i') = 42"]);
    // After the processes.
    const order = Array.from(grid.querySelectorAll('tbody tr')).map((row) => (row.classList.contains('tree-note') ? 'note' : 'row'));
    expect(order.slice(-2)).toEqual(['note', 'note']);
  });

  it('opens the traceback of a process that raised', async () => {
    const { grid } = setup([crawlJob()]);
    await expandWithMouse(grid, 'crawl');
    await waitFor(() => expect(treeNames(grid)).toContain('Process-3 506'));
    await fireEvent.click(within(treeRowOf(grid, 506)).getByRole('button', { name: 'Traceback of Process-3 (pid 506)' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('ZeroDivisionError: division by zero')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Traceback').textContent).toContain('line 7, in run_task');
  });

  it('expands and collapses the selected row with → and ←, and stops asking once collapsed', async () => {
    const { api, grid } = setup([crawlJob()]);
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowRight' });
    await waitFor(() => expect(treeNames(grid)).toHaveLength(7));
    expect(within(grid).getByRole('button', { name: 'Processes below crawl' })).toHaveAttribute('aria-expanded', 'true');
    // Polled while expanded.
    await waitFor(() => expect(api.calls.filter((call) => call.name === 'getProcessTree').length).toBeGreaterThan(2));
    await fireEvent.keyDown(grid, { key: 'ArrowLeft' });
    expect(treeNames(grid)).toEqual([]);
    const asked = api.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(api.calls.length).toBe(asked);
  });

  it('terminates a descendant at once, kills only after asking, and offers its group only when it leads one', async () => {
    const { api, grid } = setup([crawlJob()]);
    await expandWithMouse(grid, 'crawl');
    await waitFor(() => expect(treeNames(grid)).toContain('sleep 510'));
    expect(within(treeRowOf(grid, 504)).queryByRole('button', { name: /process group/ })).toBeNull();
    // An ended process has no buttons.
    expect(within(treeRowOf(grid, 505)).queryAllByRole('button')).toHaveLength(0);

    await fireEvent.click(within(treeRowOf(grid, 504)).getByRole('button', { name: 'Terminate sh (pid 504)' }));
    await waitFor(() => expect(api.calls.some((call) => call.name === 'signalDescendant')).toBe(true));
    expect(api.calls.find((call) => call.name === 'signalDescendant')?.args).toEqual({ id: 'crawl', pid: 504, startTime: 9504, signal: 'SIGTERM', scope: 'process' });

    await fireEvent.click(within(treeRowOf(grid, 510)).getByRole('button', { name: 'Kill the process group of sleep (pid 510)' }));
    const dialog = await screen.findByRole('dialog');
    expect(api.calls.filter((call) => call.name === 'signalDescendant')).toHaveLength(1);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Kill' }));
    await waitFor(() => expect(api.calls.filter((call) => call.name === 'signalDescendant')).toHaveLength(2));
    expect(api.calls.filter((call) => call.name === 'signalDescendant')[1]!.args).toEqual({ id: 'crawl', pid: 510, startTime: 9510, signal: 'SIGKILL', scope: 'group' });
  });

  it('shows why a descendant could not be ended', async () => {
    const api = recordingApi({
      getProcessTree: () => ({ ok: true, value: crawlTree() }),
      signalDescendant: () => ({ ok: false, error: { code: 'conflict', message: 'startTime: pid 504 is no longer the process shown' } }),
    });
    const errors: string[] = [];
    render(ProcessTable, { props: { api, rows: [crawlJob()], now: NOW, cpu, viewportHeight: 600, treeIntervalMs: 20, onerror: (message: string) => errors.push(message) } });
    const grid = screen.getByRole('grid', { name: 'Processes' });
    await expandWithMouse(grid, 'crawl');
    await waitFor(() => expect(treeNames(grid)).toContain('sh 504'));
    await fireEvent.click(within(treeRowOf(grid, 504)).getByRole('button', { name: 'Terminate sh (pid 504)' }));
    await waitFor(() => expect(errors).toEqual(['Could not terminate pid 504: startTime: pid 504 is no longer the process shown']));
  });

  it('counts the tree lines in the window: the rows below an expanded row move down', async () => {
    const rows = manyRows(1000);
    const tree: ProcessTree = { pid: 2000, time: NOW, children: Array.from({ length: 40 }, (_, i) => treeRow(3000 + i, 2000, `sleep ${i}`)), inspection: null };
    const { grid } = setup(rows, tree);
    const below = () => parseInt(grid.querySelector<HTMLElement>('tbody tr.spacer:last-child')!.style.height, 10);
    const before = below();
    await expandWithMouse(grid, 'p0', 'proc-0000');
    await waitFor(() => expect(treeNames(grid).length).toBeGreaterThan(10));
    // 40 more lines of 28 px, but the window shows the same number of lines: those rows fall below it.
    await waitFor(() => expect(below()).toBe(before + 40 * 28));
    expect(grid.querySelector('tbody tr[data-id="p30"]')).toBeNull();
  });
});

describe('treeLines', () => {
  it('puts an ended process under its parent when the parent still shows, else at the top, and keeps a live pid over an ended one of the same number', () => {
    const tree: ProcessTree = {
      pid: 1,
      time: 0,
      children: [treeRow(10, 1, 'python3 a.py')],
      inspection: {
        processes: [inspected(10, 1, 'Old-1', { alive: false, exitcode: 0 }), inspected(10, 1, 'Process-1'), inspected(11, 10, 'Process-2', { alive: false, exitcode: 0 }), inspected(12, 99, 'Process-3', { alive: false, exitcode: -9 })],
        pools: [],
        queues: [],
        values: [],
      },
    };
    expect(treeLines('job', tree).map((line) => [line.pid, line.depth, line.inspected?.name, line.process === null])).toEqual([
      [10, 0, 'Process-1', false],
      [11, 1, 'Process-2', true],
      [12, 0, 'Process-3', true],
    ]);
  });
});

describe('the Pools view: pools inside jobs', () => {
  it('shows a pool the inspector saw inside crawl.py with its counts, which worker ran which task, and its failures', async () => {
    const job: InspectedJobPools = {
      id: 'crawl',
      name: 'crawl',
      command: 'python3',
      args: ['-u', 'jobs/crawl.py'],
      isAlive: true,
      pools: [{ ...crawlTree().inspection!.pools[0]!, failed: 1, failures: [{ job: 4, index: 0, error: 'ZeroDivisionError: division by zero', traceback: TRACEBACK }] }],
      workerNames: { 501: 'ForkPoolWorker-1', 502: 'ForkPoolWorker-2' },
    };
    const api = recordingApi({ listInspectedPools: () => ({ ok: true, value: { jobs: [job] } }) });
    render(PoolList, { props: { api, pools: [], pollIntervalMs: 20 } });
    const card = (await screen.findByRole('heading', { name: 'Pool-1' })).closest('article')!;
    expect(within(card).getByText('crawl.py')).toBeInTheDocument();
    expect(card.textContent).toContain('inside crawl.py');
    expect(within(card).getByLabelText('Task counts').textContent?.replace(/\s+/g, ' ').trim()).toBe('5 submitted 2 running 3 done 1 failed');
    const table = within(card).getByRole('table', { name: 'Tasks of Pool-1 inside crawl.py' });
    const taskRows = within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent?.trim()).join(' | '));
    expect(taskRows).toEqual(["0 | run_task('1',) | ForkPoolWorker-1 501 | done", "1 | run_task('2',) | ForkPoolWorker-2 502 | done", "2 | run_task('3',) | ForkPoolWorker-1 501 | done"]);
    expect(screen.queryByText('No pools yet.')).toBeNull();
    await fireEvent.click(within(card).getByRole('button', { name: 'task 4: ZeroDivisionError: division by zero' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Traceback').textContent).toContain('1 / 0');
  });
});
