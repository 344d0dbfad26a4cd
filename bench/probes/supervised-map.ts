// Probe (not in npm test): what the app's path adds to a big map. The same map of N items, default
// chunksize, through a bare Pool, a pool the Supervisor created, and one with the run history recording
// too, alternating; per round wall ms and the main thread's CPU ms (process.cpuUsage: this process only).
// Run: npx tsx bench/probes/supervised-map.ts [items=200000] [rounds=5] [only=bare|supervised]
// (`only` times one side: for `node --cpu-prof --import tsx …`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunHistory } from '../../main/app/run-history/run-history.js';
import { Supervisor } from '../../main/app/supervisor.js';
import { Pool } from '../../main/core/pool.js';

const items = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
const only = process.argv[4];
const WORKER = join(import.meta.dirname, '../workers/square.cjs');
const spec = { processes: 2, command: process.execPath, args: [WORKER], mode: 'worker' as const };

const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-supervised-map-'));
const bare = new Pool(spec);
const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 1000, orphanWatchdog: false });
const history = new RunHistory(supervisor, { dataDir });
const supervised = supervisor.poolOf(supervisor.createPool(spec).id);
const contenders = { bare, supervised };
const list = Array.from({ length: items }, (_, i) => i);
const figures: Record<string, { ms: number[]; cpu: number[] }> = { bare: { ms: [], cpu: [] }, supervised: { ms: [], cpu: [] } };
try {
  for (const pool of Object.values(contenders)) await pool.map(list.slice(0, 5000));
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['bare', 'supervised'] as const) : (['supervised', 'bare'] as const);
    for (const name of order.filter((name) => only === undefined || name === only)) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const values = await contenders[name].map(list);
      if (values[items - 1] !== (items - 1) ** 2) throw new Error('wrong result');
      figures[name].ms.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      figures[name].cpu.push((used.user + used.system) / 1000);
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [name, { ms, cpu }] of Object.entries(figures).filter(([, { ms }]) => ms.length > 0)) {
    console.log(`${name.padEnd(10)} wall ms ${ms.map((v) => v.toFixed(0)).join(' ')} (median ${median(ms).toFixed(0)}), main CPU ms ${cpu.map((v) => v.toFixed(0)).join(' ')} (median ${median(cpu).toFixed(0)})`);
  }
  if (only === undefined) console.log(`supervised ÷ bare, tasks/s of the medians: ${(median(figures.bare.ms) / median(figures.supervised.ms)).toFixed(2)}`);
} finally {
  await bare.terminate();
  await supervisor.shutdown({ terminateAll: true });
  history.dispose();
  await supervisor.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
