import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { SERVER_ENTRY, URL_LINE, descendants, isRunning, startServedApp, type ServedApp } from './harness.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/cli.test.ts', 'its jobs are sh -c scripts and sleep');

// `node out/main/server.js` as users run it (`npm run serve`): its one line of output, its options,
// and that it never leaves a process behind when stopped.

const started: ServedApp[] = [];
afterEach(async () => {
  for (const app of started.splice(0)) await app.stop('SIGKILL');
});

async function start(...args: Parameters<typeof startServedApp>): Promise<ServedApp> {
  const app = await startServedApp(...args);
  started.push(app);
  return app;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface Row {
  id: string;
  pid: number | null;
  isAlive: boolean;
  name: string;
}

async function livePids(app: ServedApp, count: number): Promise<number[]> {
  return until(async () => {
    const outcome = await app.command<{ processes: Row[] }>('getSnapshot');
    const pids = (outcome.value?.processes ?? []).filter((row) => row.isAlive && row.pid !== null).map((row) => row.pid!);
    return pids.length >= count ? pids : null;
  }, `${count} live processes`, { timeoutMs: 15_000 });
}

describe.skipIf(skipHere)('npm run serve', () => {
  it('prints exactly one line, the URL with a fresh 32-byte token, and nothing else on stdout', async () => {
    const app = await start();
    expect(app.line).toMatch(URL_LINE);
    const other = await start();
    expect(other.token).not.toBe(app.token);
    const page = await fetch(app.url);
    expect(page.status).toBe(200);
    expect(await app.command('getSnapshot')).toMatchObject({ ok: true });
    const { code, survivors } = await app.stop();
    expect(code).toBe(0);
    expect(survivors).toEqual([]);
    expect(app.stdout()).toBe(`${app.line}\n`);
  });

  it('listens on 127.0.0.1 only, on the --port asked for', async () => {
    const port = await freePort();
    const app = await start({ args: ['--port', String(port)] });
    expect(app.port).toBe(port);
    expect(app.origin).toBe(`http://127.0.0.1:${port}`);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '::1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('refuses bad options with a message on stderr and nothing on stdout', () => {
    const result = spawnSync(process.execPath, [SERVER_ENTRY, '--port', 'eighty'], { encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--port must be a whole number/);
    const unknown = spawnSync(process.execPath, [SERVER_ENTRY, '--host', '0.0.0.0'], { encoding: 'utf8', timeout: 15_000 });
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
  });

  it('keeps its data under $XDG_DATA_HOME/pooldeck when no --data-dir is given', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'pooldeck-xdg-'));
    try {
      const app = await start({ noDataDir: true, env: { ...process.env, XDG_DATA_HOME: xdg } });
      const created = await app.command<{ id: string }>('createProcess', { command: 'sh', args: ['-c', 'echo hello-xdg'] });
      expect(created.ok).toBe(true);
      await until(async () => {
        const logs = await app.command<{ lines: { text: string }[] }>('readLogs', { id: created.value!.id });
        return logs.value?.lines.some((line) => line.text.includes('hello-xdg'));
      }, 'the job\'s output in its log', { timeoutMs: 15_000 });
      await app.stop();
      expect(existsSync(join(xdg, 'pooldeck'))).toBe(true);
      expect(readdirSync(join(xdg, 'pooldeck')).length).toBeGreaterThan(0);
    } finally {
      rmSync(xdg, { recursive: true, force: true });
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal} terminates every job, grandchildren and non-daemon jobs included, then exits`, async () => {
      const app = await start();
      // A plain non-daemon job, a job whose child forks a grandchild, and an exec pool mid-task.
      expect((await app.command('createProcess', { command: 'sleep', args: ['300'], daemon: false })).ok).toBe(true);
      expect((await app.command('createProcess', { command: 'sh', args: ['-c', 'sleep 301 & sleep 302; wait'] })).ok).toBe(true);
      const pool = await app.command('createPool', {
        processes: 2,
        mode: 'exec',
        command: 'sleep',
        args: ['{}'],
        daemon: false,
        tasks: [[303], [304], [305]],
      });
      expect(pool).toMatchObject({ ok: true });
      const pids = await livePids(app, 4);
      // The whole tree: sh's background sleep is a grandchild the server never spawned itself.
      const tree = await until(() => {
        const found = descendants(app.child.pid!);
        return found.length >= pids.length + 1 ? found : null;
      }, 'the jobs and the grandchild in the server\'s tree', { timeoutMs: 15_000 });
      expect(tree).toEqual(expect.arrayContaining(pids));

      const { code, survivors } = await app.stop(signal);
      expect(code).toBe(0);
      expect(survivors).toEqual([]);
      expect(tree.filter(isRunning)).toEqual([]);
      expect(app.stdout()).toBe(`${app.line}\n`);
    });
  }
});
