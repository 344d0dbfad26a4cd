// How long `new Pool({ processes: 512 })` keeps the event loop from answering: the time until a
// callback queued right after it runs, the longest gap between ticks while the workers start,
// and the time until all have started. Not part of npm test.
//   npx tsx bench/probes/pool-spawn-block.ts [processes]
import { Pool } from '../../main/core/index.js';

const processes = Number(process.argv[2] ?? 512);
const started = performance.now();
const pool = new Pool({ processes, allowOversubscribe: true, command: 'sleep', args: ['60'] });
let longestGap = 0;
let last = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  longestGap = Math.max(longestGap, now - last);
  last = now;
}, 1);
const firstAnswer = await new Promise<number>((resolve) => setImmediate(() => resolve(performance.now() - started)));
while (pool.workers.length < processes) await new Promise((resolve) => setTimeout(resolve, 5));
const allStarted = performance.now() - started;
clearInterval(ticker);
await pool.terminate();
console.log(JSON.stringify({ processes, firstAnswerMs: Math.round(firstAnswer), longestGapMs: Math.round(longestGap), allStartedMs: Math.round(allStarted) }));
