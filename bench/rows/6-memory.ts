import type { BenchRow } from '../lib/context.js';
import { skippedRow } from '../lib/report.js';

export const memoryRow: BenchRow = {
  id: '6',
  aliases: ['memory'],
  title: 'Memory of idle workers',
  async run() {
    return [skippedRow('6', this.title, 'not written yet')];
  },
};
