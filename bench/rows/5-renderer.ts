import type { BenchRow } from '../lib/context.js';
import { skippedRow } from '../lib/report.js';

export const rendererRow: BenchRow = {
  id: '5',
  aliases: ['renderer'],
  title: 'Renderer: a delta changing every row, in Chromium',
  async run() {
    return [skippedRow('5', this.title, 'not written yet')];
  },
};
