import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendSignal } from '../../main/app/send-signal.js';
import { Supervisor } from '../../main/app/supervisor.js';
import type { Process } from '../../main/core/process.js';
import type { ProcessRow } from '../../main/protocol/index.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { stateOf } from '../helpers/proc-state.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

// A process the user stopped from the signal menu (htop's F9) reads "stopped" in its row, as htop's T,
// until SIGCONT: the sampling tick reads the leader's kernel state. A real `sleep`, a real sampler.

const skipHere = skipUnless(hasProcfs, 'test/app/stopped-state.test.ts', 'only Linux reports a stopped process (from /proc/<pid>/stat)');

describe.skipIf(skipHere)('a stopped process in the snapshot', () => {
  let dataDir = '';
  let supervisor: Supervisor;
  const started: Process[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-stopped-'));
    // Ticking fast, so that "within a tick" is short; nothing here depends on the interval.
    supervisor = new Supervisor({ dataDir, sampleIntervalMs: 50, graceMs: 500, orphanWatchdog: false });
  });
  afterEach(async () => {
    // SIGKILL reaches a stopped process (a SIGTERM would wait for a SIGCONT).
    await killAndClose(started);
    await supervisor.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rowOf = (id: string): ProcessRow | undefined => supervisor.snapshot().processes.find((row) => row.id === id);

  it('reports a SIGSTOPped sleep as suspended within a tick, and running again after SIGCONT', async () => {
    const { id, pid } = await supervisor.createProcess({ command: 'sleep', args: ['30'] });
    started.push(supervisor.processOf(id));
    await until(() => rowOf(id)?.cpu !== null, 'the first sample of the sleep');
    expect(rowOf(id)).toMatchObject({ state: 'running', suspended: false });

    sendSignal(supervisor, id, 'SIGSTOP');
    await until(() => stateOf(pid!) === 'T', 'the kernel to stop the sleep');
    const stopped = await until(() => (rowOf(id)?.suspended ? rowOf(id) : null), 'the row to say the sleep is stopped');
    expect(stopped).toMatchObject({ state: 'running', isAlive: true, pid });

    sendSignal(supervisor, id, 'SIGCONT');
    await until(() => rowOf(id)?.suspended === false, 'the row to say the sleep runs again');
    expect(stateOf(pid!)).toBe('S');
    expect(rowOf(id)?.state).toBe('running');
  });

  it('clears suspended when a stopped process ends', async () => {
    const { id, pid } = await supervisor.createProcess({ command: 'sleep', args: ['30'] });
    started.push(supervisor.processOf(id));
    sendSignal(supervisor, id, 'SIGSTOP');
    await until(() => rowOf(id)?.suspended === true, 'the row to say the sleep is stopped');
    process.kill(pid!, 'SIGKILL');
    await supervisor.processOf(id).join();
    expect(rowOf(id)).toMatchObject({ state: 'exited', suspended: false, exitcode: -9 });
  });
});
