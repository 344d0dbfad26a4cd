// The app's backend (supervisor, sampler at 1 Hz, coalesced deltas) as the bench drives it: the same
// object both shells wrap. Each event is serialized as a shell would send it to a window.
import { fileURLToPath } from 'node:url';
import { createAppBackend } from '../../main/app/backend.js';
import { dispatchCommand } from '../../main/protocol/dispatch.js';
import { reply, serveCommands } from './line-protocol.js';
import { profilingCommand } from './profiling.js';

const dataDir = process.env.POOLDECK_BENCH_DATA_DIR;
if (!dataDir) throw new Error('POOLDECK_BENCH_DATA_DIR is not set');
// The bench asks for more live processes than the app's default cap (512 per CPU) allows, e.g. 2,000 on
// two cores for the scaling figure: it raises the cap explicitly, as a user would through the option.
const maxLive = process.env.POOLDECK_BENCH_MAX_LIVE;
const backend = createAppBackend({
  dataDir,
  workersDir: fileURLToPath(new URL('../../resources/workers/', import.meta.url)),
  sampleIntervalMs: Number(process.env.POOLDECK_BENCH_SAMPLE_MS ?? 1000),
  maxLiveProcesses: maxLive === undefined ? undefined : Number(maxLive),
});

let events = 0;
let bytes = 0;
/** The wall time of each sampling tick since the last 'stats' command. */
let ticks: number[] = [];
backend.events.subscribe((event) => {
  // What a shell does with each event: serialize it for IPC or a WebSocket.
  bytes += JSON.stringify(event).length;
  events += 1;
  if (event.type === 'delta' && event.delta.sampled) ticks.push(backend.supervisor.lastSample()?.durationMs ?? Number.NaN);
});

serveCommands(async (command) => {
  switch (command.cmd) {
    case 'start': {
      const count = Number(command.count);
      const started = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          dispatchCommand(backend.handlers, 'createProcess', { command: command.command, args: command.args, name: `sleep-${index}` }),
        ),
      );
      const failed = outcomes.filter((outcome) => !outcome.ok).length;
      return { ms: performance.now() - started, failed };
    }
    case 'stats': {
      const answer = { events, bytes, rss: process.memoryUsage.rss(), ticks };
      ticks = [];
      return answer;
    }
    case 'stop': {
      const started = performance.now();
      const { stillRunning } = await backend.shutdown({ terminateAll: true });
      return { ms: performance.now() - started, stillRunning: stillRunning.length };
    }
    case 'exit':
      await backend.dispose();
      setImmediate(() => process.exit(0));
      return {};
    default: {
      const answer = await profilingCommand(command);
      if (answer === null) throw new Error(`unknown command ${command.cmd}`);
      return answer;
    }
  }
});
reply({ type: 'ready', pid: process.pid });
