// Prints a results file (default bench/results/latest.json) as the Markdown table docs/benchmarks.md shows.
//   npx tsx bench/table.ts [results.json]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './lib/context.js';
import { formatMarkdown, type Row } from './lib/report.js';

const path = resolve(process.argv[2] ?? resolve(repoRoot, 'bench/results/latest.json'));
const data = JSON.parse(readFileSync(path, 'utf8')) as { machine: Record<string, unknown>; rows: Row[] };
const revive = (row: Row): Row => {
  const fix = <T extends { median: number | null; min: number | null; max: number | null }>(figure: T): T => ({
    ...figure,
    median: figure.median ?? Number.NaN,
    min: figure.min ?? Number.NaN,
    max: figure.max ?? Number.NaN,
  });
  return { ...row, ours: fix(row.ours), reference: row.reference ? fix(row.reference) : null };
};
const machine = data.machine;
console.log(
  `Measured ${String(machine.date).slice(0, 10)} on ${String(machine.cpu)} × ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, ${String(machine.os)}, ` +
    `Node ${String(machine.node)}, Python ${String(machine.python)}, ${String(machine.chromium)}; load average at start ${(machine.loadAverageAtStart as number[]).join(' ')}.\n`,
);
console.log(formatMarkdown(data.rows.map(revive)));
