import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processTreeOf, signalDescendant } from '../../main/app/job-tree.js';
import { Supervisor } from '../../main/app/supervisor.js';
import type { TreeProcessRow } from '../../main/protocol/job-tree.js';
import { dispatchCommand, type CommandHandlers } from '../../main/protocol/index.js';
import { stateOf } from '../helpers/proc-state.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { hasUtilLinux, skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/job-tree.test.ts', 'builds its trees from sh, sleep and setsid, and signals process groups');

// The expanded row's process tree, read from the real process table, and ending one descendant from
// the UI: by itself, by the group it leads; never a pid the OS gave to another process, never a
// process of another job.

const fixture = useQuietSupervisor('pooldeck-job-tree-');

/** A shell with a child shell (its own sleep below it) and a sleep of its own: three levels. */
const NESTED = 'sh -c "sleep 301 & wait" & sleep 302 & wait';
/** A shell whose child leads a process group of its own (setsid), with a sleep in that group. */
const OWN_GROUP = 'setsid sh -c "sleep 303 & wait" & sleep 304 & wait';

const gone = (pid: number) => stateOf(pid) === null || stateOf(pid) === 'Z';

function flatten(rows: readonly TreeProcessRow[]): TreeProcessRow[] {
  return rows.flatMap((row) => [row, ...flatten(row.children)]);
}

async function startTree(script: string, expected: number): Promise<{ id: string; pid: number; rows: () => TreeProcessRow[] }> {
  const row = await fixture.supervisor.createProcess({ command: 'sh', args: ['-c', script] });
  const rows = () => flatten(processTreeOf(fixture.supervisor, row.id).children);
  await until(() => rows().filter((entry) => entry.command.startsWith('sleep')).length === expected || null, `${expected} sleeps below the job`);
  return { id: row.id, pid: row.pid!, rows };
}

function find(rows: readonly TreeProcessRow[], command: string): TreeProcessRow {
  const found = rows.find((row) => row.command === command);
  if (!found) throw new Error(`no row runs ${command}: ${rows.map((row) => row.command).join(' | ')}`);
  return found;
}

describe.skipIf(skipHere)('processTreeOf', () => {
  it('nests children and grandchildren as the OS tree is, with their command lines, states and start times', async () => {
    const job = await startTree(NESTED, 2);
    const tree = processTreeOf(fixture.supervisor, job.id);
    expect(tree.pid).toBe(job.pid);
    // The job's own children: the inner shell and sleep 302, by pid.
    expect(tree.children).toHaveLength(2);
    const inner = tree.children.find((row) => row.command === 'sh -c sleep 301 & wait')!;
    expect(inner).toBeDefined();
    expect(inner.ppid).toBe(job.pid);
    expect(inner.children.map((row) => row.command)).toEqual(['sleep 301']);
    expect(inner.children[0]!.ppid).toBe(inner.pid);
    expect(tree.children.find((row) => row.command === 'sleep 302')!.children).toEqual([]);
    for (const row of flatten(tree.children)) {
      expect(row.state).toMatch(/^[RS]$/);
      expect(row.pgid).toBe(job.pid);
      expect(Number.isFinite(row.startTime)).toBe(true);
    }
    expect(tree.inspection).toBeNull();
  });

  it('follows the tree as descendants come and go', async () => {
    const job = await startTree(NESTED, 2);
    const sleep = find(job.rows(), 'sleep 302');
    process.kill(sleep.pid, 'SIGKILL');
    await until(() => !job.rows().some((row) => row.pid === sleep.pid) || null, 'the killed sleep to leave the tree');
    expect(job.rows().map((row) => row.command)).toContain('sleep 301');
  });

  it('has no rows for a job that ended', async () => {
    const row = await fixture.supervisor.createProcess({ command: 'true' });
    await fixture.supervisor.processOf(row.id).join();
    expect(processTreeOf(fixture.supervisor, row.id)).toMatchObject({ pid: null, children: [] });
  });

  it('gives each descendant the sampler\'s CPU, memory and start time once a tick has seen it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-job-tree-sampled-'));
    const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 100, graceMs: 500, orphanWatchdog: false });
    try {
      const row = await supervisor.createProcess({ command: 'sh', args: ['-c', NESTED] });
      const sleeps = () => flatten(processTreeOf(supervisor, row.id).children).filter((entry) => entry.command.startsWith('sleep') && entry.memory !== null);
      const sampled = await until(() => (sleeps().length === 2 ? sleeps() : null), 'both sleeps to be sampled');
      for (const entry of sampled) {
        expect(entry.memory).toBeGreaterThan(0);
        expect(entry.cpu).toBeGreaterThanOrEqual(0);
        expect(entry.startedAt).toBeGreaterThan(row.startedAt! - 1000);
        expect(entry.startedAt).toBeLessThanOrEqual(Date.now());
      }
    } finally {
      await supervisor.shutdown({ terminateAll: true, graceMs: 500 });
      await supervisor.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipHere)('signalDescendant', () => {
  it('terminates one descendant by itself; its parent and siblings live on', async () => {
    const job = await startTree(NESTED, 2);
    const target = find(job.rows(), 'sleep 302');
    const sibling = find(job.rows(), 'sleep 301');
    expect(signalDescendant(fixture.supervisor, { id: job.id, pid: target.pid, startTime: target.startTime, signal: 'SIGTERM', scope: 'process' })).toEqual({
      pid: target.pid,
      signal: 'SIGTERM',
      toGroup: false,
    });
    await until(() => gone(target.pid) || null, 'the sleep to end');
    expect(gone(sibling.pid)).toBe(false);
    expect(target.ppid).toBe(job.pid);
    expect(fixture.supervisor.processOf(job.id).isAlive()).toBe(true);
  });

  it.skipIf(skipUnless(hasUtilLinux, 'test/app/job-tree.test.ts', 'its group leader is started by setsid(1)'))('kills the process group a descendant leads, and only that group', async () => {
    const job = await startTree(OWN_GROUP, 2);
    const leader = find(job.rows(), 'sh -c sleep 303 & wait');
    expect(leader.pgid).toBe(leader.pid);
    const member = find(job.rows(), 'sleep 303');
    const outsider = find(job.rows(), 'sleep 304');
    expect(signalDescendant(fixture.supervisor, { id: job.id, pid: leader.pid, startTime: leader.startTime, signal: 'SIGKILL', scope: 'group' }).toGroup).toBe(true);
    await until(() => (gone(leader.pid) && gone(member.pid)) || null, 'the group to end');
    expect(gone(outsider.pid)).toBe(false);
  });

  it('refuses a group for a descendant that shares the job\'s group, naming the field', async () => {
    const job = await startTree(NESTED, 2);
    const sleep = find(job.rows(), 'sleep 302');
    expect(() => signalDescendant(fixture.supervisor, { id: job.id, pid: sleep.pid, startTime: sleep.startTime, signal: 'SIGTERM', scope: 'group' })).toThrow(
      /^scope: pid \d+ does not lead a process group of its own/,
    );
    expect(gone(sleep.pid)).toBe(false);
  });

  it('refuses a pid whose start time no longer matches: the process shown is not the one there now', async () => {
    const job = await startTree(NESTED, 2);
    const sleep = find(job.rows(), 'sleep 302');
    expect(() => signalDescendant(fixture.supervisor, { id: job.id, pid: sleep.pid, startTime: sleep.startTime - 1, signal: 'SIGKILL', scope: 'process' })).toThrow(
      /^startTime: pid \d+ is no longer the process shown/,
    );
    expect(gone(sleep.pid)).toBe(false);
  });

  it('refuses a descendant of another job, and the job\'s own pid', async () => {
    const first = await startTree(NESTED, 2);
    const second = await startTree(NESTED, 2);
    const theirs = find(second.rows(), 'sleep 302');
    expect(() => signalDescendant(fixture.supervisor, { id: first.id, pid: theirs.pid, startTime: theirs.startTime, signal: 'SIGKILL', scope: 'process' })).toThrow(
      /^pid: \d+ is not a descendant of Process-\d+ \(pid \d+\)/,
    );
    expect(() => signalDescendant(fixture.supervisor, { id: first.id, pid: first.pid, startTime: 0, signal: 'SIGKILL', scope: 'process' })).toThrow(/is not a descendant/);
    expect(gone(theirs.pid)).toBe(false);
    expect(gone(first.pid)).toBe(false);
  });

  it('checks its arguments at the boundary, naming the field', async () => {
    const handlers = { signalDescendant: async () => ({}) } as unknown as CommandHandlers;
    const noStart = await dispatchCommand(handlers, 'signalDescendant', { id: 'process-1', pid: 12, signal: 'SIGTERM' });
    expect(noStart).toMatchObject({ ok: false, error: { code: 'invalid', field: 'startTime' } });
    const badSignal = await dispatchCommand(handlers, 'signalDescendant', { id: 'process-1', pid: 12, startTime: 5, signal: 'SIGSTOP' });
    expect(badSignal.ok ? '' : badSignal.error.message).toMatch(/signal must be SIGTERM \(terminate\) or SIGKILL \(kill\)/);
  });
});
