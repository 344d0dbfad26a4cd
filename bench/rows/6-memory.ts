// Row 6: memory of an idle worker. USS (private memory: what ending the worker gives back) and RSS of a
// Node helper worker and a Python helper worker, beside an idle multiprocessing.Pool worker.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { disown, own } from '../lib/owned.js';
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

export const memoryRow: BenchRow = {
  id: '6',
  aliases: ['memory'],
  title: 'Memory of an idle worker: Node and Python helpers beside a multiprocessing.Pool worker',
  async run(context: BenchContext): Promise<Row[]> {
    const Pool = await loadPool();
    if (!Pool) return [skippedRow('6', this.title, 'main/core/pool.ts does not exist yet')];
    const rounds = context.quick ? 2 : 5;
    const python = await pythonExecutable();
    const helperWorker = async (command: string, script: string): Promise<Memory> => {
      const pool = new Pool({ processes: 1, command, args: [resolve(context.root, script)], mode: 'worker' });
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
    let startMethod = 'fork';
    const results = await alternate<'node' | 'python' | 'mp', Memory>(rounds, {
      node: () => helperWorker(process.execPath, 'bench/workers/square.cjs'),
      python: () => helperWorker(python, 'bench/workers/square.py'),
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
    return rows;
  },
};
