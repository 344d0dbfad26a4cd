// The floor a supervisor is measured against: a bare Node script that spawns N programs and samples
// them with one pidusage call a second. No registry, no deltas, no logs, no process-group handling.
import { spawn, type ChildProcess } from 'node:child_process';
import pidusage from 'pidusage';
import { reply, serveCommands } from './line-protocol.js';
import { profilingCommand } from './profiling.js';

const children: ChildProcess[] = [];
let samples = 0;
/** The wall time of each pidusage call since the last 'stats' command. */
let ticks: number[] = [];

const timer = setInterval(() => {
  const pids = children.filter((child) => child.exitCode === null && child.signalCode === null).map((child) => child.pid!);
  if (pids.length === 0) return;
  const started = performance.now();
  pidusage(pids).then(
    () => {
      samples += 1;
      ticks.push(performance.now() - started);
    },
    () => undefined,
  );
}, 1000);

serveCommands(async (command) => {
  switch (command.cmd) {
    case 'start': {
      const started = performance.now();
      const count = Number(command.count);
      await Promise.all(
        Array.from(
          { length: count },
          () =>
            new Promise<void>((resolve, reject) => {
              // Node's defaults, as a bare script would have them (stdout and stderr are pipes, as in every
              // supervisor here; nothing reads them: sleep writes nothing).
              const child = spawn(String(command.command), command.args as string[]);
              children.push(child);
              child.once('spawn', resolve);
              child.once('error', reject);
            }),
        ),
      );
      return { ms: performance.now() - started, failed: 0 };
    }
    case 'stats': {
      const answer = { samples, rss: process.memoryUsage.rss(), ticks };
      ticks = [];
      return answer;
    }
    case 'stop': {
      const started = performance.now();
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      return { ms: performance.now() - started, stillRunning: 0 };
    }
    case 'exit':
      clearInterval(timer);
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
