// The defects of issue 7, section 1: each test failed before its fix.
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcessStartError, WorkerLostError } from '../../main/core/index.js';
import { NODE_WORKER, ROGUE_WORKER, SH_WORKER, nodePool, sleep, trackPools, until } from '../fixtures/pool-harness.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const { make } = trackPools();

/** The task ids a message names ("task 7", "tasks 7–9"). */
const namedTasks = (message: string): number[] => [...message.matchAll(/tasks? (\d+)/g)].map((match) => Number(match[1]));

describe('pool.workers lists only workers that have a pid', () => {
  it('right after the constructor, at every worker event, and across maxTasksPerChild replacements', async () => {
    const pool = make(nodePool({ processes: 3, maxTasksPerChild: 1 }));
    const seen: (number | null)[][] = [pool.workers.map((w) => w.pid)];
    pool.on('worker', () => seen.push(pool.workers.map((w) => w.pid)));
    pool.on('task', () => seen.push(pool.workers.map((w) => w.pid)));
    await pool.starmap(Array.from({ length: 8 }, () => ['pid']));
    seen.push(pool.workers.map((w) => w.pid));
    expect(seen.flat()).not.toContain(null);
    expect(seen.some((pids) => pids.length > 0)).toBe(true);
  });

  it('exec mode too', async () => {
    const pool = make({ processes: 2, command: 'true', mode: 'exec' });
    const seen: (number | null)[][] = [];
    pool.on('worker', () => seen.push(pool.workers.map((w) => w.pid)));
    pool.on('task', () => seen.push(pool.workers.map((w) => w.pid)));
    await pool.map([1, 2, 3, 4]);
    expect(seen.flat()).not.toContain(null);
  });
});

describe('the crash-loop breaker', () => {
  it('does not count a worker that wrote an invalid line (a NaN): it is replaced, and later maps of good inputs run', async () => {
    const pool = make({ processes: 1, command: 'node', args: [ROGUE_WORKER, 'nan'] });
    for (let i = 0; i < 5; i += 1) {
      const error = await pool.apply(['bad']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerLostError);
      expect((error as Error).message).toMatch(/protocol error: not JSON/);
    }
    expect(await pool.map(['ok', 'ok', 'ok', 'ok'], { chunksize: 1 })).toHaveLength(4);
  });

  it('once tripped, a task fails with the current cause, never naming another task', async () => {
    const pool = make({ processes: 1, command: 'node', args: [ROGUE_WORKER, 'exit-3'] });
    const errors: { id: number; error: Error }[] = [];
    for (let i = 0; i < 8; i += 1) {
      const id = i + 1;
      const error = (await pool.apply(['bad']).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(WorkerLostError);
      errors.push({ id, error });
    }
    for (const { id, error } of errors) {
      for (const named of namedTasks(error.message)) expect(named, `task ${id}: ${error.message}`).toBe(id);
      expect(error.message).toMatch(/exited with code 3/);
    }
  });

  it('once tripped, a task submitted after the backoff gets a fresh worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-breaker-'));
    try {
      const program = join(dir, 'worker.sh');
      const pool = make({ processes: 1, command: program });
      await expect(pool.apply(['x'])).rejects.toBeInstanceOf(ProcessStartError);
      copyFileSync(SH_WORKER, program);
      chmodSync(program, 0o755);
      // One failed start: the backoff is BACKOFF_BASE_MS (100 ms). Wait it out, without any task.
      await sleep(500);
      expect(await pool.apply(['x'])).toMatch(/^sh:\d+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipUnless(unixLike, 'test/core/pool-defects.test.ts', 'its worker is started through sh -c'))('does not count workers that somebody killed before they spoke: the pool keeps its workers and serves', async () => {
    // Each worker is silent for 300 ms before it says ready, so every kill lands before it spoke.
    const pool = make({ processes: 1, command: 'sh', args: ['-c', `sleep 0.3; exec node ${NODE_WORKER}`] });
    for (let kill = 0; kill < 5; kill += 1) {
      const worker = await until(() => pool.workers.find((proc) => proc.isAlive() && !proc.endRequested), 'a fresh worker to kill');
      worker.kill();
      await worker.join();
    }
    expect(await pool.apply(['pid'])).toEqual(expect.any(Number));
  });
});
