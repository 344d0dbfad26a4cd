// Measures what queued tasks cost a pool whose one worker is busy: heap per queued task, and how
// long terminate() takes to cancel them all. Not part of npm test.
//   node --expose-gc --import tsx bench/probes/pool-queue-memory.ts [count] [applyAsync|apply|map|submit]
import { fileURLToPath } from 'node:url';
import { Pool } from '../../main/core/index.js';

const worker = fileURLToPath(new URL('../../test/fixtures/node-worker.cjs', import.meta.url));
const count = Number(process.argv[2] ?? 100_000);
const how = process.argv[3] ?? 'applyAsync';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const pool = new Pool({ processes: 1, command: 'node', args: [worker] });
const busy = pool.apply(['sleep', 600_000]).catch(() => undefined);
await new Promise((resolve) => setTimeout(resolve, 300));
const before = heap();
const settled = { count: 0 };
const onSettled = (): void => {
  settled.count += 1;
};
// The inputs are made inside a function, so that only what the pool keeps of them is measured.
function queue(): void {
  if (how === 'map') {
    const items: number[] = [];
    for (let i = 0; i < count; i += 1) items.push(i);
    pool.map(items, { chunksize: 1 }).catch(onSettled);
  } else if (how === 'submit') {
    const lists: unknown[][] = [];
    for (let i = 0; i < count; i += 1) lists.push([i]);
    pool.submit(lists);
  } else if (how === 'apply') {
    for (let i = 0; i < count; i += 1) pool.apply([i]).catch(onSettled);
  } else {
    for (let i = 0; i < count; i += 1) pool.applyAsync([i]).get().catch(onSettled);
  }
}
queue();
await new Promise((resolve) => setImmediate(resolve));
const after = heap();
const started = performance.now();
await pool.terminate();
const terminateMs = performance.now() - started;
await busy;
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(
  JSON.stringify({ how, count, bytesPerTask: Math.round((after - before) / count), terminateMs: Math.round(terminateMs), settled: settled.count, counts: pool.counts }),
);
