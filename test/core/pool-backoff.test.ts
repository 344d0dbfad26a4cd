// The respawn backoff, read from the workers' own timestamps: each wait between a failed worker's
// end and the next start is longer than the one before (no absolute thresholds).
import { describe, expect, it } from 'vitest';
import { WorkerLostError, type Process } from '../../main/core/index.js';
import { nodePool, sleep, trackPools, until } from '../fixtures/pool-harness.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/core/pool-backoff.test.ts', "its pools' programs are sh -c scripts");

const { make } = trackPools();

describe.skipIf(skipHere)('respawn backoff', () => {
  it('the spacing between a failed start and the next one grows, through the breaker and after it', async () => {
    // A worker that ends at once without a word: every start is a bad one.
    const pool = make({ processes: 1, command: 'sh', args: ['-c', 'exit 3'] });
    const workers: { proc: Process; startedAt: number | null; endedAt: number | null }[] = [];
    pool.on('worker', (proc) => {
      const record = { proc, startedAt: null as number | null, endedAt: null as number | null };
      workers.push(record);
      proc.on('started', () => (record.startedAt = performance.now()));
      proc.on('exit', () => (record.endedAt = performance.now()));
    });
    // The first three starts come on their own; after the breaker trips, tasks ask for more.
    while (workers.length < 5 || workers[4].endedAt === null) {
      await pool.apply(['x']).catch(() => undefined);
      await sleep(20);
    }
    const waits: number[] = [];
    for (let i = 1; i < 5; i += 1) waits.push(workers[i].startedAt! - workers[i - 1].endedAt!);
    for (let i = 1; i < waits.length; i += 1) expect(waits[i], `waits ${waits.map(Math.round).join(', ')} ms`).toBeGreaterThan(waits[i - 1]);
  });

  it('workers that die more than a second after their start, having answered nothing, back off too and trip the breaker', async () => {
    // Lives past the one second that makes a death "quick", never answers, dies: a bad ending all the same.
    const pool = make({ processes: 1, command: 'sh', args: ['-c', 'sleep 1.2; exit 3'] });
    const workers: { startedAt: number | null; endedAt: number | null }[] = [];
    pool.on('worker', (proc) => {
      const record = { startedAt: null as number | null, endedAt: null as number | null };
      workers.push(record);
      proc.on('started', () => (record.startedAt = performance.now()));
      proc.on('exit', () => (record.endedAt = performance.now()));
    });
    await until(() => workers.length >= 3 && workers[2].endedAt !== null, 'three workers to start and die', { timeoutMs: 15_000 });
    const waits = [workers[1].startedAt! - workers[0].endedAt!, workers[2].startedAt! - workers[1].endedAt!];
    expect(waits[1], `waits ${waits.map(Math.round).join(', ')} ms`).toBeGreaterThan(waits[0]);
    // Three in a row: the breaker is tripped, so a task fails at once with the cause instead of
    // going to yet another worker that dies under it.
    const error = await pool.apply(['x']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerLostError);
    expect((error as Error).message).toMatch(/3 workers in a row ended before answering any task; the last, .* exited with code 3/);
    expect((error as Error).message).not.toMatch(/while running/);
  });

  it('once the breaker trips, the queued tasks fail together: one tasksFailed event, not a task event each', async () => {
    const pool = make({ processes: 1, command: 'sh', args: ['-c', 'exit 3'] });
    const failedEvents: number[] = [];
    const summaries: { count: number; firstId: number; lastId: number; error: { type: string; message: string } }[] = [];
    pool.on('task', (task) => {
      if (task.state === 'failed') failedEvents.push(task.id);
    });
    pool.on('tasksFailed', (range) => summaries.push(range));
    const count = 5000;
    pool.submit(Array.from({ length: count }, (_, i) => [i]));
    await until(() => pool.counts.failed === count, 'every task to fail', { timeoutMs: 15_000 });
    expect(failedEvents.length).toBeLessThan(10);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.reduce((sum, range) => sum + range.count, 0) + failedEvents.length).toBe(count);
    expect(summaries[0].error.message).toMatch(/workers in a row ended before answering any task/);
    expect(pool.counts).toMatchObject({ queued: 0, running: 0, failed: count });
  });

  it('killing workers that answered while they run a task is a normal loss each time: no breaker', async () => {
    const pool = make(nodePool({ processes: 1 }));
    for (let kill = 0; kill < 4; kill += 1) {
      // Each fresh worker answers once first: then its death is that of a worker that was working.
      expect(await pool.apply(['double', kill])).toBe(kill * 2);
      const running = pool.apply(['sleep', 60_000]);
      await until(() => pool.counts.running === 1 && pool.workers.length === 1, 'the task to run');
      pool.workers[0].kill();
      const error = (await running.catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(WorkerLostError);
      expect(error.message).toMatch(/while running task \d+/);
    }
    expect(await pool.apply(['double', 21])).toBe(42);
  });
});
