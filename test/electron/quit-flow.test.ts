import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcessRow } from '../../main/protocol/rows.js';
import type { AppEvent } from '../../main/protocol/events.js';
import { quitElectron } from './fake-electron.js';
import { runningRow } from './rows.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).quitElectron);

const { installQuitFlow } = await import('../../main/electron/quit.js');

/** A backend whose running jobs the test controls. */
function fakeBackend(initial: ProcessRow[]) {
  let running = initial;
  const listeners = new Set<(event: AppEvent) => void>();
  const calls: string[] = [];
  const backend = {
    handlers: {},
    events: {
      subscribe(listener: (event: AppEvent) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    runningNonDaemon: () => running,
    shutdown: vi.fn(async ({ terminateAll }: { terminateAll: boolean }) => {
      calls.push(`shutdown(terminateAll=${terminateAll})`);
      if (terminateAll) running = [];
      return { stillRunning: running };
    }),
    dispose: vi.fn(async () => {
      calls.push('dispose');
    }),
  };
  const finish = () => {
    running = [];
    for (const listener of listeners) listener({ type: 'delta' } as AppEvent);
  };
  return { backend, calls, listeners, finish, setRunning: (rows: ProcessRow[]) => (running = rows) };
}

function install(initial: ProcessRow[]) {
  const b = fakeBackend(initial);
  const showWindow = vi.fn();
  const flow = installQuitFlow({
    backend: b.backend as never,
    getWindow: () => null,
    showWindow,
    log: () => {},
  });
  return { ...b, flow, showWindow };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the quit flow', () => {
  beforeEach(() => {
    quitElectron.reset();
  });

  it('with no non-daemon job: ends daemons with the ladder, disposes, then really quits', async () => {
    const t = install([]);
    quitElectron.app.quit();
    await settle();
    expect(quitElectron.dialog.shown).toBe(0);
    expect(t.calls).toEqual(['shutdown(terminateAll=false)', 'dispose']);
    expect(t.flow.approved).toBe(true);
    expect(quitElectron.app.quitCalls).toBe(2);
  });

  it('Terminate: ends every job, then quits', async () => {
    const t = install([runningRow()]);
    quitElectron.dialog.answers = [1];
    quitElectron.app.quit();
    await settle();
    expect(quitElectron.dialog.shown).toBe(1);
    expect(t.calls).toEqual(['shutdown(terminateAll=true)', 'dispose']);
    expect(t.flow.approved).toBe(true);
  });

  it('Cancel: nothing is stopped and the app keeps running', async () => {
    const t = install([runningRow()]);
    quitElectron.dialog.answers = [2];
    quitElectron.app.quit();
    await settle();
    expect(t.calls).toEqual([]);
    expect(t.flow.approved).toBe(false);
    expect(quitElectron.app.quitCalls).toBe(1);
  });

  it('Wait: shows the window, and quits (ending daemons) once the jobs have exited', async () => {
    const t = install([runningRow()]);
    quitElectron.dialog.answers = [0];
    quitElectron.app.quit();
    await settle();
    expect(t.showWindow).toHaveBeenCalled();
    expect(t.calls).toEqual([]);
    expect(t.flow.approved).toBe(false);
    t.finish();
    await settle();
    expect(t.calls).toEqual(['shutdown(terminateAll=false)', 'dispose']);
    expect(t.flow.approved).toBe(true);
    expect(t.listeners.size).toBe(0);
  });

  it('quitting again while waiting asks again, and Terminate ends the wait', async () => {
    const t = install([runningRow()]);
    quitElectron.dialog.answers = [0, 1];
    quitElectron.app.quit();
    await settle();
    quitElectron.app.quit();
    await settle();
    expect(quitElectron.dialog.shown).toBe(2);
    expect(t.calls).toEqual(['shutdown(terminateAll=true)', 'dispose']);
    expect(t.listeners.size).toBe(0);
  });

  it('asks again when a non-daemon job appeared while daemons were ending', async () => {
    const t = install([]);
    t.backend.shutdown.mockImplementationOnce(async () => {
      t.calls.push('shutdown(terminateAll=false)');
      t.setRunning([runningRow()]);
      return { stillRunning: [runningRow()] };
    });
    quitElectron.dialog.answers = [1];
    quitElectron.app.quit();
    await settle();
    expect(quitElectron.dialog.shown).toBe(1);
    expect(t.calls).toEqual(['shutdown(terminateAll=false)', 'shutdown(terminateAll=true)', 'dispose']);
  });

  it('a signal terminates every job without asking', async () => {
    const t = install([runningRow()]);
    t.flow.terminateAndQuit();
    await settle();
    expect(quitElectron.dialog.shown).toBe(0);
    expect(t.calls).toEqual(['shutdown(terminateAll=true)', 'dispose']);
    expect(t.flow.approved).toBe(true);
  });
});
