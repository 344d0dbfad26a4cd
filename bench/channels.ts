// The channel objects beside Python's multiprocessing, in one run: queue put→get between two
// processes, a pipe round trip between the app and a process, `v.value = i` in a Python process,
// and increments under a Value's lock (one process; then 4 processes × N, which must total 4N).
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
const rounds = quick ? 2 : 3;
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

async function timePooldeck(): Promise<Figures> {
  const q = new Queue({ broker });
  const consumer = await start('consume', [q]);
  const producer = await start('produce', [q, items]);
  const queue = (await finish(consumer)) as number;
  await finish(producer);
  q.close();
  broker.remove(q);

  const [mine, theirs] = Pipe({ broker });
  const echo = await start('echo', [theirs]);
  const pipeUs = await pipeRoundTripUs(mine, pipeRounds);
  mine.send(null);
  await finish(echo);
  broker.remove(mine.pipe);

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
  return { queue, pipeRoundTripUs: pipeUs, valueWrites, lockedIncrements, contendedIncrements, contendedTotal };
}

async function timeMultiprocessing(): Promise<Figures & { startMethod: string }> {
  const stdout = await runOwned(python, [
    resolve(repoRoot, 'bench/python/mp_channels.py'),
    ...['--items', String(items), '--rounds', String(pipeRounds), '--writes', String(writes), '--increments', String(increments), '--processes', String(contenders)],
  ]);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures & { startMethod: string };
}

installExitHandlers();
try {
  console.log(`channels: ${rounds} rounds; queue ${items} items, pipe ${pipeRounds} round trips, ${writes} value writes, ${increments} locked increments (then ${contenders} processes × ${increments})`);
  let startMethod = '';
  const results = await alternate(rounds, { multiprocessing: timeMultiprocessing, pooldeck: timePooldeck }, (round, figures) => {
    startMethod ||= (figures.multiprocessing as Figures & { startMethod: string }).startMethod;
    console.log(`  round ${round + 1}: ${JSON.stringify(figures)}`);
  });
  type Contender = keyof typeof results;
  const median = (name: Contender, key: keyof Figures): number => summarize(results[name].map((figures) => figures[key])).median;
  for (const name of ['pooldeck', 'multiprocessing'] as const) {
    for (const figures of results[name]) {
      if (figures.contendedTotal !== increments * contenders) throw new Error(`${name}: ${contenders} × ${increments} locked increments gave ${figures.contendedTotal}`);
    }
  }
  const rows: [string, keyof Figures, string, boolean][] = [
    ['queue put→get between two processes', 'queue', 'items/s', true],
    ['pipe round trip, app ↔ process', 'pipeRoundTripUs', 'µs', false],
    ['`v.value = i` in a Python process', 'valueWrites', 'writes/s', true],
    ['increments under the Value\'s lock, 1 process', 'lockedIncrements', 'increments/s', true],
    [`increments under the lock, ${contenders} processes`, 'contendedIncrements', 'increments/s', true],
  ];
  console.log(`\n| measure | Pooldeck | multiprocessing (${startMethod}) | Pooldeck ÷ multiprocessing |`);
  console.log('|---|---|---|---|');
  for (const [label, key, unit, higherIsBetter] of rows) {
    const ours = median('pooldeck', key);
    const theirs = median('multiprocessing', key);
    const digits = unit === 'µs' ? 1 : 0;
    console.log(`| ${label} (${unit}, ${higherIsBetter ? 'higher' : 'lower'} is better) | ${ours.toFixed(digits)} | ${theirs.toFixed(digits)} | ${(ours / theirs).toFixed(2)} |`);
  }
  console.log(`\n${contenders} × ${increments} locked increments totalled exactly ${increments * contenders} in every round, on both sides.`);
} finally {
  for (const process of processes) if (process.exitcode === null) process.kill();
  await server.close();
  await runCleanups();
}
