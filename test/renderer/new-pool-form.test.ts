import '@testing-library/svelte/vitest';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import NewPoolForm from '../../renderer/components/NewPoolForm.svelte';
import { recordingApi } from './recording-api.js';

async function type(label: RegExp, value: string) {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

const TASKS = /^Tasks\s*optional$/;

function submit() {
  return fireEvent.click(screen.getByRole('button', { name: 'Create pool' }));
}

function created() {
  return recordingApi({ createPool: () => ({ ok: true, value: { id: 'pool-1', row: {} } }) });
}

describe('NewPoolForm', () => {
  it('explains both modes and starts on the command field', () => {
    render(NewPoolForm, { api: recordingApi(), onclose: () => {} });
    expect(screen.getByRole('dialog', { name: 'New pool' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: /Worker.*worker protocol/s })).toBeChecked();
    expect(screen.getByRole('radio', { name: /Exec.*GNU parallel/s })).not.toBeChecked();
    expect(screen.getByLabelText(/^Command/)).toHaveFocus();
    expect(screen.getByLabelText(/^Daemon workers/)).toBeChecked();
  });

  it('shows pool size 0 and an empty command at their fields', async () => {
    const api = recordingApi();
    render(NewPoolForm, { api, onclose: () => {} });
    await type(/^Pool size/, '0');
    await submit();
    const size = screen.getByLabelText(/^Pool size/);
    expect(size).toHaveAttribute('aria-invalid', 'true');
    expect(size).toHaveAccessibleDescription(expect.stringContaining('processes must be at least 1'));
    expect(screen.getByLabelText(/^Command/)).toHaveAccessibleDescription(expect.stringContaining('command is required'));
    expect(api.calls).toEqual([]);
  });

  it('names the bad task line at the tasks field', async () => {
    const api = recordingApi();
    render(NewPoolForm, { api, onclose: () => {} });
    await type(/^Command/, 'python3');
    await type(TASKS, '1\n2\n{"broken": ');
    await submit();
    const tasks = screen.getByLabelText(TASKS);
    expect(tasks).toHaveAttribute('aria-invalid', 'true');
    expect(tasks).toHaveAccessibleDescription(expect.stringMatching(/^line 3: starts with \{ but is not valid JSON/));
    expect(tasks).toHaveFocus();
    expect(api.calls).toEqual([]);
  });

  it('shows a bad env line at the env field', async () => {
    render(NewPoolForm, { api: recordingApi(), onclose: () => {} });
    await type(/^Command/, 'python3');
    await type(/^Environment/, '9LIVES=yes');
    await submit();
    expect(screen.getByLabelText(/^Environment/)).toHaveAccessibleDescription(expect.stringContaining('line 1'));
  });

  it('sends a worker pool with tasks from a range, then reports the id and closes', async () => {
    const api = created();
    const onclose = vi.fn();
    const oncreated = vi.fn();
    render(NewPoolForm, { api, onclose, oncreated });
    await type(/^Name/, 'squares');
    await type(/^Pool size/, '3');
    await type(/^Command/, 'python3');
    await type(/^Arguments/, 'resources/workers/demo_square.py');
    await type(/^Tasks per worker/, '10');
    await type(/^Environment/, 'A=1');
    await type(TASKS, '1..5');
    expect(screen.getByText('5 tasks will be queued at creation.')).toBeInTheDocument();
    await submit();
    await waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(api.calls).toEqual([
      {
        // The workers' program and folder are checked first, as a process of their own would be.
        name: 'checkSpec',
        args: { command: 'python3', args: ['resources/workers/demo_square.py'], env: { A: '1' } },
      },
      {
        name: 'createPool',
        args: {
          name: 'squares',
          processes: 3,
          command: 'python3',
          args: ['resources/workers/demo_square.py'],
          mode: 'worker',
          maxTasksPerChild: 10,
          env: { A: '1' },
          daemon: true,
          tasks: [[1], [2], [3], [4], [5]],
        },
      },
    ]);
    expect(oncreated).toHaveBeenCalledWith('pool-1');
  });

  it('sends an exec pool without a per-worker task limit, and non-daemon when unticked', async () => {
    const api = created();
    render(NewPoolForm, { api, onclose: () => {} });
    await fireEvent.click(screen.getByRole('radio', { name: /^Exec/ }));
    await type(/^Pool size/, '2');
    await type(/^Command/, 'gzip');
    await type(/^Arguments/, '-k {}');
    expect(screen.getByLabelText(/^Tasks per worker/)).toBeDisabled();
    await fireEvent.click(screen.getByLabelText(/^Daemon workers/));
    await type(TASKS, 'a.txt\n["b c.txt"]');
    await submit();
    await waitFor(() => expect(api.calls).toHaveLength(2));
    expect(api.calls[1].args).toEqual({
      processes: 2,
      command: 'gzip',
      args: ['-k', '{}'],
      mode: 'exec',
      daemon: false,
      tasks: [['a.txt'], ['b c.txt']],
    });
  });

  it('shows an app error at its field', async () => {
    const api = recordingApi({
      createPool: () => ({ ok: false, error: { code: 'start_failed', message: 'command: python9 was not found on PATH', field: 'command' } }),
    });
    const onclose = vi.fn();
    render(NewPoolForm, { api, onclose });
    await type(/^Command/, 'python9');
    await submit();
    const command = screen.getByLabelText(/^Command/);
    await waitFor(() => expect(command).toHaveAttribute('aria-invalid', 'true'));
    expect(command).toHaveAccessibleDescription(expect.stringMatching(/^python9 was not found on PATH/));
    expect(onclose).not.toHaveBeenCalled();
  });

  it('shows what the app found before starting under the fields it concerns, keeps everything typed, and creates nothing', async () => {
    const wholeLine = 'Command is the program alone, and no program is named “python3 x.py”: to run `python3 x.py`, put `python3` in Command and `x.py` in Arguments';
    const api = recordingApi({
      checkSpec: () => ({ ok: true, value: { problems: [{ field: 'command', message: wholeLine }, { field: 'cwd', message: 'no folder /nope: create it first' }] } }),
    });
    const onclose = vi.fn();
    render(NewPoolForm, { api, onclose });
    await type(/^Name/, 'squares');
    await type(/^Pool size/, '3');
    await type(/^Command/, 'python3 x.py');
    await type(/^Working directory/, '/nope');
    await type(TASKS, '1..5');
    await submit();
    const command = screen.getByLabelText(/^Command/);
    await waitFor(() => expect(command).toHaveAttribute('aria-invalid', 'true'));
    expect(command).toHaveAccessibleDescription(expect.stringContaining(wholeLine));
    expect(command).toHaveFocus();
    expect(screen.getByLabelText(/^Working directory/)).toHaveAccessibleDescription(expect.stringContaining('no folder /nope'));
    expect(command).toHaveValue('python3 x.py');
    expect(screen.getByLabelText(/^Name/)).toHaveValue('squares');
    expect(screen.getByLabelText(TASKS)).toHaveValue('1..5');
    expect(onclose).not.toHaveBeenCalled();
    expect(api.calls).toEqual([{ name: 'checkSpec', args: { command: 'python3 x.py', cwd: '/nope' } }]);
  });
});
