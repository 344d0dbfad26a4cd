// Probe (not in npm test): what recording the run history costs a big pool. A Node target pool of 2
// runs N one-task submissions, then one map of N items in chunks, through the Supervisor with and
// without the history; reported: wall time, the longest event-loop stall, history lines and bytes
// written, and the raw store: N records put and flushed one write per event-loop turn.
// Run: node --expose-gc --import tsx bench/probes/history-cost.ts [tasks=100000]
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RunHistory } from '../../main/app/run-history/run-history.js';
import { RunStore } from '../../main/app/run-history/store.js';
import { Supervisor } from '../../main/app/supervisor.js';

const tasks = Number(process.argv[2] ?? 100_000);
const TARGET = join(import.meta.dirname, '../workers/square-target.mjs');

async function poolRun(withHistory: boolean): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-history-cost-'));
  const supervisor = new Supervisor({ dataDir, sampleIntervalMs: 1000, graceMs: 500, orphanWatchdog: false });
  const history = withHistory ? new RunHistory(supervisor, { dataDir }) : null;
  const stall = monitorEventLoopDelay({ resolution: 10 });
  try {
    const row = supervisor.createPool({ processes: 2, target: `${TARGET}:square` });
    const pool = supervisor.poolOf(row.id);
    stall.enable();
    let started = performance.now();
    supervisor.submitTasks(row.id, Array.from({ length: tasks }, (_, i) => [i]));
    while (pool.counts.done + pool.counts.failed < tasks) await new Promise((resolve) => setTimeout(resolve, 10));
    const singles = performance.now() - started;
    started = performance.now();
    await pool.map(Array.from({ length: tasks }, (_, i) => i), { chunksize: 1000 });
    const mapped = performance.now() - started;
    stall.disable();
    history?.store.flush();
    const file = join(dataDir, 'history', 'runs.jsonl');
    const written = history ? `, history ${readFileSync(file, 'utf8').split('\n').length - 1} lines, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB` : '';
    return `${withHistory ? 'with history   ' : 'without history'}: ${tasks} single tasks ${singles.toFixed(0)} ms, map of ${tasks} in chunks of 1000 ${mapped.toFixed(0)} ms, longest stall ${(stall.max / 1e6).toFixed(0)} ms${written}`;
  } finally {
    await supervisor.shutdown({ terminateAll: true });
    await supervisor.dispose();
    history?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function rawStore(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-history-cost-'));
  try {
    const store = new RunStore({ path: join(dataDir, 'runs.jsonl') });
    const started = performance.now();
    for (let i = 0; i < tasks; i += 1) {
      store.put({
        id: `run:${i}`, kind: 'task', name: `pool #${i}`, command: null, target: 'square-target.mjs:square', args: [i], cwd: null, pid: 100, startedAt: i, endedAt: i + 1,
        durationMs: 1, exitcode: null, signal: null, status: 'ok', run: 1, poolRunId: 'run', poolName: 'pool', workerPid: 100, result: String(i * i), error: null,
        logFiles: ['/tmp/pooldeck/logs/p2-20261206-050000-abcd.log'], liveId: 'pool1', spec: null,
      });
      if (i % 1000 === 999) store.flush();
    }
    store.close();
    const ms = performance.now() - started;
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const reopenStarted = performance.now();
    const reopened = new RunStore({ path: join(dataDir, 'runs.jsonl') });
    const reopenMs = performance.now() - reopenStarted;
    globalThis.gc?.();
    const heap = globalThis.gc ? `, ${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(0)} MiB of heap held` : ' (run with --expose-gc for the heap it holds)';
    reopened.close();
    return `raw store: ${tasks} records put and written in batches of 1000: ${ms.toFixed(0)} ms (${((ms * 1000) / tasks).toFixed(1)} µs/record), ${(statSync(join(dataDir, 'runs.jsonl')).size / 2 ** 20).toFixed(1)} MiB; reopened in ${reopenMs.toFixed(0)} ms${heap}`;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(rawStore());
console.log(await poolRun(false));
console.log(await poolRun(true));
console.log(await poolRun(false));
console.log(await poolRun(true));
