// Row 6: memory of an idle worker. USS (private memory: what ending the worker gives back) and RSS of a
// Node helper worker and a Python helper worker, beside an idle multiprocessing.Pool worker. A Python
// function-target pool forks its workers from a template on Linux (main/core/python-template.ts): its
// worker is measured so, and spawned (POOLDECK_PYTHON_TEMPLATE=0) beside it. Also: a pool of 8 Python
// workers until all of them answered, beside multiprocessing.Pool(8).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { disown, own } from '../lib/owned.js';
import { Pool as TargetPool } from '../../main/core/pool.js';
import { loadPool } from '../lib/pool.js';
import { memoryOf, type Memory } from '../lib/procfs.js';
import { pythonExecutable } from '../lib/python.js';
import { makeRow, skippedRow, type Row } from '../lib/report.js';
import { alternate, sleep } from '../lib/stats.js';

const MiB = 2 ** 20;
const IDLE_MS = 1000;

/** An idle multiprocessing.Pool(1) worker: its memory, read after it has been idle a second. */
async function pythonPoolWorker(context: BenchContext): Promise<Memory & { startMethod: string }> {
  const child = spawn(await pythonExecutable(), [resolve(context.root, 'bench/python/mp_idle_worker.py')], {
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  own(child.pid!, 'multiprocessing idle worker');
  try {
    const line = await new Promise<string>((resolveLine, rejectLine) => {
      createInterface({ input: child.stdout }).once('line', resolveLine);
      child.once('exit', (code) => rejectLine(new Error(`mp_idle_worker.py ended with ${code}`)));
    });
    const { pids, startMethod } = JSON.parse(line) as { pids: number[]; startMethod: string };
    await sleep(IDLE_MS);
    const memory = memoryOf(pids[0]);
    if (!memory) throw new Error('could not read the multiprocessing worker\'s memory');
    return { ...memory, startMethod };
  } finally {
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.stdin.end();
    await Promise.race([exited, sleep(5000)]);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    disown(child.pid!);
  }
}

/** multiprocessing.Pool(8) until its workers answered (its own clock, from Pool(8) on), ms. */
async function pythonPoolReadyMs(context: BenchContext): Promise<number> {
  const child = spawn(await pythonExecutable(), [resolve(context.root, 'bench/python/mp_pool_ready.py')], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  own(child.pid!, 'multiprocessing.Pool(8)');
  try {
    const line = await new Promise<string>((resolveLine, rejectLine) => {
      createInterface({ input: child.stdout }).once('line', resolveLine);
      child.once('exit', (code) => rejectLine(new Error(`mp_pool_ready.py ended with ${code}`)));
    });
    return (JSON.parse(line) as { ms: number }).ms;
  } finally {
    await Promise.race([new Promise((resolveExit) => child.once('exit', resolveExit)), sleep(5000)]);
    disown(child.pid!);
  }
}

export const memoryRow: BenchRow = {
  id: '6',
  aliases: ['memory'],
  title: 'Memory of an idle worker: Node and Python helpers beside a multiprocessing.Pool worker',
  async run(context: BenchContext): Promise<Row[]> {
    if (!(await loadPool())) return [skippedRow('6', this.title, 'main/core/pool.ts does not exist yet')];
    const rounds = context.quick ? 2 : 5;
    const python = await pythonExecutable();
    type IdlePool = Pick<TargetPool, 'map' | 'workers' | 'terminate'>;
    /** The memory of the pool's one worker, idle a second after 100 tasks; the pool is terminated. */
    const idleWorker = async (pool: IdlePool, script: string): Promise<Memory> => {
      try {
        await pool.map(Array.from({ length: 100 }, (_, i) => i), { chunksize: 1 });
        await sleep(IDLE_MS);
        const pid = pool.workers[0]?.pid;
        const memory = pid ? memoryOf(pid) : null;
        if (!memory) throw new Error(`could not read the memory of the ${script} worker`);
        return memory;
      } finally {
        await pool.terminate();
      }
    };
    const helperWorker = (command: string, script: string): Promise<Memory> =>
      idleWorker(new TargetPool({ processes: 1, command, args: [resolve(context.root, script)], mode: 'worker' }), script);
    const square = `${resolve(context.root, 'bench/workers/square.py')}:square`;
    const targetWorker = (env: Record<string, string>): Promise<Memory> => idleWorker(new TargetPool({ processes: 1, target: square, python, env }), square);
    let startMethod = 'fork';
    const results = await alternate<'node' | 'python' | 'forked' | 'spawned' | 'mp', Memory>(rounds, {
      node: () => helperWorker(process.execPath, 'bench/workers/square.cjs'),
      python: () => helperWorker(python, 'bench/workers/square.py'),
      forked: () => targetWorker({}),
      spawned: () => targetWorker({ POOLDECK_PYTHON_TEMPLATE: '0' }),
      mp: async () => {
        const memory = await pythonPoolWorker(context);
        startMethod = memory.startMethod;
        return memory;
      },
    });
    const mib = (list: Memory[], key: keyof Memory): number[] => list.map((memory) => memory[key] / MiB);
    const reference = `idle multiprocessing.Pool worker (${startMethod})`;
    const rows: Row[] = [];
    for (const [key, label] of [
      ['node', 'Node helper worker (node + pooldeck-worker.cjs)'],
      ['python', 'Python helper worker (python3 + pooldeck_worker.py)'],
      ['forked', 'Python target-pool worker forked from the template'],
      ['spawned', 'Python target-pool worker spawned (POOLDECK_PYTHON_TEMPLATE=0)'],
    ] as const) {
      rows.push(
        makeRow({
          id: `6-${key}-uss`,
          description: `idle ${label}: USS (private memory)`,
          unit: 'MiB',
          better: 'lower',
          ours: mib(results[key], 'uss'),
          reference: { name: reference, values: mib(results.mp, 'uss') },
        }),
        makeRow({
          id: `6-${key}-rss`,
          description: `idle ${label}: RSS`,
          unit: 'MiB',
          better: 'lower',
          ours: mib(results[key], 'rss'),
          reference: { name: reference, values: mib(results.mp, 'rss') },
        }),
      );
    }
    const probe = `${resolve(context.root, 'bench/workers/ready_probe.py')}:pid_after_nap`;
    const readyMs = async (env: Record<string, string>): Promise<number> => {
      const start = performance.now();
      const pool = new TargetPool({ processes: 8, target: probe, python, env });
      try {
        await pool.map(Array.from({ length: 8 }, (_, i) => i), { chunksize: 1 });
        return performance.now() - start;
      } finally {
        await pool.terminate();
      }
    };
    const ready = await alternate<'forked' | 'spawned' | 'mp'>(rounds, {
      forked: () => readyMs({}),
      spawned: () => readyMs({ POOLDECK_PYTHON_TEMPLATE: '0' }),
      mp: () => pythonPoolReadyMs(context),
    });
    for (const key of ['forked', 'spawned'] as const) {
      rows.push(
        makeRow({
          id: `6-pool8-${key}-ready`,
          description: `a pool of 8 Python workers (${key === 'forked' ? 'forked from the template' : 'spawned'}) until all answered 8 tasks of 50 ms`,
          unit: 'ms',
          better: 'lower',
          ours: ready[key],
          reference: { name: `multiprocessing.Pool(8) (${startMethod}), same tasks`, values: ready.mp },
        }),
      );
    }
    return rows;
  },
};
