// Starting many workers: they start in slices, so that the event loop answers between slices
// (a server keeps serving while a 512-worker pool comes up).
import { describe, expect, it } from 'vitest';
import { startedWorkers, trackPools } from '../fixtures/pool-harness.js';

const { make } = trackPools();

describe('starting many workers', () => {
  it('a callback queued right after new Pool({ processes: 512 }) runs before all the workers were started', async () => {
    const pool = make({ processes: 512, allowOversubscribe: true, command: 'sleep', args: ['60'] });
    let announced = 0;
    pool.on('worker', () => (announced += 1));
    const seenByTimer = await new Promise<number>((resolve) => setImmediate(() => resolve(announced)));
    expect(seenByTimer).toBeGreaterThan(0);
    expect(seenByTimer).toBeLessThan(512);
    // They all come up in the end: 512 spawns take seconds on a loaded 2-core machine.
    expect(await startedWorkers(pool, { timeoutMs: 100_000 })).toHaveLength(512);
  }, 120_000);
});
