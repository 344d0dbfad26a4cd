import '@testing-library/svelte/vitest';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import NewProcessForm from '../../renderer/components/NewProcessForm.svelte';
import { recordingApi } from './recording-api.js';

async function type(label: RegExp, value: string) {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

function submit() {
  return fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
}

describe('NewProcessForm', () => {
  it('is a labelled modal dialog that starts on the command field and closes on Escape', async () => {
    const onclose = vi.fn();
    render(NewProcessForm, { api: recordingApi(), onclose });
    expect(screen.getByRole('dialog', { name: 'New process' })).toHaveAttribute('aria-modal', 'true');
    expect(screen.getByLabelText(/^Command/)).toHaveFocus();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('keeps Tab inside the dialog', async () => {
    render(NewProcessForm, { api: recordingApi(), onclose: () => {} });
    const last = screen.getByRole('button', { name: 'Start process' });
    const first = screen.getByRole('button', { name: 'Close' });
    last.focus();
    await fireEvent.keyDown(window, { key: 'Tab' });
    expect(first).toHaveFocus();
    await fireEvent.keyDown(window, { key: 'Tab', shiftKey: true });
    expect(last).toHaveFocus();
  });

  it('shows the schema error at the command field and sends nothing', async () => {
    const api = recordingApi();
    render(NewProcessForm, { api, onclose: () => {} });
    await submit();
    const command = screen.getByLabelText(/^Command/);
    expect(command).toHaveAttribute('aria-invalid', 'true');
    expect(command).toHaveAccessibleDescription(expect.stringContaining('command is required'));
    expect(command).toHaveFocus();
    expect(api.calls).toEqual([]);
  });

  it('shows a bad env line at the env field, naming the line', async () => {
    const api = recordingApi();
    render(NewProcessForm, { api, onclose: () => {} });
    await type(/^Command/, 'python3');
    await type(/^Environment/, 'A=1\nnot a pair');
    await submit();
    const env = screen.getByLabelText(/^Environment/);
    expect(env).toHaveAttribute('aria-invalid', 'true');
    expect(env).toHaveAccessibleDescription(expect.stringContaining('line 2: expected NAME=value'));
    expect(screen.getByLabelText(/^Command/)).not.toHaveAttribute('aria-invalid');
    expect(api.calls).toEqual([]);
  });

  it('shows an unclosed quote at the arguments field', async () => {
    render(NewProcessForm, { api: recordingApi(), onclose: () => {} });
    await type(/^Command/, 'echo');
    await type(/^Arguments/, `'oops`);
    await submit();
    expect(screen.getByLabelText(/^Arguments/)).toHaveAccessibleDescription(expect.stringContaining('never closed'));
  });

  it('sends the split arguments and parsed env, then reports the new id and closes', async () => {
    const api = recordingApi({ createProcess: () => ({ ok: true, value: { id: 'p7', row: {} } }) });
    const onclose = vi.fn();
    const oncreated = vi.fn();
    render(NewProcessForm, { api, onclose, oncreated });
    await type(/^Command/, '  python3 ');
    await type(/^Arguments/, `-c 'print("a b")' --flag`);
    await type(/^Name/, 'printer');
    await type(/^Working directory/, '/tmp');
    await type(/^Environment/, 'PYTHONUNBUFFERED=1\n# comment\nMODE=fast=yes');
    await fireEvent.click(screen.getByLabelText('Daemon'));
    expect(screen.getByRole('list', { name: /as the program receives them/ })).toHaveTextContent('-cprint("a b")--flag');
    await submit();
    await waitFor(() => expect(onclose).toHaveBeenCalledOnce());
    expect(api.calls.filter((call) => call.name !== 'checkSpec')).toEqual([
      {
        name: 'createProcess',
        args: {
          command: 'python3',
          args: ['-c', 'print("a b")', '--flag'],
          name: 'printer',
          cwd: '/tmp',
          env: { PYTHONUNBUFFERED: '1', MODE: 'fast=yes' },
          daemon: true,
        },
      },
    ]);
    expect(oncreated).toHaveBeenCalledWith('p7');
  });

  it('leaves optional fields out of the payload', async () => {
    const api = recordingApi({ createProcess: () => ({ ok: true, value: { id: 'p1', row: {} } }) });
    render(NewProcessForm, { api, onclose: () => {} });
    await type(/^Command/, 'sleep');
    await submit();
    await waitFor(() => expect(api.calls.map((call) => call.name)).toContain('createProcess'));
    expect(api.calls.find((call) => call.name === 'createProcess')?.args).toEqual({ command: 'sleep', daemon: false });
  });

  it('shows an app error at the field it names, and other errors at the top', async () => {
    const onclose = vi.fn();
    let reply = { ok: false, error: { code: 'start_failed', message: 'cwd: /nope does not exist', field: 'cwd' } } as const;
    const api = recordingApi({ createProcess: () => reply });
    render(NewProcessForm, { api, onclose });
    await type(/^Command/, 'ls');
    await type(/^Working directory/, '/nope');
    await submit();
    const cwd = screen.getByLabelText(/^Working directory/);
    await waitFor(() => expect(cwd).toHaveAttribute('aria-invalid', 'true'));
    expect(cwd).toHaveAccessibleDescription(expect.stringMatching(/^\/nope does not exist/));
    expect(onclose).not.toHaveBeenCalled();

    reply = { ok: false, error: { code: 'start_failed', message: 'spawn ls ENOENT' } } as never;
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('spawn ls ENOENT');
    expect(cwd).not.toHaveAttribute('aria-invalid');
  });
});

describe('start errors, said at the field with the form open', () => {
  const WHOLE_LINE = 'Command is the program alone, and no program is named “python3 x.py”: to run `python3 x.py`, put `python3` in Command and `x.py` in Arguments';

  it('shows what the app found before starting under the fields it concerns, and starts nothing', async () => {
    const api = recordingApi({
      checkSpec: () => ({ ok: true, value: { problems: [{ field: 'command', message: WHOLE_LINE }, { field: 'cwd', message: 'no folder /nope: create it first' }] } }),
    });
    const onclose = vi.fn();
    render(NewProcessForm, { api, onclose });
    await type(/^Command/, 'python3 x.py');
    await type(/^Working directory/, '/nope');
    await type(/^Name/, 'trainer');
    await submit();
    const command = screen.getByLabelText(/^Command/);
    await waitFor(() => expect(command).toHaveAttribute('aria-invalid', 'true'));
    expect(command).toHaveAccessibleDescription(expect.stringContaining(WHOLE_LINE));
    expect(screen.getByLabelText(/^Working directory/)).toHaveAccessibleDescription(expect.stringContaining('no folder /nope'));
    // Nothing typed is lost, nothing started.
    expect(command).toHaveValue('python3 x.py');
    expect(screen.getByLabelText(/^Name/)).toHaveValue('trainer');
    expect(onclose).not.toHaveBeenCalled();
    expect(api.calls.map((call) => call.name)).toEqual(['checkSpec']);
  });

  it('keeps the form open with the reason when the start itself fails, and removes the failed row', async () => {
    const api = recordingApi({
      createProcess: () => ({ ok: true, value: { id: 'p3', row: { state: 'failed', error: 'Cannot start ./x: permission denied [EACCES]' } } }),
    });
    const onclose = vi.fn();
    render(NewProcessForm, { api, onclose });
    await type(/^Command/, './x');
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot start ./x: permission denied [EACCES]');
    expect(screen.getByLabelText(/^Command/)).toHaveValue('./x');
    expect(onclose).not.toHaveBeenCalled();
    expect(api.calls.map((call) => call.name)).toEqual(['checkSpec', 'createProcess', 'remove']);
  });
});
