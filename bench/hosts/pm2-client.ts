// A PM2 client as a monitor or a deploy script would use it: PM2's own programmatic API (the one its
// CLI is built on), connected once. Started with PM2_HOME private to the bench and PM2_MODULE pointing
// at PM2 installed in bench/.cache.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reply, serveCommands } from './line-protocol.js';

type Callback<T = unknown> = (error: Error | null, result: T) => void;
interface Pm2Api {
  connect(callback: Callback): void;
  start(options: Record<string, unknown>, callback: Callback): void;
  list(callback: Callback<Array<{ pm2_env?: { status?: string } }>>): void;
  stop(target: string, callback: Callback): void;
  delete(target: string, callback: Callback): void;
  killDaemon(callback: Callback): void;
  disconnect(): void;
}

const modulePath = process.env.PM2_MODULE;
const home = process.env.PM2_HOME;
if (!modulePath || !home) throw new Error('PM2_MODULE and PM2_HOME must be set');
const pm2 = createRequire(join(modulePath, 'package.json'))(modulePath) as Pm2Api;

const call = <T>(action: (callback: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => action((error, result) => (error ? reject(error) : resolve(result))));

let polls = 0;
let pollTimer: NodeJS.Timeout | null = null;
let lastOnline = 0;

await call((callback) => pm2.connect(callback));

serveCommands(async (command) => {
  switch (command.cmd) {
    case 'daemon':
      return { pid: Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim()) };
    case 'start': {
      const started = performance.now();
      await call((callback) =>
        pm2.start(
          {
            name: 'sleep',
            script: command.command,
            args: command.args,
            interpreter: 'none',
            exec_mode: 'fork',
            instances: Number(command.count),
            autorestart: false,
          },
          callback,
        ),
      );
      return { ms: performance.now() - started, failed: 0 };
    }
    case 'poll': {
      // Status once a second, as a monitor would read it.
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = setInterval(() => {
        pm2.list((error, list) => {
          if (error) return;
          polls += 1;
          lastOnline = list.filter((entry) => entry.pm2_env?.status === 'online').length;
        });
      }, 1000);
      return {};
    }
    case 'stats':
      return { polls, lastOnline };
    case 'stop': {
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = null;
      const started = performance.now();
      await call((callback) => pm2.stop('sleep', callback));
      return { ms: performance.now() - started };
    }
    case 'exit':
      if (pollTimer) clearInterval(pollTimer);
      await call((callback) => pm2.delete('all', callback)).catch(() => undefined);
      await call((callback) => pm2.killDaemon(callback)).catch(() => undefined);
      pm2.disconnect();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
});
reply({ type: 'ready', pid: process.pid });
