import type { BenchRow } from '../lib/context.js';
import { skippedRow } from '../lib/report.js';

export const poolPythonRow: BenchRow = {
  id: '2',
  aliases: ['pool-python'],
  title: 'Pool throughput, tiny tasks, Python helper workers, beside multiprocessing.Pool',
  async run() {
    return [skippedRow('2', this.title, 'not written yet')];
  },
};
