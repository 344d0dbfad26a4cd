// Rows 1 and 2: pool throughput on tiny tasks (return x*x), 2 workers, beside Python's own
// multiprocessing.Pool(2) run by a stdlib-only script in the same run, alternating.
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunHistory } from '../../main/app/run-history/run-history.js';
import { Supervisor } from '../../main/app/supervisor.js';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { ForkFloor } from '../lib/fork-floor.js';
import { loadPool, type PoolLike } from '../lib/pool.js';
import { makeRow, skippedRow, type Row } from '../lib/report.js';
import { alternate } from '../lib/stats.js';
import { pythonExecutable, runOwned } from '../lib/python.js';

export interface Sizes {
  map: number;
  imap: number;
  apply: number;
}

export interface PythonFigures {
  startMethod: string;
  map: number;
  imap1: number;
  applyAsync: number;
  apply: number;
}

/** One run of bench/python/mp_pool.py: a fresh multiprocessing.Pool, warmed, then timed. */
export async function runPythonPool(context: BenchContext, sizes: Sizes): Promise<PythonFigures> {
  const stdout = await runOwned(await pythonExecutable(), [
    resolve(context.root, 'bench/python/mp_pool.py'),
    '--processes',
    '2',
    '--map',
    String(sizes.map),
    '--imap',
    String(sizes.imap),
    '--apply',
    String(sizes.apply),
  ]);
  return JSON.parse(stdout.trim().split('\n').pop()!) as PythonFigures;
}

export interface PoolFigures {
  map: number;
  imap1: number;
  applyAsync: number;
  apply: number;
}

const perSecond = (count: number, started: number): number => count / ((performance.now() - started) / 1000);

/** The same four styles through our Pool (already started and warmed). */
export async function runOurPool(pool: PoolLike, sizes: Sizes): Promise<PoolFigures> {
  const mapItems = Array.from({ length: sizes.map }, (_, i) => i);
  let started = performance.now();
  const squares = await pool.map(mapItems);
  const map = perSecond(sizes.map, started);
  if (squares[sizes.map - 1] !== (sizes.map - 1) ** 2) throw new Error('map returned a wrong result');

  const imapItems = mapItems.slice(0, sizes.imap);
  started = performance.now();
  let lastImapValue: unknown;
  for await (const value of pool.imap(imapItems, { chunksize: 1 })) lastImapValue = value;
  if (lastImapValue !== (sizes.imap - 1) ** 2) throw new Error('imap returned a wrong result');
  const imap1 = perSecond(sizes.imap, started);

  started = performance.now();
  const pending = mapItems.slice(0, sizes.apply).map((x) => pool.applyAsync([x]));
  for (const handle of pending) await handle.get();
  const applyAsync = perSecond(sizes.apply, started);

  const count = Math.max(1, Math.floor(sizes.apply / 20));
  started = performance.now();
  for (let x = 0; x < count; x += 1) await pool.apply([x]);
  const apply = perSecond(count, started);
  return { map, imap1, applyAsync, apply };
}

export function poolRows(
  prefix: string,
  what: string,
  ours: PoolFigures[],
  python: PythonFigures[],
  floor: number[] | null,
  startMethod: string,
): Row[] {
  const pick = <T, K extends keyof T>(list: T[], key: K): number[] => list.map((entry) => entry[key] as number);
  const reference = `multiprocessing.Pool(2) (${startMethod})`;
  const rows = [
    makeRow({
      id: `${prefix}-map`,
      description: `${what}: map(range(n)) at default chunksize`,
      unit: 'tasks/s',
      better: 'higher',
      ours: pick(ours, 'map'),
      reference: { name: `${reference}.map`, values: pick(python, 'map') },
      target: { on: 'ratio', min: 2 },
    }),
    makeRow({
      id: `${prefix}-imap1`,
      description: `${what}: imap(…, chunksize=1)`,
      unit: 'tasks/s',
      better: 'higher',
      ours: pick(ours, 'imap1'),
      reference: { name: `${reference}.imap chunksize=1`, values: pick(python, 'imap1') },
    }),
    makeRow({
      id: `${prefix}-apply-async`,
      description: `${what}: applyAsync for every task, then get() each`,
      unit: 'tasks/s',
      better: 'higher',
      ours: pick(ours, 'applyAsync'),
      reference: { name: `${reference}.apply_async + get`, values: pick(python, 'applyAsync') },
    }),
    makeRow({
      id: `${prefix}-apply`,
      description: `${what}: apply, one task at a time (round trip)`,
      unit: 'tasks/s',
      better: 'higher',
      ours: pick(ours, 'apply'),
      reference: { name: `${reference}.apply`, values: pick(python, 'apply') },
    }),
  ];
  if (floor) {
    rows.push(
      makeRow({
        id: `${prefix}-map-vs-floor`,
        description: `${what}: map beside the floor, child_process.fork + process.send, 64 messages in flight per child`,
        unit: 'tasks/s',
        better: 'higher',
        ours: pick(ours, 'map'),
        reference: { name: 'fork + process.send', values: floor },
      }),
    );
  }
  return rows;
}

export function sizesFor(context: BenchContext): Sizes {
  return context.quick ? { map: 50_000, imap: 5_000, apply: 5_000 } : { map: 200_000, imap: 20_000, apply: 20_000 };
}

export const poolNodeRow: BenchRow = {
  id: '1',
  aliases: ['pool-node', 'pool'],
  title: 'Pool throughput, tiny tasks, 2 Node helper workers, beside multiprocessing.Pool(2)',
  async run(context: BenchContext): Promise<Row[]> {
    const Pool = await loadPool();
    if (!Pool) return [skippedRow('1', this.title, 'main/core/pool.ts does not exist yet')];
    const rounds = context.quick ? 2 : 5;
    const sizes = sizesFor(context);
    const pool = new Pool({ processes: 2, command: process.execPath, args: [resolve(context.root, 'bench/workers/square.cjs')], mode: 'worker' });
    const floor = new ForkFloor(2);
    // The same pool created through the Supervisor with the run history recording, as the app's
    // backend creates it (task rows, deltas, a run record per chunk).
    const dataDir = resolve(context.cacheDir, 'run', 'supervised-pool');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const supervisor = new Supervisor({ dataDir });
    const history = new RunHistory(supervisor, { dataDir });
    const supervisedRow = supervisor.createPool({ processes: 2, command: process.execPath, args: [resolve(context.root, 'bench/workers/square.cjs')], mode: 'worker' });
    const supervised = supervisor.poolOf(supervisedRow.id);
    try {
      await pool.map(Array.from({ length: 5000 }, (_, i) => i));
      await supervised.map(Array.from({ length: 1000 }, (_, i) => i));
      await floor.run(5000);
      context.log(`${rounds} rounds: map ${sizes.map}, imap ${sizes.imap}, applyAsync ${sizes.apply} tasks each`);
      const results = await alternate<'ours' | 'python' | 'floor' | 'supervised', PoolFigures | PythonFigures | number>(
        rounds,
        {
          ours: () => runOurPool(pool, sizes),
          python: () => runPythonPool(context, sizes),
          floor: () => floor.run(sizes.map),
          // The bare pool's map is the first call of `ours`: the two maps alternate within the round.
          supervised: async () => {
            const items = Array.from({ length: sizes.map }, (_, i) => i);
            const started = performance.now();
            await supervised.map(items);
            return perSecond(sizes.map, started);
          },
        },
        (round, figures) => {
          const ours = figures.ours as PoolFigures;
          const python = figures.python as PythonFigures;
          context.log(
            `round ${round + 1}: map ours ${ours.map.toFixed(0)}/s supervised ${(figures.supervised as number).toFixed(0)}/s python ${python.map.toFixed(0)}/s floor ${(figures.floor as number).toFixed(0)}/s`,
          );
        },
      );
      const python = results.python as PythonFigures[];
      return [
        ...poolRows('1-node', 'Node helper, 2 workers', results.ours as PoolFigures[], python, results.floor as number[], python[0].startMethod),
        makeRow({
          id: '1-node-map-supervised',
          description: `Node helper, 2 workers: map(range(n)) through a pool the Supervisor created, the run history recording (the app's path: task rows, deltas, run records)`,
          unit: 'tasks/s',
          better: 'higher',
          ours: results.supervised as number[],
          reference: { name: 'the bare Pool.map', values: (results.ours as PoolFigures[]).map((figures) => figures.map) },
          target: { on: 'ratio', min: 0.8 },
        }),
        makeRow({
          id: '1-node-map-supervised-vs-python',
          description: `Node helper, 2 workers: map(range(n)) through a pool the Supervisor created, beside Python's`,
          unit: 'tasks/s',
          better: 'higher',
          ours: results.supervised as number[],
          reference: { name: `multiprocessing.Pool(2) (${python[0].startMethod}).map`, values: python.map((figures) => figures.map) },
        }),
      ];
    } finally {
      floor.close();
      await pool.terminate();
      await supervisor.shutdown({ terminateAll: true });
      history.dispose();
      await supervisor.dispose();
    }
  },
};
