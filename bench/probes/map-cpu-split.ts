// Probe (not in npm test): where a map's CPU goes. The same map(range(n)) of x*x at the default
// chunksize, `rounds` times after a warm-up, through our Pool with the Node and the Python helper and
// through multiprocessing.Pool(2) (bench/python/mp_map_cpu.py); per map: wall ms, the main process's
// CPU ms (all its threads) and the two workers' together, from /proc/<pid>/stat (10 ms ticks, hence
// many rounds). On 2 cores the three processes share the CPU: the sum bounds the wall time from below.
// Run: npx tsx bench/probes/map-cpu-split.ts [items=200000] [rounds=10]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from '../../main/core/pool.js';

const items = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 10);
const here = import.meta.dirname;
const ticksToMs = 10;

/** utime + stime of `pid` (fields 14 and 15 of proc(5)), in ms. */
function cpuMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * ticksToMs;
}

async function ours(name: string, command: string, args: string[]): Promise<string> {
  const pool = new Pool({ processes: 2, command, args, mode: 'worker' });
  try {
    const list = Array.from({ length: items }, (_, i) => i);
    await pool.map(list.slice(0, 5000));
    const pids = pool.workers.map((worker) => worker.pid!);
    const workersBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const main = process.cpuUsage();
    const started = performance.now();
    for (let round = 0; round < rounds; round += 1) await pool.map(list);
    const wall = (performance.now() - started) / rounds;
    const used = process.cpuUsage(main);
    const workers = (pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - workersBefore) / rounds;
    return line(name, wall, (used.user + used.system) / 1000 / rounds, workers);
  } finally {
    await pool.terminate();
  }
}

function python(): string {
  const out = execFileSync('python3', [join(here, '../python/mp_map_cpu.py'), '--items', String(items), '--rounds', String(rounds)], { encoding: 'utf8' });
  const figures = JSON.parse(out) as { wallMs: number; mainMs: number; workersMs: number };
  return line('multiprocessing.Pool(2) (fork)', figures.wallMs, figures.mainMs, figures.workersMs);
}

function line(name: string, wall: number, main: number, workers: number): string {
  return `${name.padEnd(32)} wall ${wall.toFixed(1)} ms, main CPU ${main.toFixed(1)} ms, workers CPU ${workers.toFixed(1)} ms, sum ${(main + workers).toFixed(1)} ms (${(((main + workers) * 1e6) / items).toFixed(0)} ns/item)`;
}

console.log(await ours('ours, Node helper', process.execPath, [join(here, '../workers/square.cjs')]));
console.log(python());
console.log(await ours('ours, Python helper', 'python3', [join(here, '../workers/square.py')]));
console.log(python());
