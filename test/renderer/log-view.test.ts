import '@testing-library/svelte/vitest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import LogView from '../../renderer/components/LogView.svelte';
import type { LogLine, ReadLogsResult } from '../../main/protocol/index.js';
import { recordingApi } from './recording-api.js';

let seq = 0;
function line(text: string, stream: LogLine['stream'] = 'stdout'): LogLine {
  seq += 1;
  return { seq, stream, text, time: 0 };
}

/** An app whose log answers each readLogs with the next page, then with nothing new. */
function logApi(pages: LogLine[][], extra: Partial<ReadLogsResult> = {}) {
  let next = 0;
  let lastSeq = -1;
  return recordingApi({
    readLogs: () => {
      const lines = pages[next++] ?? [];
      if (lines.length > 0) lastSeq = lines[lines.length - 1].seq;
      return { ok: true, value: { lines, lastSeq, partial: [], droppedBytes: 0, filePath: '/data/logs/p1.log', ...extra } };
    },
  });
}

function renderLog(api: ReturnType<typeof logApi>, onclose = () => {}) {
  return render(LogView, { api, processId: 'p1', processName: 'printer', onclose });
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const lineElements = () => Array.from(document.querySelectorAll<HTMLElement>('.line'));

describe('LogView', () => {
  beforeEach(() => {
    seq = 0;
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows the line a process has not ended yet after the others, and replaces it when it ends', async () => {
    const answers: ReadLogsResult[] = [
      { lines: [line('Downloading')], lastSeq: 1, partial: [{ stream: 'stdout', text: ' 50%', time: 0 }], droppedBytes: 0, filePath: null },
      { lines: [line('Continue? y')], lastSeq: 2, partial: [], droppedBytes: 0, filePath: null },
    ];
    let next = 0;
    const api = recordingApi({ readLogs: () => ({ ok: true, value: answers[Math.min(next++, answers.length - 1)] }) });
    renderLog(api as ReturnType<typeof logApi>);
    await tick();
    expect(lineElements().map((element) => [element.textContent, element.classList.contains('partial')])).toEqual([
      ['Downloading', false],
      [' 50%', true],
    ]);
    await tick(500);
    expect(lineElements().map((element) => [element.textContent, element.classList.contains('partial')])).toEqual([
      ['Downloading', false],
      ['Continue? y', false],
    ]);
  });

  it('polls for newer lines every 500 ms and stops when closed', async () => {
    const api = logApi([[line('first')], [line('second')]]);
    const { unmount } = renderLog(api);
    await tick();
    expect(api.calls).toEqual([{ name: 'readLogs', args: { id: 'p1', limit: 5000 } }]);
    expect(screen.getByText('first')).toBeInTheDocument();

    await tick(500);
    expect(api.calls[1]).toEqual({ name: 'readLogs', args: { id: 'p1', afterSeq: 1, limit: 5000 } });
    expect(screen.getByText('second')).toBeInTheDocument();

    await tick(500);
    expect(api.calls).toHaveLength(3);
    unmount();
    await tick(5000);
    expect(api.calls).toHaveLength(3);
  });

  it('shows the log file path and the bytes the log dropped', async () => {
    renderLog(logApi([[line('x')]], { droppedBytes: 3 * 1024 * 1024 }));
    await tick();
    expect(screen.getByText('/data/logs/p1.log')).toBeInTheDocument();
    expect(screen.getByText(/3\.00 MiB of output were dropped/)).toBeInTheDocument();
  });

  it('renders ANSI colours as spans', async () => {
    renderLog(logApi([[line('\x1b[32mPASS\x1b[0m test_one')]]));
    await tick();
    const pass = screen.getByText('PASS');
    expect(pass.tagName).toBe('SPAN');
    expect(pass).toHaveClass('ansi-green-fg');
    expect(lineElements()[0]).toHaveTextContent('PASS test_one');
  });

  it('shows HTML in the output as text', async () => {
    renderLog(logApi([[line('<script>alert(1)</script><img src=x onerror=alert(2)>')]]));
    await tick();
    expect(screen.getByText('<script>alert(1)</script><img src=x onerror=alert(2)>')).toBeInTheDocument();
    expect(document.querySelector('.lines script, .lines img')).toBeNull();
  });

  it('marks stderr lines', async () => {
    renderLog(logApi([[line('to stdout'), line('Traceback (most recent call last):', 'stderr')]]));
    await tick();
    const [out, err] = lineElements();
    expect(out).toHaveAttribute('data-stream', 'stdout');
    expect(err).toHaveAttribute('data-stream', 'stderr');
    expect(err).toHaveClass('stderr');
    expect(err).toHaveTextContent(/^err/);
  });

  it('searches the whole log file through the app, lists the matches by line number, and steps through them', async () => {
    const tail = [line('INFO starting'), line('info done')];
    const api = recordingApi({
      readLogs: () => ({ ok: true, value: { lines: tail, lastSeq: 2, partial: [], droppedBytes: 0, filePath: '/data/logs/p1.log' } }),
      searchLogs: (args: { text: string }) => ({
        ok: true,
        value:
          args.text === 'info'
            ? { matches: [{ line: 12, text: 'INFO starting' }, { line: 1234, text: '\x1b[31minfo\x1b[0m done' }, { line: 4000, text: 'more info' }], matchCount: 3, linesSearched: 200_001, complete: true, filePath: '/data/logs/p1.log' }
            : { matches: [], matchCount: 0, linesSearched: 200_001, complete: true, filePath: '/data/logs/p1.log' },
      }),
    });
    renderLog(api as ReturnType<typeof logApi>);
    await tick();
    const search = screen.getByRole('searchbox', { name: 'Search output' });
    await fireEvent.input(search, { target: { value: 'info' } });
    await tick(300);
    expect(api.calls.filter((call) => call.name === 'searchLogs')).toEqual([{ name: 'searchLogs', args: { id: 'p1', text: 'info', limit: 1000 } }]);
    expect(lineElements().map((el) => [el.dataset.line, el.querySelector('.text')!.textContent])).toEqual([
      ['12', 'INFO starting'],
      ['1234', 'info done'],
      ['4000', 'more info'],
    ]);
    expect(Array.from(document.querySelectorAll('mark')).map((mark) => mark.textContent)).toEqual(['INFO', 'info', 'info']);
    // The newest match is the current one at first.
    const current = () => document.querySelector('.line.current')?.getAttribute('data-line');
    expect(current()).toBe('4000');
    expect(screen.getByText(/Match 3 of 3 in 200,001 lines of the log file/)).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    expect(current()).toBe('1234');
    await fireEvent.keyDown(search, { key: 'Enter', shiftKey: true });
    expect(current()).toBe('12');
    await fireEvent.keyDown(search, { key: 'Enter' });
    expect(current()).toBe('1234');
    await fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(current()).toBe('4000');

    await fireEvent.input(search, { target: { value: 'nothing' } });
    await tick(300);
    expect(screen.getByText(/No line of the log file contains “nothing” \(200,001 lines searched\)/)).toBeInTheDocument();

    await fireEvent.input(search, { target: { value: '' } });
    expect(lineElements().map((el) => el.textContent)).toEqual(['INFO starting', 'info done']);
  });

  it('shows when each line arrived, copies the lines in view, and clears the view', async () => {
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void written.push(text) } });
    const at = new Date(2026, 10, 22, 14, 30, 5, 123).getTime();
    const api = logApi([[{ seq: 1, stream: 'stdout', text: '\x1b[32mready\x1b[0m', time: at }, { seq: 2, stream: 'stderr', text: 'warn', time: at + 1000 }], [], [{ seq: 3, stream: 'stdout', text: 'after clear', time: at }]]);
    renderLog(api);
    await tick();
    expect(document.querySelector('.stamp')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Timestamps' }));
    expect(lineElements().map((el) => el.querySelector('.stamp')!.textContent)).toEqual(['14:30:05.123', '14:30:06.123']);

    await fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(written).toEqual(['14:30:05.123 ready\n14:30:06.123 warn']);

    await fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(lineElements()).toEqual([]);
    expect(screen.getByText(/Cleared 2 lines from the view; the log file keeps them/)).toBeInTheDocument();
    await tick(500);
    await tick(500);
    expect(lineElements().map((el) => el.querySelector('.text')!.textContent)).toEqual(['after clear']);
  });

  it('sends a line to a running process\'s stdin and shows why one was refused', async () => {
    let refuse = false;
    const api = recordingApi({
      readLogs: () => ({ ok: true, value: { lines: [], lastSeq: 0, partial: [{ stream: 'stdout', text: 'Name? ', time: 0 }], droppedBytes: 0, filePath: null } }),
      writeStdin: () => (refuse ? { ok: false, error: { code: 'conflict', message: 'id: asker is not running: only a running process reads input' } } : { ok: true, value: {} }),
    });
    render(LogView, { api, processId: 'p1', processName: 'asker', running: true, onclose: () => {} });
    await tick();
    const input = screen.getByRole('textbox', { name: 'Input' });
    await fireEvent.input(input, { target: { value: 'Ada' } });
    await fireEvent.submit(input.closest('form')!);
    await tick();
    expect(api.calls.filter((call) => call.name === 'writeStdin')).toEqual([{ name: 'writeStdin', args: { id: 'p1', text: 'Ada' } }]);
    expect(input).toHaveValue('');
    refuse = true;
    await fireEvent.input(input, { target: { value: 'again' } });
    await fireEvent.submit(input.closest('form')!);
    await tick();
    expect(screen.getByText('id: asker is not running: only a running process reads input')).toBeInTheDocument();
    expect(input).toHaveValue('again');
  });

  it('offers no input line for a process that does not run', async () => {
    renderLog(logApi([[line('done')]]));
    await tick();
    expect(screen.queryByRole('textbox', { name: 'Input' })).toBeNull();
  });

  it('keeps at most 5,000 lines, dropping the oldest, with only those in view in the DOM', async () => {
    const many = Array.from({ length: 5200 }, (_, i) => line(`line ${i}`));
    renderLog(logApi([many.slice(0, 3000), many.slice(3000)]));
    await tick();
    await tick(500);
    expect(screen.getByText(/Showing the last 5,000 of 5,200 lines; search reads the whole log file/)).toBeInTheDocument();
    // Following: the tail is in view, the thousands of lines above it are not in the DOM.
    let shown = lineElements();
    expect(shown.length).toBeLessThan(60);
    expect(shown.at(-1)).toHaveTextContent('line 5199');

    // Scrolled to the top: the oldest line kept is the 201st.
    const scroller = screen.getByRole('log');
    Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: 5000 * 18 });
    Object.defineProperty(scroller, 'clientHeight', { configurable: true, value: 400 });
    Object.defineProperty(scroller, 'scrollTop', { configurable: true, writable: true, value: 0 });
    await fireEvent.scroll(scroller);
    shown = lineElements();
    expect(shown.length).toBeLessThan(60);
    expect(shown[0]).toHaveTextContent('line 200');
    expect(screen.getByRole('button', { name: 'Follow' })).toHaveAttribute('aria-pressed', 'false');
  }, 30_000);

  it('stops following when the user scrolls up, and follows again from the button', async () => {
    renderLog(logApi([[line('a'), line('b')]]));
    await tick();
    const follow = screen.getByRole('button', { name: 'Follow' });
    expect(follow).toHaveAttribute('aria-pressed', 'true');
    const scroller = screen.getByRole('log');
    Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: 1000 });
    Object.defineProperty(scroller, 'clientHeight', { configurable: true, value: 200 });
    scroller.scrollTop = 100;
    await fireEvent.scroll(scroller);
    expect(follow).toHaveAttribute('aria-pressed', 'false');
    await fireEvent.click(follow);
    expect(follow).toHaveAttribute('aria-pressed', 'true');
  });

  it('shows an app error and stops polling a process that is gone', async () => {
    const api = recordingApi({ readLogs: () => ({ ok: false, error: { code: 'not_found', message: 'no process with id p1' } }) });
    renderLog(api as ReturnType<typeof logApi>);
    await tick();
    expect(screen.getByRole('status')).toHaveTextContent('no process with id p1');
    await tick(2000);
    expect(api.calls).toHaveLength(1);
  });

  it('closes from its Close button', async () => {
    const onclose = vi.fn();
    renderLog(logApi([]), onclose);
    await tick();
    expect(screen.getByText('No output yet.')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onclose).toHaveBeenCalledOnce();
  });
});
