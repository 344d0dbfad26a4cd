import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import PoolCard from '../../renderer/components/PoolCard.svelte';
import PoolList from '../../renderer/components/PoolList.svelte';
import TaskList from '../../renderer/components/TaskList.svelte';
import type { TaskPage, TaskRow } from '../../main/protocol/index.js';
import { recordingApi } from './recording-api.js';
import { poolRow } from './process-rows.js';

function taskRow(taskId: number, overrides: Partial<TaskRow> = {}): TaskRow {
  return {
    key: `pool-1:${taskId}`,
    poolId: 'pool-1',
    taskId,
    args: [taskId],
    state: 'done',
    workerPid: 4242,
    workerName: 'squares-worker-1',
    queuedAt: 1_000,
    startedAt: 1_000,
    endedAt: 1_250,
    result: String(taskId * taskId),
    error: null,
    ...overrides,
  };
}

/** An api whose listTasks answers pages of `tasks` the way the app does: by state, in task id order. */
function pagingApi(tasks: TaskRow[]) {
  return recordingApi({
    listTasks: (({ offset = 0, limit = 100, state }: { offset?: number; limit?: number; state?: TaskRow['state'] }) => {
      const matching = state === undefined ? tasks : tasks.filter((task) => task.state === state);
      const work = matching.findIndex((task) => task.state === 'running' || task.state === 'queued');
      const page: TaskPage = { total: matching.length, offset, tasks: matching.slice(offset, offset + limit), workOffset: work === -1 ? null : work };
      return { ok: true, value: page };
    }) as never,
  });
}

const button = (name: string) => screen.getByRole('button', { name });

describe('PoolCard', () => {
  it('shows the target a function pool serves, with its initializer, where a command pool shows its command', () => {
    render(PoolCard, { api: recordingApi(), pool: poolRow({ target: 'tasks.py:square', initializer: 'tasks.py:init' }) });
    expect(screen.getByText('tasks.py:square · initializer tasks.py:init')).toBeInTheDocument();
  });

  it('shows the pool, its counts, progress and ETA', () => {
    render(PoolCard, { api: recordingApi(), pool: poolRow() });
    expect(screen.getByRole('article', { name: /squares/ })).toBeInTheDocument();
    expect(screen.getByText('running')).toBeInTheDocument();
    expect(screen.getByText('worker · 4 processes · daemon')).toBeInTheDocument();
    const counts = screen.getByRole('list', { name: 'Task counts' });
    for (const text of ['50 queued', '4 running', '40 done', '4 failed', '2 cancelled']) {
      expect(within(counts).getByText(text)).toBeInTheDocument();
    }
    const bar = screen.getByRole('progressbar', { name: 'Tasks finished' });
    expect(bar).toHaveAttribute('aria-valuenow', '46');
    expect(bar).toHaveAttribute('aria-valuemax', '100');
    expect(screen.getByText(/ETA 1m 23s/)).toBeInTheDocument();
  });

  it('follows Python: Join is disabled while running, with the reason', () => {
    render(PoolCard, { api: recordingApi(), pool: poolRow() });
    expect(button('Close')).toBeEnabled();
    expect(button('Terminate')).toBeEnabled();
    const join = button('Join');
    expect(join).toBeDisabled();
    expect(join).toHaveAttribute('title', 'Join needs Close or Terminate first, as in Python');
    expect(join).toHaveAccessibleDescription('Join needs Close or Terminate first, as in Python');
  });

  it('enables Join after Close, and disables everything but Remove once joined', async () => {
    const { rerender } = render(PoolCard, { api: recordingApi(), pool: poolRow() });
    await rerender({ pool: poolRow({ state: 'closed' }) });
    expect(button('Close')).toBeDisabled();
    expect(button('Terminate')).toBeEnabled();
    expect(button('Join')).toBeEnabled();
    expect(button('Add tasks')).toBeDisabled();

    await rerender({ pool: poolRow({ state: 'terminated' }) });
    expect(button('Terminate')).toBeDisabled();
    expect(button('Join')).toBeEnabled();

    await rerender({ pool: poolRow({ state: 'joined' }) });
    expect(button('Close')).toBeDisabled();
    expect(button('Terminate')).toBeDisabled();
    expect(button('Join')).toBeDisabled();
    expect(button('Remove')).toBeEnabled();
  });

  it('sends closePool, terminatePool and joinPool with the pool id', async () => {
    const api = recordingApi();
    const { rerender } = render(PoolCard, { api, pool: poolRow() });
    await fireEvent.click(button('Close'));
    await fireEvent.click(button('Terminate'));
    // It has queued tasks: Terminate asks first (confirmations.test.ts).
    await fireEvent.click(within(screen.getByRole('dialog', { name: /^Terminate / })).getByRole('button', { name: 'Terminate' }));
    await rerender({ pool: poolRow({ state: 'terminating' }) });
    await fireEvent.click(button('Join'));
    await waitFor(() => expect(api.calls).toHaveLength(3));
    expect(api.calls).toEqual([
      { name: 'closePool', args: { id: 'pool-1' } },
      { name: 'terminatePool', args: { id: 'pool-1' } },
      { name: 'joinPool', args: { id: 'pool-1' } },
    ]);
  });

  it('shows Joining… from the click until the row says joined, though joinPool answers before', async () => {
    const api = recordingApi({ joinPool: () => ({ ok: true, value: { joined: false } }) });
    const { rerender } = render(PoolCard, { api, pool: poolRow({ state: 'closed' }) });
    await fireEvent.click(button('Join'));
    await waitFor(() => expect(api.calls).toHaveLength(1));
    expect(button('Joining…')).toBeDisabled();
    await rerender({ pool: poolRow({ state: 'terminating' }) });
    expect(button('Joining…')).toBeDisabled();
    await rerender({ pool: poolRow({ state: 'joined' }) });
    expect(button('Join')).toBeDisabled();
    expect(button('Remove')).toBeEnabled();
  });

  it('stops showing Joining… when the pool is terminated meanwhile, or the app refused', async () => {
    const api = recordingApi({ joinPool: () => ({ ok: true, value: { joined: false } }) });
    const { rerender } = render(PoolCard, { api, pool: poolRow({ state: 'closed' }) });
    await fireEvent.click(button('Join'));
    await waitFor(() => expect(api.calls).toHaveLength(1));
    await rerender({ pool: poolRow({ state: 'terminated' }) });
    expect(button('Join')).toBeEnabled();

    const refusing = recordingApi({ joinPool: () => ({ ok: false, error: { code: 'conflict', message: 'pool is running' } }) });
    await rerender({ api: refusing });
    await fireEvent.click(button('Join'));
    expect(await screen.findByRole('alert')).toHaveTextContent('pool is running');
    expect(button('Join')).toBeEnabled();
  });

  it('shows an action the app refused', async () => {
    const api = recordingApi({ closePool: () => ({ ok: false, error: { code: 'conflict', message: 'pool is already closed' } }) });
    render(PoolCard, { api, pool: poolRow() });
    await fireEvent.click(button('Close'));
    expect(await screen.findByRole('alert')).toHaveTextContent('pool is already closed');
  });

  it('adds tasks from the tasks box, and names a bad line', async () => {
    const api = recordingApi({ submitTasks: () => ({ ok: true, value: { count: 3 } }) });
    render(PoolCard, { api, pool: poolRow() });
    await fireEvent.click(button('Add tasks'));
    const box = screen.getByLabelText('Tasks to add');
    await fireEvent.input(box, { target: { value: 'ok\n[1,' } });
    await fireEvent.click(button('Submit tasks'));
    expect(box).toHaveAttribute('aria-invalid', 'true');
    expect(box).toHaveAccessibleDescription(expect.stringContaining('line 2'));
    expect(api.calls).toEqual([]);

    await fireEvent.input(box, { target: { value: '7..9' } });
    await fireEvent.click(button('Submit tasks'));
    await waitFor(() => expect(screen.queryByLabelText('Tasks to add')).not.toBeInTheDocument());
    expect(api.calls).toEqual([{ name: 'submitTasks', args: { poolId: 'pool-1', tasks: [[7], [8], [9]] } }]);
  });

  it('opens its task list from the pool name', async () => {
    render(PoolCard, { api: pagingApi([taskRow(1)]), pool: poolRow() });
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    const toggle = screen.getByRole('button', { name: /squares/ });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('table')).toBeInTheDocument();
  });
});

describe('TaskList', () => {
  it('shows each task’s args, state, worker pid, duration and result', async () => {
    render(TaskList, { api: pagingApi([taskRow(2, { args: ['b.txt', 3] })]), pool: poolRow() });
    const row = await waitFor(() => {
      const found = screen.getAllByRole('row')[1];
      expect(found).toHaveTextContent('b.txt');
      return found;
    });
    const cells = within(row).getAllByRole('cell').map((cell) => cell.textContent?.trim());
    expect(cells).toEqual(['2', '["b.txt",3]', 'done', '4242', '250 ms', '4']);
  });

  it('shows an error with its traceback below the list when its disclosure is opened', async () => {
    const traceback = 'Traceback (most recent call last):\n  File "worker.py", line 3, in square\nValueError: negative';
    render(TaskList, {
      api: pagingApi([taskRow(5, { state: 'failed', result: null, error: { type: 'ValueError', message: 'negative', traceback } })]),
      pool: poolRow(),
    });
    const disclosure = await screen.findByRole('button', { name: 'ValueError: negative' });
    expect(disclosure).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByText(/File "worker.py", line 3/)).toBeNull();
    await fireEvent.click(disclosure);
    expect(disclosure).toHaveAttribute('aria-expanded', 'true');
    const open = screen.getByRole('region', { name: 'Task 5 in full' });
    expect(within(open).getByText(/File "worker.py", line 3/)).toBeInTheDocument();
    expect(screen.getByText('4242')).toBeInTheDocument();
    await fireEvent.click(within(open).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Task 5 in full' })).toBeNull();
  });

  it('asks for the page in view of 100,000 tasks, scrolled to the work in progress, and for pages of one state', async () => {
    const tasks = Array.from({ length: 100_000 }, (_, i) =>
      taskRow(i + 1, { state: i < 1000 ? 'done' : i < 1004 ? 'running' : 'queued', workerPid: i < 1004 ? 100 + i : null }),
    );
    const api = pagingApi(tasks);
    const pool = poolRow({ counts: { queued: 98_996, running: 4, done: 1000, failed: 0, cancelled: 0 } });
    render(TaskList, { api, pool, viewportHeight: 240 });
    const renderedIds = () => screen.getAllByRole('row').slice(1).map((row) => Number(within(row).getAllByRole('cell')[0].textContent));
    // 10 rows in view plus the overscan on each side; the first running task (1001) near the top.
    await waitFor(() => expect(renderedIds()).toContain(1001));
    expect(renderedIds().length).toBeLessThan(30);
    expect(renderedIds()).toContain(998);
    expect(renderedIds()).not.toContain(1);
    expect(screen.getByRole('table')).toHaveAttribute('aria-rowcount', '100001');
    // Pages, never the whole list: each request is for a window around the rows in view.
    const requests = api.calls.filter((call) => call.name === 'listTasks').map((call) => call.args as { offset: number; limit: number });
    expect(requests.every((request) => request.limit <= 200)).toBe(true);
    expect(requests.at(-1)!.offset).toBeGreaterThan(900);

    await fireEvent.click(screen.getByRole('button', { name: /^Running/ }));
    await waitFor(() => expect(renderedIds()).toEqual([1001, 1002, 1003, 1004]));
    expect(api.calls.at(-1)).toMatchObject({ name: 'listTasks', args: { poolId: 'pool-1', state: 'running', offset: 0 } });
    expect(screen.getByRole('button', { name: /^Failed/ })).toBeDisabled();
  });
});

describe('PoolList', () => {
  it('renders a card per pool and opens the selected one', async () => {
    const selected: string[] = [];
    render(PoolList, {
      api: pagingApi([taskRow(1, { key: 'pool-2:1', poolId: 'pool-2' })]),
      pools: [poolRow(), poolRow({ id: 'pool-2', name: 'gzip-all', mode: 'exec' })],
      selectedPoolId: 'pool-2',
      onselect: (id: string) => selected.push(id),
    });
    expect(screen.getAllByRole('article')).toHaveLength(2);
    expect(screen.getByRole('button', { name: /gzip-all/ })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: /squares/ })).toHaveAttribute('aria-expanded', 'false');
    await fireEvent.click(screen.getByRole('button', { name: /squares/ }));
    expect(selected).toEqual(['pool-1']);
  });
});
