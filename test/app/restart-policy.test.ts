// Restart policies over real processes: which exits restart, the growing waits, errored after
// maxRestarts quick failures, a user's stop never restarted, a stable run resetting the count, and
// quitting cancelling what was pending. Small backoffs keep the tests short; the rules are the same.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../../main/app/supervisor.js';
import type { ProcessRow } from '../../main/protocol/rows.js';
import type { ProcessSpec } from '../../main/protocol/schemas.js';
import { readProcStat } from '../../main/core/proc-stat.js';
import { until } from '../helpers/until.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/restart-policy.test.ts', 'its jobs are sh -c scripts and sleep');

const BACKOFF = { baseMs: 100, maxMs: 400 };

let supervisor: Supervisor;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-restart-'));
  supervisor = new Supervisor({ dataDir, sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false, restartBackoff: BACKOFF });
});

afterEach(async () => {
  await supervisor.shutdown({ terminateAll: true, graceMs: 500 });
  await supervisor.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

function row(id: string): ProcessRow {
  return supervisor.snapshot().processes.find((candidate) => candidate.id === id)!;
}

/** Every distinct start time the row shows, in order, as the supervisor reports changes. */
function recordStarts(id: string): number[] {
  const starts: number[] = [];
  supervisor.on('change', () => {
    const startedAt = supervisor.snapshot().processes.find((candidate) => candidate.id === id)?.startedAt ?? null;
    if (startedAt !== null && starts[starts.length - 1] !== startedAt) starts.push(startedAt);
  });
  return starts;
}

async function create(spec: ProcessSpec): Promise<ProcessRow> {
  return supervisor.createProcess(spec);
}

describe.skipIf(skipHere)('restart policies', () => {
  it("'on-failure' restarts a failing process with doubling waits, then errors with the last exit code and stderr", async () => {
    const created = await create({ command: 'sh', args: ['-c', 'echo "cannot open config" >&2; exit 3'], restart: 'on-failure', maxRestarts: 3 });
    const starts = recordStarts(created.id);
    const errored = await until(() => (row(created.id).state === 'errored' ? row(created.id) : null), 'the row to go to errored');
    expect(errored).toMatchObject({ restarts: 3, exitcode: 3, previousExitcodes: [3, 3, 3], nextRestartAt: null, isAlive: false });
    expect(errored.error).toMatch(/gave up after 3 restarts in a row .*exited with code 3; its stderr ended with:\ncannot open config/);
    // The first start came before the recorder listened; the three restarts are recorded.
    const gaps = [created.startedAt!, ...starts.filter((startedAt) => startedAt !== created.startedAt)].map((startedAt, index, all) => startedAt - (all[index - 1] ?? startedAt)).slice(1);
    expect(gaps).toHaveLength(3);
    // Each gap holds at least its wait (100, 200, 400 ms); timers may fire a millisecond early.
    gaps.forEach((gap, index) => expect(gap).toBeGreaterThanOrEqual(BACKOFF.baseMs * 2 ** index - 1));
    expect(supervisor.readLogs(created.id).lines.map((line) => line.text)).toContain('restart 3 of at most 3 in a row (restart: on-failure) in 400 ms');
  });

  it('shows the countdown to the next attempt on the row while it waits', async () => {
    const slow = new Supervisor({ dataDir, sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false, restartBackoff: { baseMs: 60_000, maxMs: 60_000 } });
    try {
      const created = await slow.createProcess({ command: 'sh', args: ['-c', 'exit 1'], restart: 'on-failure' });
      const waiting = await until(() => slow.snapshot().processes.find((candidate) => candidate.id === created.id && candidate.nextRestartAt !== null), 'a pending restart');
      expect(waiting.state).toBe('exited');
      expect(waiting.nextRestartAt! - waiting.endedAt!).toBeGreaterThanOrEqual(60_000);
      // The user's Terminate on a waiting row cancels the restart.
      slow.terminate(created.id);
      expect(slow.snapshot().processes.find((candidate) => candidate.id === created.id)?.nextRestartAt).toBeNull();
    } finally {
      await slow.shutdown({ terminateAll: true });
      await slow.dispose();
    }
  });

  it("'always' restarts a process that exits 0; 'no' and 'on-failure' leave it exited", async () => {
    const always = await create({ command: 'sh', args: ['-c', 'exit 0'], restart: 'always', maxRestarts: 2 });
    const never = await create({ command: 'sh', args: ['-c', 'exit 1'], restart: 'no' });
    const onFailure = await create({ command: 'sh', args: ['-c', 'exit 0'], restart: 'on-failure' });
    await until(() => row(always.id).state === 'errored', "the 'always' row to restart twice and give up");
    expect(row(always.id)).toMatchObject({ restarts: 2, previousExitcodes: [0, 0], exitcode: 0 });
    for (const id of [never.id, onFailure.id]) expect(row(id)).toMatchObject({ state: 'exited', restarts: 0, nextRestartAt: null });
  });

  it('never restarts a process the user terminated, killed or stopped', async () => {
    const spec: ProcessSpec = { command: 'sleep', args: ['30'], restart: 'always' };
    const [terminated, killed, stopped] = [await create(spec), await create(spec), await create(spec)];
    supervisor.terminate(terminated.id);
    supervisor.kill(killed.id);
    await supervisor.stop(stopped.id);
    await until(() => [terminated, killed, stopped].every(({ id }) => row(id).state === 'exited'), 'the three to end');
    // Past any wait a restart would have had (BACKOFF.baseMs): a restart would have started by now.
    await new Promise((resolve) => setTimeout(resolve, BACKOFF.baseMs * 3));
    for (const { id } of [terminated, killed, stopped]) expect(row(id)).toMatchObject({ state: 'exited', restarts: 0, nextRestartAt: null });
    expect(row(killed.id).exitcode).toBe(-9);
  });

  it('restarts a process killed from outside the app (not by the user)', async () => {
    const created = await create({ command: 'sleep', args: ['30'], restart: 'on-failure' });
    process.kill(created.pid!, 'SIGKILL');
    const again = await until(() => (row(created.id).state === 'running' && row(created.id).restarts === 1 ? row(created.id) : null), 'the restart');
    expect(again.previousExitcodes).toEqual([-9]);
    expect(again.pid).not.toBe(created.pid);
  });

  it('a run longer than stableAfterMs starts the count of quick failures again', async () => {
    // Fails at once twice, then runs 1.2 s before failing: with maxRestarts 2 only the reset lets it go on.
    const counter = join(dataDir, 'runs');
    const script = `n=$(cat '${counter}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${counter}'; if [ $n -eq 3 ]; then sleep 1.2; fi; exit 1`;
    const created = await create({ command: 'sh', args: ['-c', script], restart: 'on-failure', maxRestarts: 2, stableAfterMs: 1000 });
    const errored = await until(() => (row(created.id).state === 'errored' ? row(created.id) : null), 'the row to go to errored');
    // Runs 1, 2, 3 (stable: the count resets), 4, 5: four restarts; without the reset it would stop at two.
    expect(errored.restarts).toBe(4);
  });

  it('the user restarting an errored row starts it and its count again', async () => {
    const created = await create({ command: 'sh', args: ['-c', 'exit 2'], restart: 'on-failure', maxRestarts: 1 });
    await until(() => row(created.id).state === 'errored', 'errored');
    await supervisor.restart(created.id);
    expect(row(created.id).error).toBeNull();
    await until(() => row(created.id).state === 'errored' && row(created.id).restarts === 3, 'errored again after one more automatic restart');
  });

  it('shutdown cancels pending restarts and leaves no process', async () => {
    const slow = new Supervisor({ dataDir, sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false, restartBackoff: { baseMs: 300, maxMs: 300 } });
    try {
      const failing = await slow.createProcess({ command: 'sh', args: ['-c', 'exit 1'], restart: 'always' });
      const running = await slow.createProcess({ command: 'sleep', args: ['30'], restart: 'always', daemon: true });
      await until(() => slow.snapshot().processes.find((candidate) => candidate.id === failing.id)?.nextRestartAt !== null, 'a pending restart');
      await slow.shutdown();
      const rows = slow.snapshot().processes;
      expect(rows.find((candidate) => candidate.id === failing.id)).toMatchObject({ nextRestartAt: null, restarts: 0 });
      expect(rows.find((candidate) => candidate.id === running.id)).toMatchObject({ isAlive: false, exitcode: -15, restarts: 0 });
      // Past the wait the pending restart had: nothing started.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(slow.snapshot().processes.every((candidate) => !candidate.isAlive && candidate.restarts === 0)).toBe(true);
      expect(readProcStat(running.pid!)?.state ?? 'gone').not.toMatch(/^[RS]$/);
    } finally {
      await slow.shutdown({ terminateAll: true });
      await slow.dispose();
    }
  });
});
