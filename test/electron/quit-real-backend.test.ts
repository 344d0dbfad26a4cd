// The quit flow (main/electron/quit.ts) over the real app backend and real processes: whichever way the
// user quits, no job, grandchild included, outlives the app. Only Electron's app object and dialog are
// stood in for (the binary cannot run here); the backend, the supervisor and the processes are real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppBackend, type AppBackend } from '../../main/app/backend.js';
import { isRunning, waitUntilGone } from '../e2e/harness.js';
import { until } from '../helpers/until.js';
import { quitElectron } from './fake-electron.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/electron/quit-real-backend.test.ts', 'its jobs are sh -c scripts with a sleep grandchild');

vi.mock('electron', async () => (await import('./fake-electron.js')).quitElectron);

const { installQuitFlow } = await import('../../main/electron/quit.js');

const workersDir = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
/** Short, so the SIGKILL step of the ladder comes quickly for a job that ignores SIGTERM. */
const GRACE_MS = 300;

/** A shell that starts a grandchild, prints its pid, and waits for it. */
const WITH_GRANDCHILD = 'sleep 300 & echo "grandchild $!"; wait';
/** The same, ignoring SIGTERM (the grandchild inherits that), so only the ladder's SIGKILL ends them. */
const IGNORING_SIGTERM = `trap '' TERM; ${WITH_GRANDCHILD}`;

interface Job {
  id: string;
  /** The job's own pid and its grandchild's. */
  pids: number[];
}

let dataDir: string;
let backend: AppBackend;
let disposed: boolean;
/** Quits the flow let through. */
let exits: number;
const started: number[] = [];

beforeEach(() => {
  quitElectron.reset();
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-quit-'));
  backend = createAppBackend({ dataDir, workersDir, sampleIntervalMs: 100, deltaIntervalMs: 20, graceMs: GRACE_MS });
  disposed = false;
  exits = 0;
  started.length = 0;
});

afterEach(async () => {
  if (!disposed) {
    await backend.shutdown({ terminateAll: true, graceMs: GRACE_MS });
    await backend.dispose();
  }
  // Whatever a failed test left behind: only the pids this test started.
  for (const pid of started.filter(isRunning)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function installFlow() {
  const showWindow = vi.fn();
  const realDispose = backend.dispose.bind(backend);
  backend.dispose = async () => {
    disposed = true;
    await realDispose();
  };
  const flow = installQuitFlow({ backend, getWindow: () => null, showWindow, log: () => {} });
  // Added after the flow's listener, so it sees whether the flow held this quit or let it through.
  quitElectron.app.on('before-quit', (event: { defaultPrevented: boolean }) => {
    if (!event.defaultPrevented) exits += 1;
  });
  return { flow, showWindow };
}

async function startJob(script: string, daemon: boolean): Promise<Job> {
  const { id, row } = await backend.handlers.createProcess({ command: 'sh', args: ['-c', script], daemon });
  const pid = row.pid!;
  started.push(pid);
  const grandchild = await until(async () => {
    const { lines } = await backend.handlers.readLogs({ id });
    const line = lines.find((entry) => entry.text.startsWith('grandchild '));
    return line ? Number(line.text.slice('grandchild '.length)) : null;
  }, `job ${id} to print its grandchild's pid`);
  started.push(grandchild);
  expect(isRunning(grandchild)).toBe(true);
  return { id, pids: [pid, grandchild] };
}

/** The flow let a quit through: Electron would now close the windows and exit. */
const appExited = () => until(() => exits === 1, 'the quit flow to let the app exit');

async function survivorsOf(...jobs: Job[]): Promise<number[]> {
  return waitUntilGone(jobs.flatMap((job) => job.pids), 5_000);
}

describe.skipIf(skipHere)('quitting the desktop app over the real backend', () => {
  it('with only daemon jobs: ends them and their grandchildren without asking, then exits', async () => {
    const { flow } = installFlow();
    const daemon = await startJob(WITH_GRANDCHILD, true);
    const stubborn = await startJob(IGNORING_SIGTERM, true);
    quitElectron.app.quit();
    await appExited();
    expect(quitElectron.dialog.shown).toBe(0);
    expect(flow.approved).toBe(true);
    expect(disposed).toBe(true);
    expect(await survivorsOf(daemon, stubborn)).toEqual([]);
  });

  it('Terminate: ends the running non-daemon jobs too, SIGTERM-proof ones by the ladder, then exits', async () => {
    installFlow();
    const job = await startJob(WITH_GRANDCHILD, false);
    const stubborn = await startJob(IGNORING_SIGTERM, false);
    const daemon = await startJob(WITH_GRANDCHILD, true);
    quitElectron.dialog.answers = [1];
    quitElectron.app.quit();
    await appExited();
    expect(quitElectron.dialog.shown).toBe(1);
    expect(await survivorsOf(job, stubborn, daemon)).toEqual([]);
  });

  it('Cancel: every job keeps running and the app stays; a later signal still ends them all', async () => {
    const { flow } = installFlow();
    const job = await startJob(WITH_GRANDCHILD, false);
    const daemon = await startJob(WITH_GRANDCHILD, true);
    quitElectron.dialog.answers = [2];
    quitElectron.app.quit();
    await until(() => quitElectron.dialog.shown === 1, 'the quit dialog');
    await new Promise((resolve) => setImmediate(resolve));
    expect(flow.approved).toBe(false);
    expect(exits).toBe(0);
    expect([...job.pids, ...daemon.pids].every(isRunning)).toBe(true);

    flow.terminateAndQuit();
    await appExited();
    expect(await survivorsOf(job, daemon)).toEqual([]);
  });

  it('Wait: stays open while the job runs, and once it has exited ends the daemons and exits', async () => {
    const { flow, showWindow } = installFlow();
    const job = await startJob(WITH_GRANDCHILD, false);
    const daemon = await startJob(WITH_GRANDCHILD, true);
    quitElectron.dialog.answers = [0];
    quitElectron.app.quit();
    await until(() => quitElectron.dialog.shown === 1 && showWindow.mock.calls.length >= 2, 'the quit dialog and the waiting window');
    expect(flow.approved).toBe(false);
    expect(daemon.pids.every(isRunning)).toBe(true);

    // The job ends on its own terms (here: the user terminates its row in the window).
    await backend.handlers.terminate({ id: job.id });
    await appExited();
    expect(quitElectron.dialog.shown).toBe(1);
    expect(await survivorsOf(job, daemon)).toEqual([]);
  });

  it('a signal (SIGTERM to the app) ends every job without asking', async () => {
    const { flow } = installFlow();
    const job = await startJob(IGNORING_SIGTERM, false);
    const daemon = await startJob(WITH_GRANDCHILD, true);
    flow.terminateAndQuit();
    await appExited();
    expect(quitElectron.dialog.shown).toBe(0);
    expect(await survivorsOf(job, daemon)).toEqual([]);
  });
});
