// npm run bench [-- --only <row>[,<row>…]] [-- --quick] [-- --out <file>]
//
// Every row measures our figure and the reference figure in the same run, alternating, over several
// rounds, and reports medians, min–max and the ratio (oriented so that higher is better). A full run
// writes bench/results/latest.json; a partial or quick run writes bench/.cache/results/last.json.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, repoRoot, type BenchContext, type BenchRow } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { installExitHandlers, runCleanups } from './lib/owned.js';
import { formatTable, skippedRow, writeJsonAtomically, type Row } from './lib/report.js';
import { poolNodeRow } from './rows/1-pool-node.js';
import { poolPythonRow } from './rows/2-pool-python.js';
import { spawnRow } from './rows/3-spawn.js';
import { samplingRow } from './rows/4-sampling.js';
import { rendererRow } from './rows/5-renderer.js';
import { memoryRow } from './rows/6-memory.js';
import { supervisorsRow } from './rows/7-supervisors.js';

const allRows: BenchRow[] = [poolNodeRow, poolPythonRow, spawnRow, samplingRow, rendererRow, memoryRow, supervisorsRow];

function usage(): string {
  const names = allRows.map((row) => `  ${row.id}  ${[...row.aliases].join(', ').padEnd(24)} ${row.title}`).join('\n');
  return `usage: npm run bench [-- --only <row>[,<row>…]] [-- --quick] [-- --out <file>]\nrows:\n${names}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const wanted = (values.only ?? []).flatMap((entry) => entry.split(',')).map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  const selected = wanted.length === 0 ? allRows : allRows.filter((row) => wanted.includes(row.id) || row.aliases.some((alias) => wanted.includes(alias)));
  const unknown = wanted.filter((name) => !allRows.some((row) => row.id === name || row.aliases.includes(name)));
  if (unknown.length > 0 || selected.length === 0) {
    console.error(`bench: unknown row ${unknown.join(', ') || '(none selected)'}\n${usage()}`);
    return 2;
  }
  const quick = values.quick ?? false;
  const full = wanted.length === 0 && !quick;
  const outPath = values.out ? resolve(values.out) : full ? resolve(repoRoot, 'bench/results/latest.json') : resolve(cacheRoot, 'results/last.json');

  installExitHandlers();
  mkdirSync(cacheRoot, { recursive: true });
  const machine = describeMachine();
  const started = performance.now();
  const context: BenchContext = {
    quick,
    root: repoRoot,
    cacheDir: cacheRoot,
    log: (message) => console.log(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`),
  };
  console.log(`bench: ${selected.map((row) => row.id).join(', ')}${quick ? ' (quick)' : ''} on ${machine.cpu} × ${machine.cores}, load ${machine.loadAverageAtStart.join(' ')}`);

  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  for (const row of selected) {
    console.log(`\n${row.id}. ${row.title}`);
    const rowStarted = performance.now();
    try {
      rows.push(...(await row.run(context)));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`  row ${row.id} failed: ${message}`);
      rows.push(skippedRow(row.id, row.title, (error as Error)?.message ?? String(error)));
    } finally {
      await runCleanups();
    }
    timings[row.id] = Math.round((performance.now() - rowStarted) / 1000);
    context.log(`row ${row.id} took ${timings[row.id]} s`);
  }

  const result = {
    machine: { ...machine, quick, rowsRun: selected.map((row) => row.id), secondsPerRow: timings, totalSeconds: Math.round((performance.now() - started) / 1000) },
    rows,
  };
  writeJsonAtomically(outPath, result);
  console.log(`\n${formatTable(rows)}\n`);
  console.log(`bench: ${rows.filter((row) => row.pass === false).length} target(s) missed; wrote ${outPath} in ${result.machine.totalSeconds} s`);
  return 0;
}

main()
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await runCleanups();
    process.exit(1);
  });
