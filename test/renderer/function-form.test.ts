import '@testing-library/svelte/vitest';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import NewProcessForm from '../../renderer/components/NewProcessForm.svelte';
import NewPoolForm from '../../renderer/components/NewPoolForm.svelte';
import type { CommandOutcome, TargetList } from '../../main/protocol/index.js';
import { parseJsonList, parseJsonObject } from '../../renderer/lib/json-input.js';
import { recordingApi } from './recording-api.js';

// The Function mode of the New forms: the file, the helper's list of its functions and classes, and
// the JSON arguments, each with its errors at its field.

const TASKS_PY: TargetList = {
  file: 'tasks.py',
  language: 'python',
  targets: [
    { name: 'square', kind: 'function', signature: '(x, scale=1)', doc: 'Return x squared, times scale.' },
    { name: 'init', kind: 'function', signature: '(path)', doc: null },
    { name: 'Ticker', kind: 'class', signature: '(interval)', doc: 'Print a tick every interval seconds.' },
  ],
};

const listed = (): CommandOutcome<TargetList> => ({ ok: true, value: TASKS_PY });

async function type(label: RegExp, value: string) {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

async function toFunctionMode() {
  await fireEvent.click(screen.getByRole('radio', { name: 'Run a function' }));
}

/** Types the file and waits for the helper's list. */
async function giveFile(file: string) {
  await type(/^File/, file);
  return waitFor(() => screen.getByRole('group', { name: 'Function' }).querySelector('input[type="radio"]') ?? Promise.reject(new Error('no list yet')));
}

function functionList() {
  return within(screen.getByRole('group', { name: 'Function' }));
}

describe('the Function mode of New process', () => {
  it('swaps the command for a file and lists its functions and classes, each with its kind, signature and doc line', async () => {
    const api = recordingApi({ listTargets: listed });
    render(NewProcessForm, { api, onclose: () => {} });
    expect(screen.getByRole('radio', { name: 'Run a command' })).toBeChecked();
    await toFunctionMode();
    expect(screen.queryByLabelText(/^Command/)).toBeNull();
    expect(screen.getByLabelText(/^File/)).toBeInTheDocument();
    // A browser has no file dialog: the path field alone.
    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull();
    expect(functionList().getByText(/Give a file/)).toBeInTheDocument();

    await type(/^Working directory/, '/work/demo');
    await giveFile('tasks.py');
    expect(api.calls.filter((call) => call.name === 'listTargets').at(-1)?.args).toEqual({ file: 'tasks.py', cwd: '/work/demo' });
    const options = functionList().getAllByRole('radio');
    expect(options.map((option) => option.closest('label')?.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'square(x, scale=1) function Return x squared, times scale.',
      'init(path) function',
      'Ticker(interval) class Print a tick every interval seconds.',
    ]);
  });

  it('shows the helper’s error at the file field', async () => {
    const api = recordingApi({
      listTargets: () => ({ ok: false, error: { code: 'invalid', message: 'tasks.py line 3: SyntaxError: invalid syntax', field: 'file' } }),
    });
    render(NewProcessForm, { api, onclose: () => {} });
    await toFunctionMode();
    await type(/^File/, 'tasks.py');
    const file = screen.getByLabelText(/^File/);
    await waitFor(() => expect(file).toHaveAttribute('aria-invalid', 'true'));
    expect(file).toHaveAccessibleDescription(expect.stringContaining('tasks.py line 3: SyntaxError: invalid syntax'));
  });

  it('sends target FILE:ATTR as typed, with args and kwargs parsed from JSON', async () => {
    const api = recordingApi({ listTargets: listed, createProcess: () => ({ ok: true, value: { id: 'p9', row: {} } }) });
    const oncreated = vi.fn();
    render(NewProcessForm, { api, onclose: () => {}, oncreated });
    await toFunctionMode();
    await giveFile('  tasks.py ');
    await fireEvent.click(functionList().getByRole('radio', { name: /^square/ }));
    await type(/^Arguments/, '[7]');
    await type(/^Keyword arguments/, '{"scale": 2}');
    await type(/^Name/, 'square-7');
    await fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
    await waitFor(() => expect(oncreated).toHaveBeenCalledWith('p9'));
    expect(api.calls.find((call) => call.name === 'createProcess')?.args).toEqual({
      target: 'tasks.py:square',
      args: [7],
      kwargs: { scale: 2 },
      name: 'square-7',
      daemon: false,
    });
  });

  it('says what is wrong with the JSON at its field and sends nothing', async () => {
    const api = recordingApi({ listTargets: listed });
    render(NewProcessForm, { api, onclose: () => {} });
    await toFunctionMode();
    await giveFile('tasks.py');
    await fireEvent.click(functionList().getByRole('radio', { name: /^square/ }));
    await type(/^Arguments/, '{"x": 1}');
    await type(/^Keyword arguments/, '{scale: 2}');
    await fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
    const args = screen.getByLabelText(/^Arguments/);
    await waitFor(() => expect(args).toHaveAttribute('aria-invalid', 'true'));
    expect(args).toHaveAccessibleDescription(expect.stringContaining('args must be a JSON array, e.g. [1, "a"]; this is an object'));
    expect(screen.getByLabelText(/^Keyword arguments/)).toHaveAccessibleDescription(expect.stringContaining('kwargs is not valid JSON'));
    expect(args).toHaveFocus();
    expect(api.calls.map((call) => call.name)).not.toContain('createProcess');
  });

  it('asks for the file, then for the function, at their own places', async () => {
    const api = recordingApi({ listTargets: listed });
    render(NewProcessForm, { api, onclose: () => {} });
    await toFunctionMode();
    await fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
    await waitFor(() => expect(screen.getByLabelText(/^File/)).toHaveAccessibleDescription(expect.stringContaining('file is required')));
    // The schema's "give exactly one of command and target" would only repeat it.
    expect(screen.queryByRole('alert')).toBeNull();

    await giveFile('tasks.py');
    await fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
    await waitFor(() => expect(screen.getByRole('group', { name: 'Function' })).toHaveAccessibleDescription('pick the function or class to run from the list'));
    expect(api.calls.map((call) => call.name)).not.toContain('createProcess');
  });

  it('offers Browse… when the desktop has a file dialog, and lists the file picked', async () => {
    const api = recordingApi({ listTargets: listed });
    const pickFile = vi.fn(async () => '/home/me/tasks.py');
    render(NewProcessForm, { api, onclose: () => {}, pickFile });
    await toFunctionMode();
    await fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    expect(pickFile).toHaveBeenCalledOnce();
    await waitFor(() => expect(screen.getByLabelText(/^File/)).toHaveValue('/home/me/tasks.py'));
    await waitFor(() => expect(functionList().getAllByRole('radio')).toHaveLength(3));
    expect(api.calls.find((call) => call.name === 'listTargets')?.args).toEqual({ file: '/home/me/tasks.py' });
  });

  it('drops a pick the newly listed file does not have', async () => {
    let answer = TASKS_PY;
    const api = recordingApi({ listTargets: () => ({ ok: true, value: answer }) });
    render(NewProcessForm, { api, onclose: () => {} });
    await toFunctionMode();
    await giveFile('tasks.py');
    await fireEvent.click(functionList().getByRole('radio', { name: /^Ticker/ }));
    answer = { file: 'other.py', language: 'python', targets: [{ name: 'main', kind: 'function', signature: '()', doc: null }] };
    await type(/^File/, 'other.py');
    await waitFor(() => expect(functionList().getAllByRole('radio')).toHaveLength(1));
    expect(functionList().getByRole('radio', { name: /^main/ })).not.toBeChecked();
    await fireEvent.click(screen.getByRole('button', { name: 'Start process' }));
    await waitFor(() => expect(screen.getByRole('group', { name: 'Function' })).toHaveAccessibleDescription('pick the function or class to run from the list'));
  });
});

describe('the Function mode of New pool', () => {
  it('has no exec mode, picks the initializer from the same list, and sends target, initializer and initargs', async () => {
    const api = recordingApi({ listTargets: listed, createPool: () => ({ ok: true, value: { id: 'pool-3', row: {} } }) });
    const oncreated = vi.fn();
    render(NewPoolForm, { api, onclose: () => {}, oncreated });
    expect(screen.getByRole('radio', { name: /^Exec/ })).toBeInTheDocument();
    await toFunctionMode();
    expect(screen.queryByRole('radio', { name: /^Exec/ })).toBeNull();
    const initializer = screen.getByLabelText(/^Initializer\s*optional$/);
    expect(initializer).toBeDisabled();

    await giveFile('tasks.py');
    await fireEvent.click(functionList().getByRole('radio', { name: /^square/ }));
    // Only functions can be an initializer; the class is not offered.
    expect(within(initializer).getAllByRole('option').map((option) => option.textContent)).toEqual(['None', 'square', 'init']);
    await fireEvent.change(initializer, { target: { value: 'init' } });
    await type(/^Initializer arguments/, '["config.toml"]');
    await type(/^Pool size/, '3');
    await type(/^Tasks per worker/, '10');
    await type(/^Tasks\s*optional$/, '1..3');
    await fireEvent.click(screen.getByRole('button', { name: 'Create pool' }));
    await waitFor(() => expect(oncreated).toHaveBeenCalledWith('pool-3'));
    expect(api.calls.find((call) => call.name === 'createPool')?.args).toEqual({
      processes: 3,
      target: 'tasks.py:square',
      initializer: 'tasks.py:init',
      initargs: ['config.toml'],
      maxTasksPerChild: 10,
      tasks: [[1], [2], [3]],
      daemon: true,
    });
  });

  it('shows bad initargs at their field', async () => {
    const api = recordingApi({ listTargets: listed });
    render(NewPoolForm, { api, onclose: () => {} });
    await toFunctionMode();
    await giveFile('tasks.py');
    await fireEvent.click(functionList().getByRole('radio', { name: /^square/ }));
    await type(/^Initializer arguments/, '"config.toml"');
    await fireEvent.click(screen.getByRole('button', { name: 'Create pool' }));
    await waitFor(() =>
      expect(screen.getByLabelText(/^Initializer arguments/)).toHaveAccessibleDescription(
        expect.stringContaining('initargs must be a JSON array, e.g. [1, "a"]; this is a string'),
      ),
    );
    expect(api.calls.map((call) => call.name)).not.toContain('createPool');
  });
});

describe('the JSON fields', () => {
  it('take empty text as not given, and name the field and the kind of value otherwise', () => {
    expect(parseJsonList('  ', 'args')).toEqual({ ok: true, value: undefined });
    expect(parseJsonList('[1, "a", null]', 'args')).toEqual({ ok: true, value: [1, 'a', null] });
    expect(parseJsonList('null', 'args')).toEqual({ ok: false, message: 'args must be a JSON array, e.g. [1, "a"]; this is null' });
    expect(parseJsonObject('{"a": [1]}', 'kwargs')).toEqual({ ok: true, value: { a: [1] } });
    expect(parseJsonObject('[1]', 'kwargs')).toEqual({ ok: false, message: 'kwargs must be a JSON object, e.g. {"verbose": true}; this is an array' });
    const broken = parseJsonList('[1,', 'args');
    expect(broken.ok || broken.message).toMatch(/^args is not valid JSON \(/);
  });
});
