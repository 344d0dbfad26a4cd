// Probe (not in npm test): how many `echo` tasks per second an exec-mode pool of 4 runs, bare and
// through the Supervisor (what the app runs). Run: npx tsx bench/probes/exec-rate.ts [tasks=600]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../../main/app/supervisor.js';
import { Pool } from '../../main/core/pool.js';

const tasks = Number(process.argv[2] ?? 600);
const inputs = Array.from({ length: tasks }, (_, i) => String(i));

async function bare(): Promise<number> {
  const pool = new Pool({ processes: 4, mode: 'exec', command: 'echo', args: ['task', '{}'] });
  const started = performance.now();
  await pool.map(inputs, { chunksize: 1 });
  const ms = performance.now() - started;
  await pool.terminate();
  await pool.join();
  return (tasks / ms) * 1000;
}

async function throughSupervisor(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-exec-rate-'));
  const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 250, graceMs: 500 });
  try {
    const row = supervisor.createPool({ processes: 4, mode: 'exec', command: 'echo', args: ['task', '{}'] });
    const pool = supervisor.poolOf(row.id);
    const started = performance.now();
    supervisor.submitTasks(row.id, inputs.map((input) => [input]));
    while (pool.counts.done + pool.counts.failed < tasks) await new Promise((resolve) => setTimeout(resolve, 10));
    return (tasks / (performance.now() - started)) * 1000;
  } finally {
    await supervisor.shutdown({ terminateAll: true });
    await supervisor.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`exec pool of 4, ${tasks} echo tasks: bare ${(await bare()).toFixed(0)} tasks/s, through the Supervisor ${(await throughSupervisor()).toFixed(0)} tasks/s`);
