// Pool({ target }) beside today's helper-based worker program (serve(handler) in a worker file) and
// beside Python's multiprocessing.Pool(2).map, on the same tiny function (x * x), alternating in one
// run. The target path runs the same serve loop inside the helper, so it should cost nothing extra
// per task: this shows whether it does.
//   npx tsx bench/targets-map.ts [--quick]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool, type PoolOptions } from '../main/core/index.js';
import { repoRoot } from './lib/context.js';
import { installExitHandlers, runCleanups } from './lib/owned.js';
import { pythonExecutable, runOwned } from './lib/python.js';
import { alternate, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick ?? false;
const rounds = quick ? 2 : 5;
/** Items of the map at its default chunksize (batches), and of the imap at chunksize 1 (one message per task). */
const mapItems = quick ? 50_000 : 200_000;
const perTaskItems = quick ? 5_000 : 20_000;

interface Figures {
  /** map at default chunksize: tasks per second and ms for the whole map. */
  map: number;
  mapMs: number;
  /** imap at chunksize 1: tasks per second (each task one message each way). */
  imap1: number;
}

const python = await pythonExecutable();
const worker = (name: string): string => resolve(repoRoot, 'bench/workers', name);

async function timePool(pool: Pool): Promise<Figures> {
  const items = Array.from({ length: mapItems }, (_, i) => i);
  let started = performance.now();
  const squares = await pool.map<number>(items);
  const mapMs = performance.now() - started;
  if (squares[mapItems - 1] !== (mapItems - 1) ** 2) throw new Error('map returned a wrong result');
  started = performance.now();
  let last: unknown;
  for await (const value of pool.imap(items.slice(0, perTaskItems), { chunksize: 1 })) last = value;
  if (last !== (perTaskItems - 1) ** 2) throw new Error('imap returned a wrong result');
  const imap1 = perTaskItems / ((performance.now() - started) / 1000);
  return { map: mapItems / (mapMs / 1000), mapMs, imap1 };
}

async function timeMultiprocessing(): Promise<Figures & { startMethod: string }> {
  const stdout = await runOwned(python, [
    resolve(repoRoot, 'bench/python/mp_pool.py'),
    ...['--processes', '2', '--map', String(mapItems), '--imap', String(perTaskItems), '--apply', '20'],
  ]);
  const figures = JSON.parse(stdout.trim().split('\n').pop()!) as { map: number; imap1: number; startMethod: string };
  return { map: figures.map, mapMs: (mapItems / figures.map) * 1000, imap1: figures.imap1, startMethod: figures.startMethod };
}

const contenders: Record<string, PoolOptions> = {
  'Python target': { processes: 2, target: `${worker('square.py')}:square`, python },
  'Python helper': { processes: 2, command: python, args: [worker('square.py')] },
  'Node target': { processes: 2, target: `${worker('square-target.mjs')}:square`, node: process.execPath },
  'Node helper': { processes: 2, command: process.execPath, args: [worker('square.cjs')] },
};

installExitHandlers();
const pools = new Map<string, Pool>();
try {
  for (const [name, options] of Object.entries(contenders)) {
    const pool = new Pool({ ...options, name });
    pools.set(name, pool);
    await pool.map(Array.from({ length: 5000 }, (_, i) => i)); // every worker started, imported and warm
  }
  console.log(`targets-map: ${rounds} rounds; map of ${mapItems} at default chunksize, imap of ${perTaskItems} at chunksize 1; 2 workers each`);
  const runs: Record<string, () => Promise<Figures>> = { multiprocessing: timeMultiprocessing };
  for (const [name, pool] of pools) runs[name] = () => timePool(pool);
  let startMethod = '';
  const results = await alternate(rounds, runs, (round, figures) => {
    startMethod ||= (figures.multiprocessing as Figures & { startMethod: string }).startMethod;
    console.log(`  round ${round + 1}: ${Object.entries(figures).map(([name, f]) => `${name} ${f.map.toFixed(0)}/s`).join(', ')}`);
  });
  const median = (name: string, key: keyof Figures): number => summarize(results[name]!.map((figures) => figures[key])).median;
  const range = (name: string, key: keyof Figures): string => {
    const { min, max } = summarize(results[name]!.map((figures) => figures[key]));
    return `${min.toFixed(0)}–${max.toFixed(0)}`;
  };
  console.log(`\n| contender | map tasks/s (min–max) | map ms | imap chunksize=1 tasks/s (min–max) |`);
  console.log('|---|---|---|---|');
  for (const name of Object.keys(runs)) {
    const label = name === 'multiprocessing' ? `multiprocessing.Pool(2) (${startMethod})` : name;
    console.log(`| ${label} | ${median(name, 'map').toFixed(0)} (${range(name, 'map')}) | ${median(name, 'mapMs').toFixed(0)} | ${median(name, 'imap1').toFixed(0)} (${range(name, 'imap1')}) |`);
  }
  const ratio = (a: string, b: string, key: keyof Figures): string => (median(a, key) / median(b, key)).toFixed(2);
  console.log('\nratios of tasks/s (higher: the first is faster)');
  for (const language of ['Python', 'Node']) {
    console.log(`  ${language} target ÷ ${language} helper: map ${ratio(`${language} target`, `${language} helper`, 'map')}, imap1 ${ratio(`${language} target`, `${language} helper`, 'imap1')}`);
    console.log(`  ${language} target ÷ multiprocessing: map ${ratio(`${language} target`, 'multiprocessing', 'map')}, imap1 ${ratio(`${language} target`, 'multiprocessing', 'imap1')}`);
  }
} finally {
  await Promise.all([...pools.values()].map((pool) => pool.terminate()));
  await runCleanups();
}
