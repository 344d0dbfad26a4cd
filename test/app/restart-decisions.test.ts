// The restart policy's decisions as pure functions: which exits restart, after which wait, when to give up.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_BACKOFF,
  RestartTimers,
  backoffDelayMs,
  decideAfterExit,
  erroredMessage,
  restartSettings,
  stderrTail,
  type ExitFacts,
} from '../../main/app/restart-policy.js';

const quickFailure: ExitFacts = { exitcode: 3, ranMs: 50, endRequested: false, quickRestarts: 0 };
const onFailure = restartSettings({ restart: 'on-failure' });

describe('restart decisions', () => {
  it('defaults to no restart, 5 restarts, stable after 10 s, backoff from 1 s to 60 s', () => {
    expect(restartSettings({})).toEqual({ restart: 'no', maxRestarts: 5, stableAfterMs: 10_000 });
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1000, maxMs: 60_000 });
  });

  it('doubles the wait with each quick restart in a row, up to the maximum', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelayMs(attempt, DEFAULT_BACKOFF));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it("'no' never restarts; 'on-failure' restarts a non-zero exit or a signal, not exit 0; 'always' restarts exit 0", () => {
    expect(decideAfterExit(restartSettings({ restart: 'no' }), quickFailure, DEFAULT_BACKOFF)).toEqual({ action: 'stay' });
    expect(decideAfterExit(onFailure, { ...quickFailure, exitcode: 0 }, DEFAULT_BACKOFF)).toEqual({ action: 'stay' });
    expect(decideAfterExit(onFailure, quickFailure, DEFAULT_BACKOFF)).toEqual({ action: 'restart', attempt: 1, delayMs: 1000 });
    expect(decideAfterExit(onFailure, { ...quickFailure, exitcode: -9 }, DEFAULT_BACKOFF)).toMatchObject({ action: 'restart' });
    expect(decideAfterExit(restartSettings({ restart: 'always' }), { ...quickFailure, exitcode: 0 }, DEFAULT_BACKOFF)).toMatchObject({ action: 'restart' });
  });

  it('never restarts an end somebody asked for, whatever the policy', () => {
    const asked = { ...quickFailure, exitcode: -15, endRequested: true };
    expect(decideAfterExit(restartSettings({ restart: 'always' }), asked, DEFAULT_BACKOFF)).toEqual({ action: 'stay' });
  });

  it('gives up after maxRestarts quick restarts in a row', () => {
    const settings = restartSettings({ restart: 'on-failure', maxRestarts: 2 });
    expect(decideAfterExit(settings, { ...quickFailure, quickRestarts: 1 }, DEFAULT_BACKOFF)).toEqual({ action: 'restart', attempt: 2, delayMs: 2000 });
    expect(decideAfterExit(settings, { ...quickFailure, quickRestarts: 2 }, DEFAULT_BACKOFF)).toEqual({ action: 'give-up', quickRestarts: 2 });
    expect(decideAfterExit({ ...settings, maxRestarts: 0 }, quickFailure, DEFAULT_BACKOFF)).toMatchObject({ action: 'give-up' });
  });

  it('a run of stableAfterMs or longer starts the count again, with the shortest wait', () => {
    const settings = restartSettings({ restart: 'on-failure', maxRestarts: 2, stableAfterMs: 1000 });
    expect(decideAfterExit(settings, { ...quickFailure, ranMs: 1000, quickRestarts: 2 }, DEFAULT_BACKOFF)).toEqual({ action: 'restart', attempt: 1, delayMs: 1000 });
  });

  it("quotes the run's last stderr lines, not an earlier run's nor stdout", () => {
    const lines = [
      { stream: 'stderr', text: 'old run', time: 1 },
      { stream: 'stderr', text: 'boom', time: 10 },
      { stream: 'stdout', text: 'hello', time: 11 },
      { stream: 'system', text: 'exited with 3', time: 12 },
    ];
    expect(stderrTail(lines, 10)).toEqual(['boom']);
    const message = erroredMessage(restartSettings({ restart: 'on-failure', maxRestarts: 3 }), 3, ['boom']);
    expect(message).toMatch(/gave up after 3 restarts .* less than 10 s \(stableAfterMs\): the last run exited with code 3; its stderr ended with:\nboom/);
  });
});

describe('RestartTimers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a scheduled restart once, unless cancelled; once closed it cancels all and refuses more', () => {
    vi.useFakeTimers();
    const timers = new RestartTimers();
    const ran: string[] = [];
    timers.schedule('p1', 100, () => ran.push('p1'));
    timers.schedule('p2', 100, () => ran.push('p2'));
    expect(timers.cancel('p2')).toBe(true);
    vi.advanceTimersByTime(100);
    expect(ran).toEqual(['p1']);
    timers.schedule('p3', 100, () => ran.push('p3'));
    expect(timers.close()).toEqual(['p3']);
    expect(timers.schedule('p4', 100, () => ran.push('p4'))).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(ran).toEqual(['p1']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
