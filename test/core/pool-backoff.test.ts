// The respawn backoff, read from the workers' own timestamps: each wait between a failed worker's
// end and the next start is longer than the one before (no absolute thresholds).
import { describe, expect, it } from 'vitest';
import type { Process } from '../../main/core/index.js';
import { sleep, trackPools } from '../fixtures/pool-harness.js';

const { make } = trackPools();

describe('respawn backoff', () => {
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
});
