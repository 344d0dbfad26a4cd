// The multiprocessing inspector's cost to the program it watches (issue 11: within 10 %): the same
// unmodified Python program run by the Supervisor with inspection on (the default for python3) and
// off (`inspect: false`), alternating, in one run. Two workloads (bench/python/mp_inspected.py): a
// Pool(2).map of 100,000 tiny tasks, and 200 short Processes started then joined. Three figures each:
// the workload's wall time as the program times it, its CPU time (the program's threads and its joined
// children: on a shared 2-core machine wall time is mostly waiting for a core), and the job's whole
// life (start to exit, with the interpreter's start-up and the inspector's import) as the Supervisor sees it.
// --baseline DIR adds a third contender per workload, inspection on with another version's helpers and
// inspector (DIR is its resources/workers, beside its inspector folder), for a before/after in one run.
//   npx tsx bench/inspector-overhead.ts [--quick] [--rounds N] [--baseline DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Supervisor } from '../main/app/supervisor.js';
import { repoRoot } from './lib/context.js';
import { disown, installExitHandlers, own, runCleanups } from './lib/owned.js';
import { pythonExecutable } from './lib/python.js';
import { alternate, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string' }, baseline: { type: 'string' } } });
const rounds = values.rounds !== undefined ? Number(values.rounds) : values.quick ? 3 : 9;
const WORKLOADS = { map: 100_000, processes: 200 } as const;
type Workload = keyof typeof WORKLOADS;

interface Timing {
  /** The workload, timed inside the program. */
  workloadMs: number;
  /** The workload's CPU time: the program's threads and its joined children, user + system. */
  cpuMs: number;
  /** The job from its start to its exit, as the Supervisor saw it. */
  jobMs: number;
  /** Rows the inspector reported (processes + pools + tasks): 0 when off, and a check that it was on. */
  reported: number;
}

const python = await pythonExecutable();
const program = resolve(repoRoot, 'bench/python/mp_inspected.py');
const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-bench-inspector-'));
const current = new Supervisor({ dataDir, sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false });
const baseline =
  values.baseline === undefined ? null : new Supervisor({ dataDir: join(dataDir, 'baseline'), sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false, workersDir: resolve(values.baseline) });

async function run(workload: Workload, inspect: boolean, supervisor = current): Promise<Timing> {
  const started = performance.now();
  const row = await supervisor.createProcess({ command: python, args: [program, workload, String(WORKLOADS[workload])], inspect });
  const job = supervisor.processOf(row.id);
  if (job.pid !== null) own(job.pid, `${workload} inspect=${inspect}`, { group: false });
  const exitcode = await job.join();
  const jobMs = performance.now() - started;
  if (job.pid !== null) disown(job.pid);
  const lines = supervisor.readLogs(row.id).lines;
  if (exitcode !== 0) throw new Error(`${workload} (inspect ${inspect}) exited with ${exitcode}: ${lines.map((line) => line.text).join('\n')}`);
  const result = JSON.parse(lines.filter((line) => line.stream === 'stdout').at(-1)!.text) as { ms: number; cpuMs: number };
  // The last reports go at the program's exit: give them a moment to be read.
  await new Promise((resolveWait) => setTimeout(resolveWait, inspect ? 150 : 0));
  const inspection = supervisor.inspection(row.id);
  const reported = inspection === null ? 0 : inspection.processes.length + inspection.pools.length + inspection.pools.reduce((sum, pool) => sum + pool.tasks.length, 0);
  supervisor.remove(row.id);
  return { workloadMs: result.ms, cpuMs: result.cpuMs, jobMs, reported };
}

installExitHandlers();
try {
  console.log(`inspector-overhead: ${rounds} rounds, alternating on and off; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  await run('map', true); // warm: the interpreter's files and the inspector's in the page cache
  const contenders: Record<string, () => Promise<Timing>> = {
    'map on': () => run('map', true),
    'map off': () => run('map', false),
    'processes on': () => run('processes', true),
    'processes off': () => run('processes', false),
  };
  if (baseline !== null) {
    contenders['map baseline'] = () => run('map', true, baseline);
    contenders['processes baseline'] = () => run('processes', true, baseline);
  }
  const results = await alternate(rounds, contenders, (round, figures) => {
    console.log(`  round ${round + 1} (wall/CPU/job): ${Object.entries(figures).map(([name, timing]) => `${name} ${timing.workloadMs.toFixed(0)}/${timing.cpuMs.toFixed(0)}/${timing.jobMs.toFixed(0)} ms`).join(', ')}`);
  });
  for (const [name, timings] of Object.entries(results)) {
    const on = !name.endsWith(' off');
    if (timings.some((timing) => (timing.reported > 0) !== on)) throw new Error(`${name}: the inspector reported ${timings.map((timing) => timing.reported).join(', ')} rows`);
  }
  type Figure = 'workloadMs' | 'cpuMs' | 'jobMs';
  const median = (name: string, key: Figure) => summarize(results[name].map((timing) => timing[key]));
  console.log(`\nload average at the end ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  console.log('\n| workload | inspection | workload ms, median (min–max) | workload CPU ms | job ms |');
  console.log('|---|---|---|---|---|');
  for (const name of Object.keys(contenders)) {
    const [workload, state] = name.split(' ');
    const cell = (key: Figure) => {
      const { median: middle, min, max } = median(name, key);
      return `${middle.toFixed(0)} (${min.toFixed(0)}–${max.toFixed(0)})`;
    };
    console.log(`| ${workload === 'map' ? 'Pool(2).map of 100,000' : '200 Processes'} | ${state} | ${cell('workloadMs')} | ${cell('cpuMs')} | ${cell('jobMs')} |`);
  }
  console.log('\nratios of the medians, on ÷ off (target ≤ 1.10)');
  for (const state of baseline === null ? ['on'] : ['on', 'baseline']) {
    for (const workload of Object.keys(WORKLOADS) as Workload[]) {
      const ratio = (key: Figure) => (median(`${workload} ${state}`, key).median / median(`${workload} off`, key).median).toFixed(3);
      console.log(`  ${workload} ${state}: workload ${ratio('workloadMs')}, workload CPU ${ratio('cpuMs')}, job ${ratio('jobMs')}`);
    }
  }
} finally {
  for (const supervisor of baseline === null ? [current] : [current, baseline]) {
    await supervisor.shutdown({ terminateAll: true, graceMs: 500 });
    await supervisor.dispose();
  }
  rmSync(dataDir, { recursive: true, force: true });
  await runCleanups();
}
