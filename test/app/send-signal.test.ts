import { describe, expect, it } from 'vitest';
import { sendSignal } from '../../main/app/send-signal.js';
import { dispatchCommand, type CommandHandlers } from '../../main/protocol/index.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { childrenOf, stateOf } from '../helpers/proc-state.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/send-signal.test.ts', 'sends POSIX signals (SIGSTOP, SIGCONT, SIGTERM) to the process group of an sh job');

// Any signal from the UI, as htop's F9, against real processes: job-control signals reach the whole
// process group (a shell and its child pause and resume together); others the process alone.

const fixture = useQuietSupervisor('pooldeck-signal-');

/** A shell that runs a sleep and waits for it: a job of two processes in one group. */
async function startJob(script = 'sleep 60; true'): Promise<{ id: string; shell: number; sleeper: number }> {
  const row = await fixture.supervisor.createProcess({ command: 'sh', args: ['-c', script] });
  const shell = row.pid!;
  const [sleeper] = await until(() => (childrenOf(shell).length > 0 ? childrenOf(shell) : null), 'the shell to start its sleep');
  return { id: row.id, shell, sleeper: sleeper! };
}

describe.skipIf(skipHere)('sendSignal', () => {
  it('stops and continues the whole process group with SIGSTOP and SIGCONT, and says so', async () => {
    const job = await startJob();
    expect(sendSignal(fixture.supervisor, job.id, 'SIGSTOP')).toEqual({ signal: 'SIGSTOP', pid: job.shell, toGroup: true });
    await until(() => stateOf(job.shell) === 'T' && stateOf(job.sleeper) === 'T', 'both to stop');
    expect(sendSignal(fixture.supervisor, job.id, 'SIGCONT').toGroup).toBe(true);
    await until(() => stateOf(job.shell) !== 'T' && stateOf(job.sleeper) !== 'T', 'both to continue');
    expect(fixture.supervisor.snapshot().processes.find((row) => row.id === job.id)?.state).toBe('running');
  });

  it('sends SIGUSR1 to the process alone, as htop does', async () => {
    const job = await startJob();
    expect(sendSignal(fixture.supervisor, job.id, 'SIGUSR1')).toEqual({ signal: 'SIGUSR1', pid: job.shell, toGroup: false });
    // sh dies of SIGUSR1 (no handler); its sleep, not signalled, lives on until the cleanup.
    expect(await fixture.supervisor.processOf(job.id).join()).toBe(-10);
    expect(stateOf(job.sleeper)).not.toBeNull();
    expect(stateOf(job.sleeper)).not.toBe('Z');
  });

  it('ends a job with SIGINT to its group, as Ctrl+C does', async () => {
    const job = await startJob();
    sendSignal(fixture.supervisor, job.id, 'SIGINT');
    expect(await fixture.supervisor.processOf(job.id).join()).toBe(-2);
    await until(() => stateOf(job.sleeper) === null || stateOf(job.sleeper) === 'Z', 'the sleep to end with its group');
  });

  it('refuses a process that is not running, and an unknown signal naming the field', async () => {
    const row = await fixture.supervisor.createProcess({ command: 'true' });
    await fixture.supervisor.processOf(row.id).join();
    expect(() => sendSignal(fixture.supervisor, row.id, 'SIGHUP')).toThrow(/is not running: only a running process can be sent SIGHUP/);

    const handlers = { signal: async () => ({}) } as unknown as CommandHandlers;
    const bad = await dispatchCommand(handlers, 'signal', { id: row.id, signal: 'SIGFOO' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid', field: 'signal' } });
    expect(bad.ok ? '' : bad.error.message).toMatch(/^signal: signal must be one of this platform's signal names, such as SIGINT, .*not "SIGFOO"/);
    const number = await dispatchCommand(handlers, 'signal', { id: row.id, signal: 9 });
    expect(number).toMatchObject({ ok: false, error: { field: 'signal' } });
  });
});
