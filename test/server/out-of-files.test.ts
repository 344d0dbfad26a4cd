import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, ProcessRow } from '../../main/protocol/index.js';
import { until } from '../helpers/until.js';
import { hasUtilLinux, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasUtilLinux, 'test/server/out-of-files.test.ts', "lowers a running server's open-files limit with util-linux prlimit (Linux only; macOS and Windows have no such tool)");

// The headless server (the real CLI) under a low limit of open files, driven past it by spawns: it must
// keep serving the UI it already has (the event stream, a kept-alive connection), say in the failed
// row why the spawn failed, and take new connections again once jobs end.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const OPEN_FILES_LIMIT = 64;

let server: ChildProcess | null = null;
let dataDir: string | null = null;
const jobPids = new Set<number>();

afterEach(async () => {
  for (const pid of jobPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  jobPids.clear();
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    process.kill(-server.pid, 'SIGKILL');
    await exited;
  }
  server = null;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

async function startServer(): Promise<{ port: number; token: string }> {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-fds-'));
  const cli = join(repoRoot, 'main/server/cli.ts');
  server = spawn(process.execPath, ['--import', 'tsx', cli, '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  server.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await until(() => /serving at (\S+)/.exec(stdout)?.[1], () => `the server's URL (stderr: ${stderr.slice(-500)})`, { timeoutMs: 30_000 });
  // Lowered only once it serves: started under the limit, its module loader (many files open at once
  // on a loaded machine) could run out itself, and the server would never start.
  execFileSync('prlimit', [`--pid=${server.pid}`, `--nofile=${OPEN_FILES_LIMIT}:${OPEN_FILES_LIMIT}`]);
  const parsed = new URL(url);
  return { port: Number(parsed.port), token: parsed.searchParams.get('token')! };
}

describe.skipIf(skipHere)('the server out of file descriptors', () => {
  it('keeps its event stream and kept-alive connections, says why spawns fail, and accepts again once jobs end', async () => {
    const { port, token } = await startServer();
    const rows = new Map<string, ProcessRow>();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events?token=${token}`);
    ws.on('message', (data: Buffer) => {
      const event = JSON.parse(data.toString()) as AppEvent;
      for (const row of event.type === 'snapshot' ? event.snapshot.processes : event.delta.processes) rows.set(row.id, row);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    // One connection, kept alive, for every command: at the limit, a new one could not be accepted.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const command = (name: string, args: unknown) =>
      new Promise<{ status: number; body: { ok: boolean; value?: { row: ProcessRow } } }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: `/api/command/${name}`, agent,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(args));
      });

    try {
      let failed: ProcessRow | null = null;
      for (let attempt = 0; attempt < OPEN_FILES_LIMIT && failed === null; attempt++) {
        const { body } = await command('createProcess', { command: 'sleep', args: ['300'] });
        const row = body.value!.row;
        if (row.pid !== null) jobPids.add(row.pid);
        if (row.state === 'failed') failed = row;
      }
      expect(failed?.error).toMatch(/too many open files/);
      // The UI still hears about it, and can still act: the stream and the kept-alive connection work.
      await until(() => rows.get(failed!.id)?.state === 'failed', 'the failed row on the event stream');
      expect((await command('getSnapshot', {})).status).toBe(200);

      for (const row of rows.values()) if (row.isAlive) await command('kill', { id: row.id });
      await until(() => [...rows.values()].every((row) => !row.isAlive), 'every job to end');
      agent.destroy();
      // A new connection is accepted again: the failed accepts neither killed nor wedged the server.
      const page = await until(
        () => fetch(`http://127.0.0.1:${port}/api/command/getSnapshot`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: '{}',
        }).then((res) => res.status, () => null),
        'a new connection to be answered',
      );
      expect(page).toBe(200);
      expect(server!.exitCode).toBeNull();
    } finally {
      agent.destroy();
      ws.terminate();
    }
  });
});
