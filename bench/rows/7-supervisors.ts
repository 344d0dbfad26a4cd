import type { BenchRow } from '../lib/context.js';
import { skippedRow } from '../lib/report.js';

export const supervisorsRow: BenchRow = {
  id: '7',
  aliases: ['supervisors'],
  title: 'Supervising many idle processes beside PM2, supervisord and a bare script',
  async run() {
    return [skippedRow('7', this.title, 'not written yet')];
  },
};

export async function measureSupervisorCpu(_context: import('../lib/context.js').BenchContext, _options: { count: number; seconds: number }) {
  return [skippedRow('4-supervisor-cpu', 'supervisor CPU', 'not written yet')];
}
