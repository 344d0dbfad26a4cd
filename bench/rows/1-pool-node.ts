import type { BenchRow } from '../lib/context.js';
import { skippedRow } from '../lib/report.js';

export const poolNodeRow: BenchRow = {
  id: '1',
  aliases: ['pool-node'],
  title: 'Pool throughput, tiny tasks, Node helper workers, beside multiprocessing.Pool',
  async run() {
    return [skippedRow('1', this.title, 'not written yet')];
  },
};
