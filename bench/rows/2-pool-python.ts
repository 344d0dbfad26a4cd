// Row 2: the same tiny tasks with the shipped Python helper (resources/workers/pooldeck_worker.py) as
// the worker, beside Python's own multiprocessing.Pool(2), alternating in one run.
import { resolve } from 'node:path';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { loadPool } from '../lib/pool.js';
import { pythonExecutable } from '../lib/python.js';
import { skippedRow, type Row } from '../lib/report.js';
import { alternate } from '../lib/stats.js';
import { poolRows, runOurPool, runPythonPool, sizesFor, type PoolFigures, type PythonFigures } from './1-pool-node.js';

export const poolPythonRow: BenchRow = {
  id: '2',
  aliases: ['pool-python'],
  title: 'Pool throughput, tiny tasks, 2 Python helper workers, beside multiprocessing.Pool(2)',
  async run(context: BenchContext): Promise<Row[]> {
    const Pool = await loadPool();
    if (!Pool) return [skippedRow('2', this.title, 'main/core/pool.ts does not exist yet')];
    const rounds = context.quick ? 2 : 5;
    const sizes = sizesFor(context);
    const pool = new Pool({ processes: 2, command: await pythonExecutable(), args: [resolve(context.root, 'bench/workers/square.py')], mode: 'worker' });
    try {
      await pool.map(Array.from({ length: 5000 }, (_, i) => i));
      context.log(`${rounds} rounds: map ${sizes.map}, imap ${sizes.imap}, applyAsync ${sizes.apply} tasks each`);
      const results = await alternate<'ours' | 'python', PoolFigures | PythonFigures>(
        rounds,
        { ours: () => runOurPool(pool, sizes), python: () => runPythonPool(context, sizes) },
        (round, figures) => context.log(`round ${round + 1}: map ours ${figures.ours.map.toFixed(0)}/s python ${figures.python.map.toFixed(0)}/s`),
      );
      const python = results.python as PythonFigures[];
      return poolRows('2-python', 'Python helper, 2 workers', results.ours as PoolFigures[], python, null, python[0].startMethod);
    } finally {
      await pool.terminate();
    }
  },
};
