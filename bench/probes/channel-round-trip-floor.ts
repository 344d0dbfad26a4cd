// The floor under a pipe round trip between the app and a process, beside Pooldeck's Pipe and
// multiprocessing.Pipe, alternating in one run (3 rounds by default, `--rounds N`; 5,000 round trips each):
//   floor: a bare Node server on a Unix socket answers each JSON line a Python process sends (no
//     handshake, no broker): the app's event loop and one Python wake-up per direction, nothing else;
//   pooldeck: the app sends on a Pipe end and a Python process (bench/workers/channels_bench.py:echo) answers;
//   multiprocessing: a parent sends on multiprocessing.Pipe and a child answers.
// Prints µs per round trip for each, and the median of the rounds.
//   npx tsx bench/probes/channel-round-trip-floor.ts [--rounds N]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Broker, ChannelServer, Pipe, Process } from '../../main/core/index.js';
import { repoRoot } from '../lib/context.js';
import { installExitHandlers, runCleanups } from '../lib/owned.js';
import { pipeRoundTripUs } from '../lib/pipe-round-trip.js';
import { pythonExecutable, runOwned } from '../lib/python.js';
import { alternate, summarize } from '../lib/stats.js';

const roundTrips = 5000;
const roundsArgument = process.argv.indexOf('--rounds');
const rounds = roundsArgument >= 0 ? Number(process.argv[roundsArgument + 1]) : 3;
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a whole number ≥ 1');
const folder = mkdtempSync(join(tmpdir(), 'pooldeck-floor-'));
const address = join(folder, 'floor.sock');
const server = createServer((socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const message = JSON.parse(buffered.slice(0, end)) as { id: number };
      buffered = buffered.slice(end + 1);
      socket.write(`${JSON.stringify({ type: 'reply', id: message.id, ok: true, value: false })}\n`);
    }
  });
});
const floorClient = `
import json, socket, time
s = socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(address)})
buffered, n = b"", ${roundTrips}
started = time.perf_counter()
for i in range(n):
    s.sendall(json.dumps({"type": "op", "id": i}).encode() + b"\\n")
    while b"\\n" not in buffered:
        buffered += s.recv(65536)
    line, buffered = buffered.split(b"\\n", 1)
    json.loads(line)
print((time.perf_counter() - started) / n * 1e6)
`;
const mpClient = `
import multiprocessing as mp, time
def echo(conn):
    while (message := conn.recv()) is not None:
        conn.send(message)
if __name__ == "__main__":
    mine, theirs = mp.Pipe()
    child = mp.Process(target=echo, args=(theirs,)); child.start()
    mine.send(0); mine.recv()
    started = time.perf_counter()
    for i in range(${roundTrips}):
        mine.send(i); mine.recv()
    print((time.perf_counter() - started) / ${roundTrips} * 1e6)
    mine.send(None); child.join()
`;

installExitHandlers();
const channelServer = new ChannelServer();
const processes: Process[] = [];
try {
  await new Promise<void>((done) => server.listen(address, done));
  await channelServer.listening;
  const broker = new Broker();
  broker.serve(channelServer);
  const python = await pythonExecutable();
  const pooldeck = async (): Promise<number> => {
    const [mine, theirs] = Pipe({ broker });
    const echo = new Process({ target: `${resolve(repoRoot, 'bench/workers/channels_bench.py')}:echo`, args: [theirs], python, channelServer });
    processes.push(echo);
    await echo.start();
    const us = await pipeRoundTripUs(mine, roundTrips);
    mine.send(null);
    await echo.join();
    broker.remove(mine.pipe);
    return us;
  };
  const results = await alternate(
    rounds,
    {
      floor: async () => Number((await runOwned(python, ['-c', floorClient])).trim()),
      pooldeck,
      multiprocessing: async () => Number((await runOwned(python, ['-c', mpClient])).trim()),
    },
    (round, figures) => console.log(`round ${round + 1}: ${Object.entries(figures).map(([name, us]) => `${name} ${us.toFixed(1)} µs`).join(', ')}`),
  );
  const median = (values: number[]): string => summarize(values).median.toFixed(1);
  console.log(`median µs per round trip: floor ${median(results.floor)}, pooldeck ${median(results.pooldeck)}, multiprocessing ${median(results.multiprocessing)}`);
} finally {
  for (const process of processes) if (process.exitcode === null) process.kill();
  server.close();
  await channelServer.close();
  rmSync(folder, { recursive: true, force: true });
  await runCleanups();
}
