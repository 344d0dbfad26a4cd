// Row 3: start-to-exit of /bin/true through Process (and an exec-mode pool), one at a time and with 8
// in flight, beside a bare child_process.spawn doing the same.
import { spawn } from 'node:child_process';
import { Process } from '../../main/core/process.js';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { loadPool } from '../lib/pool.js';
import { makeRow, type Row } from '../lib/report.js';
import { alternate } from '../lib/stats.js';

const TRUE = '/bin/true';

/** What anyone would write: spawn, wait for 'exit'. */
function rawOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(TRUE, []);
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

async function processOnce(): Promise<void> {
  const job = new Process({ command: TRUE });
  await job.start();
  await job.join();
}

/** Runs `count` jobs, `inFlight` at a time; returns the wall time in ms. */
async function runMany(count: number, inFlight: number, once: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await once();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return performance.now() - started;
}

export const spawnRow: BenchRow = {
  id: '3',
  aliases: ['spawn'],
  title: 'Start-to-exit of /bin/true: Process and exec-mode pool beside child_process.spawn',
  async run(context: BenchContext): Promise<Row[]> {
    const rounds = context.quick ? 3 : 7;
    const serialCount = context.quick ? 60 : 120;
    const parallelCount = context.quick ? 120 : 200;
    const Pool = await loadPool();
    const rows: Row[] = [];

    // Warm up both paths (module loading, first spawn of the libuv machinery).
    await runMany(20, 4, rawOnce);
    await runMany(20, 4, processOnce);

    context.log(`one at a time: ${rounds} rounds × ${serialCount} processes`);
    const serial = await alternate(
      rounds,
      {
        process: async () => (await runMany(serialCount, 1, processOnce)) / serialCount,
        spawn: async () => (await runMany(serialCount, 1, rawOnce)) / serialCount,
        ...(Pool
          ? {
              pool: async () => {
                const pool = new Pool({ processes: 1, command: TRUE, mode: 'exec' });
                try {
                  const started = performance.now();
                  await pool.map(Array.from({ length: serialCount }, () => []));
                  return (performance.now() - started) / serialCount;
                } finally {
                  pool.close();
                  await pool.join();
                }
              },
            }
          : {}),
      } as Record<string, () => Promise<number>>,
    );
    const description = 'start-to-exit of /bin/true, one at a time';
    rows.push(
      makeRow({
        id: '3-process-serial',
        description: `${description}: Process start() + join()`,
        unit: 'ms/process',
        better: 'lower',
        ours: serial.process,
        reference: { name: 'child_process.spawn', values: serial.spawn },
        target: { on: 'ratio', min: 0.9 },
      }),
    );
    if (serial.pool) {
      rows.push(
        makeRow({
          id: '3-pool-exec-serial',
          description: `${description}: exec-mode Pool(1).map`,
          unit: 'ms/process',
          better: 'lower',
          ours: serial.pool,
          reference: { name: 'child_process.spawn', values: serial.spawn },
          target: { on: 'ratio', min: 0.9 },
        }),
      );
    }

    context.log(`8 in flight: ${rounds} rounds × ${parallelCount} processes`);
    const parallel = await alternate(
      rounds,
      {
        process: async () => parallelCount / ((await runMany(parallelCount, 8, processOnce)) / 1000),
        spawn: async () => parallelCount / ((await runMany(parallelCount, 8, rawOnce)) / 1000),
        ...(Pool
          ? {
              pool: async () => {
                const pool = new Pool({ processes: 8, command: TRUE, mode: 'exec' });
                try {
                  const started = performance.now();
                  await pool.map(Array.from({ length: parallelCount }, () => []));
                  return parallelCount / ((performance.now() - started) / 1000);
                } finally {
                  pool.close();
                  await pool.join();
                }
              },
            }
          : {}),
      } as Record<string, () => Promise<number>>,
    );
    rows.push(
      makeRow({
        id: '3-process-8',
        description: 'start-to-exit of /bin/true, 8 in flight: Process',
        unit: 'processes/s',
        better: 'higher',
        ours: parallel.process,
        reference: { name: 'child_process.spawn', values: parallel.spawn },
        target: { on: 'ratio', min: 0.9 },
      }),
    );
    if (parallel.pool) {
      rows.push(
        makeRow({
          id: '3-pool-exec-8',
          description: 'start-to-exit of /bin/true, 8 in flight: exec-mode Pool(8).map',
          unit: 'processes/s',
          better: 'higher',
          ours: parallel.pool,
          reference: { name: 'child_process.spawn', values: parallel.spawn },
          target: { on: 'ratio', min: 0.9 },
        }),
      );
    }
    return rows;
  },
};
