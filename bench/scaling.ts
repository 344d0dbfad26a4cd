// How the supervisor's cost grows with the number of live processes: at N = 100, 500, 1,000 and 2,000
// idle `sleep 3600`, the supervisor host's CPU (% of a core), RSS and one sampling tick's wall time,
// beside the bare floor (Node + one pidusage call a second), the two alternating in order between sizes.
// Draws its results as an SVG chart and prints the Markdown table for docs/benchmarks.md. The chart
// goes beside the results in bench/.cache/results/, or replaces the published docs/scaling.svg with
// --docs (so that a partial run, --sizes 100,500 say, cannot overwrite it by accident).
//   npm run bench:scaling [-- --seconds 20] [-- --sizes 100,500] [-- --docs]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSoftLimit } from '../main/core/os-limits.js';
import { cacheRoot, repoRoot, type BenchContext } from './lib/context.js';
import { installExitHandlers, runCleanups } from './lib/owned.js';
import { writeJsonAtomically } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { measureBesideFloor } from './rows/7-supervisors.js';
import { scalingSvg, type ScalingPoint } from './lib/scaling-svg.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, sizes: { type: 'string', default: '100,500,1000,2000' }, docs: { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);
const sizes = values.sizes!.split(',').map(Number);

installExitHandlers();
const started = performance.now();
const context: BenchContext = {
  quick: false,
  root: repoRoot,
  cacheDir: cacheRoot,
  log: (message) => console.log(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`),
};
const median = (values: readonly number[] = []): number => (values.length > 0 ? summarize(values).median : Number.NaN);
/**
 * Fds a host holds per idle process, counted in /proc/<host>/fd at N = 1,000: 4,022 for the supervisor
 * host (3 per process before its first tick; pidusage keeps one more open per pid). Both inherit our limit.
 */
const FDS_PER_PROCESS = 4;
const openFilesLimit = readSoftLimit('Max open files');
const points: ScalingPoint[] = [];
const load: number[][] = [];
try {
  for (const [index, count] of sizes.entries()) {
    if (openFilesLimit !== null && count * FDS_PER_PROCESS + 200 > openFilesLimit) {
      console.log(`N = ${count} not measured: it needs about ${count * FDS_PER_PROCESS + 200} open files, and ulimit -n is ${openFilesLimit}`);
      continue;
    }
    load.push(loadavg());
    let measured;
    try {
      measured = await measureBesideFloor(context, { count, seconds, floorFirst: index % 2 === 1 });
    } catch (error) {
      // A size the machine could not start in time is left out of the figure, and said so.
      console.log(`N = ${count} not measured: ${(error as Error).message}`);
      await runCleanups();
      continue;
    }
    const { ours, floor } = measured;
    points.push({
      count,
      ours: { cpuPercent: median(ours.cpuPercent), rssMiB: ours.rssBytes / 2 ** 20, tickMs: median(ours.tickMs) },
      floor: { cpuPercent: median(floor.cpuPercent), rssMiB: floor.rssBytes / 2 ** 20, tickMs: median(floor.tickMs) },
    });
  }
} finally {
  await runCleanups();
}

writeJsonAtomically(resolve(cacheRoot, 'results/scaling.json'), { date: new Date().toISOString(), seconds, loadAverages: load, points });
const chart = values.docs ? resolve(repoRoot, 'docs/scaling.svg') : resolve(cacheRoot, 'results/scaling.svg');
writeFileSync(chart, scalingSvg(points));
const perProcess = (value: number, count: number): string => ((value / count) * 1000).toFixed(2);
console.log(`\nload averages before each size: ${load.map((entry) => entry.map((value) => value.toFixed(2)).join(' ')).join(' | ')}\n`);
console.log('| N | supervisor CPU, % of a core | floor CPU | ratio | supervisor RSS, MiB | floor RSS | one tick, ms (supervisor) | one tick (floor) | supervisor CPU per 1,000 processes |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const { count, ours, floor } of points) {
  console.log(
    `| ${count} | ${ours.cpuPercent.toFixed(2)} | ${floor.cpuPercent.toFixed(2)} | ${(ours.cpuPercent / floor.cpuPercent).toFixed(2)}× | ${ours.rssMiB.toFixed(0)} | ${floor.rssMiB.toFixed(0)} | ${ours.tickMs.toFixed(1)} | ${floor.tickMs.toFixed(1)} | ${perProcess(ours.cpuPercent, count)} % |`,
  );
}
console.log(`\nwrote ${chart}`);
