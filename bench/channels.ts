// The channel objects beside Python's multiprocessing, in one run: queue put→get between two
// processes, a pipe round trip between the app and a process, `v.value = i` in a Python process,
// and increments under a Value's lock (one process; then 4 processes × N, which must total 4N).
// Each measure alternates Pooldeck and multiprocessing, each side a fresh process per round, after a
// warm-up round of each (see compare()). The queue
// and the pipe, a second each, take 7 rounds (3 with --quick): their figures move by a fifth from one
// round to the next on a shared machine, whichever side runs. The values and locks, half a minute a
// round, take 3 (2).
//   npx tsx bench/channels.ts [--quick]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Broker, ChannelServer, Pipe, Process, Queue, Value } from '../main/core/index.js';
import { repoRoot } from './lib/context.js';
import { installExitHandlers, runCleanups } from './lib/owned.js';
import { pipeRoundTripUs } from './lib/pipe-round-trip.js';
import { pythonExecutable, runOwned } from './lib/python.js';
import { alternate, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick ?? false;
const messagingRounds = quick ? 3 : 7;
const valueRounds = quick ? 2 : 3;
const items = quick ? 20_000 : 100_000;
const pipeRounds = quick ? 2_000 : 10_000;
const writes = quick ? 200_000 : 1_000_000;
const increments = quick ? 10_000 : 100_000;
const contenders = 4;

interface Figures {
  queue: number;
  pipeRoundTripUs: number;
  valueWrites: number;
  lockedIncrements: number;
  contendedIncrements: number;
  contendedTotal: number;
}
type Measure = 'queue' | 'pipe' | 'values';

const python = await pythonExecutable();
const targets = resolve(repoRoot, 'bench/workers/channels_bench.py');
const server = new ChannelServer();
await server.listening;
const broker = new Broker();
broker.serve(server);
const processes: Process[] = [];

async function start(name: string, args: unknown[]): Promise<Process> {
  const process = new Process({ target: `${targets}:${name}`, args, python, channelServer: server });
  processes.push(process);
  await process.start();
  return process;
}

async function finish(process: Process): Promise<unknown> {
  const exitcode = await process.join();
  if (exitcode !== 0) throw new Error(`${process.target} exited ${exitcode}: ${process.error?.message ?? ''}`);
  return process.returnValue;
}

async function pooldeckQueue(): Promise<Partial<Figures>> {
  const q = new Queue({ broker });
  const consumer = await start('consume', [q]);
  const producer = await start('produce', [q, items]);
  const queue = (await finish(consumer)) as number;
  await finish(producer);
  q.close();
  broker.remove(q);
  return { queue };
}

async function pooldeckPipe(): Promise<Partial<Figures>> {
  const [mine, theirs] = Pipe({ broker });
  const echo = await start('echo', [theirs]);
  const pipeUs = await pipeRoundTripUs(mine, pipeRounds);
  mine.send(null);
  await finish(echo);
  broker.remove(mine.pipe);
  return { pipeRoundTripUs: pipeUs };
}

async function pooldeckValues(): Promise<Partial<Figures>> {
  const raw = new Value('i', 0, { broker });
  const valueWrites = (await finish(await start('value_writes', [raw, writes]))) as number;
  raw.close();

  const locked = new Value('i', 0, { broker });
  const lockedIncrements = (await finish(await start('locked_increments', [locked, increments]))) as number;
  locked.close();

  const total = new Value('i', 0, { broker });
  const startedAll = performance.now();
  const workers = await Promise.all(Array.from({ length: contenders }, () => start('locked_increments', [total, increments])));
  await Promise.all(workers.map(finish));
  const contendedIncrements = (increments * contenders) / ((performance.now() - startedAll) / 1000);
  const contendedTotal = total.value;
  total.close();
  return { valueWrites, lockedIncrements, contendedIncrements, contendedTotal };
}

const POOLDECK: Record<Measure, () => Promise<Partial<Figures>>> = { queue: pooldeckQueue, pipe: pooldeckPipe, values: pooldeckValues };

let startMethod = '';

async function multiprocessing(measure: Measure): Promise<Partial<Figures>> {
  const stdout = await runOwned(python, [
    resolve(repoRoot, 'bench/python/mp_channels.py'),
    ...['--measure', measure, '--items', String(items), '--rounds', String(pipeRounds), '--writes', String(writes), '--increments', String(increments), '--processes', String(contenders)],
  ]);
  const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Partial<Figures> & { startMethod: string };
  startMethod = figures.startMethod;
  return figures;
}

/**
 * Each side's figures over `rounds` alternating rounds of `measure`, after one round of each that is
 * not counted: the app's code runs in V8's interpreter until it is hot, and a fresh bench process's
 * first ten thousand round trips were up to 40 % slower than its later ones (the app the figure
 * stands for runs for hours). Python has no such warm-up; it gets the same round, for symmetry.
 */
async function compare(measure: Measure, rounds: number): Promise<Record<'pooldeck' | 'multiprocessing', Partial<Figures>[]>> {
  const warmUp = { pooldeck: await POOLDECK[measure](), multiprocessing: await multiprocessing(measure) };
  console.log(`  ${measure} warm-up (not counted): ${JSON.stringify(warmUp)}`);
  return alternate(rounds, { pooldeck: POOLDECK[measure], multiprocessing: () => multiprocessing(measure) }, (round, figures) => {
    console.log(`  ${measure} round ${round + 1}: ${JSON.stringify(figures)}`);
  });
}

installExitHandlers();
try {
  console.log(
    `channels: queue ${items} items and pipe ${pipeRounds} round trips, ${messagingRounds} rounds each; ${writes} value writes, ${increments} locked increments (then ${contenders} processes × ${increments}), ${valueRounds} rounds`,
  );
  const results = { queue: await compare('queue', messagingRounds), pipe: await compare('pipe', messagingRounds), values: await compare('values', valueRounds) };
  for (const name of ['pooldeck', 'multiprocessing'] as const) {
    for (const figures of results.values[name]) {
      if (figures.contendedTotal !== increments * contenders) throw new Error(`${name}: ${contenders} × ${increments} locked increments gave ${figures.contendedTotal}`);
    }
  }
  const rows: [string, Measure, keyof Figures, string, boolean][] = [
    ['queue put→get between two processes', 'queue', 'queue', 'items/s', true],
    ['pipe round trip, app ↔ process', 'pipe', 'pipeRoundTripUs', 'µs', false],
    ['`v.value = i` in a Python process', 'values', 'valueWrites', 'writes/s', true],
    ["increments under the Value's lock, 1 process", 'values', 'lockedIncrements', 'increments/s', true],
    [`increments under the lock, ${contenders} processes`, 'values', 'contendedIncrements', 'increments/s', true],
  ];
  console.log(`\n| measure | Pooldeck (median) | multiprocessing (${startMethod}, median) | Pooldeck ÷ multiprocessing | rounds Pooldeck was ahead |`);
  console.log('|---|---|---|---|---|');
  for (const [label, measure, key, unit, higherIsBetter] of rows) {
    const ours = results[measure].pooldeck.map((figures) => figures[key]!);
    const theirs = results[measure].multiprocessing.map((figures) => figures[key]!);
    const ahead = ours.filter((figure, round) => (higherIsBetter ? figure >= theirs[round]! : figure <= theirs[round]!)).length;
    const [oursMedian, theirsMedian] = [summarize(ours).median, summarize(theirs).median];
    const digits = unit === 'µs' ? 1 : 0;
    console.log(
      `| ${label} (${unit}, ${higherIsBetter ? 'higher' : 'lower'} is better) | ${oursMedian.toFixed(digits)} | ${theirsMedian.toFixed(digits)} | ${(oursMedian / theirsMedian).toFixed(2)} | ${ahead} of ${ours.length} |`,
    );
  }
  console.log(`\n${contenders} × ${increments} locked increments totalled exactly ${increments * contenders} in every round, on both sides.`);
} finally {
  for (const process of processes) if (process.exitcode === null) process.kill();
  await server.close();
  await runCleanups();
}
