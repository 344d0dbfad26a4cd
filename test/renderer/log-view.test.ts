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

  it('filters lines by a case-insensitive search and highlights the match', async () => {
    renderLog(logApi([[line('INFO starting'), line('\x1b[31mERROR\x1b[0m disk full', 'stderr'), line('info done'), line('a.*b')]]));
    await tick();
    const search = screen.getByRole('searchbox', { name: 'Search output' });

    await fireEvent.input(search, { target: { value: 'info' } });
    expect(lineElements().map((el) => el.querySelector('.text')!.textContent)).toEqual(['INFO starting', 'info done']);
    expect(Array.from(document.querySelectorAll('mark')).map((mark) => mark.textContent)).toEqual(['INFO', 'info']);
    expect(screen.getByText(/2 of 4 lines match/)).toBeInTheDocument();

    // Matched against the text people read, not the escape codes; and never as a pattern.
    await fireEvent.input(search, { target: { value: 'error disk' } });
    expect(lineElements()).toHaveLength(1);
    await fireEvent.input(search, { target: { value: '.*' } });
    expect(lineElements().map((el) => el.textContent)).toEqual(['a.*b']);

    await fireEvent.input(search, { target: { value: '' } });
    expect(lineElements()).toHaveLength(4);
  });

  it('keeps at most 5,000 lines, dropping the oldest, with only those in view in the DOM', async () => {
    const many = Array.from({ length: 5200 }, (_, i) => line(`line ${i}`));
    renderLog(logApi([many.slice(0, 3000), many.slice(3000)]));
    await tick();
    await tick(500);
    expect(screen.getByText(/200 earlier lines are only in the log file/)).toBeInTheDocument();
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
