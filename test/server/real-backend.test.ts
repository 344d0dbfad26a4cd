import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppBackend, type AppBackend } from '../../main/app/backend.js';
import type { AppEvent, ProcessRow } from '../../main/protocol/index.js';
import { createServer, type RunningServer } from '../../main/server/server.js';
import { until } from '../helpers/until.js';
import { makeRendererDir } from './helpers.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/server/real-backend.test.ts', 'its jobs are sh -c scripts and sleep');

const workersDir = fileURLToPath(new URL('../../resources/workers/', import.meta.url));

// The server over the real backend and real processes: commands in over HTTP, rows out over the
// WebSocket, exactly as the renderer's HTTP transport uses them.

let backend: AppBackend;
let server: RunningServer;
let dataDir: string;
let root: string;
let ws: WebSocket;
const rows = new Map<string, ProcessRow>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-data-'));
  root = makeRendererDir().root;
  backend = createAppBackend({ dataDir, workersDir, sampleIntervalMs: 200, deltaIntervalMs: 50 });
  server = await createServer({ backend, rendererDir: join(root, 'renderer') });
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  ws.on('message', (data: Buffer) => {
    const event = JSON.parse(data.toString()) as AppEvent;
    const changed = event.type === 'snapshot' ? event.snapshot.processes : event.delta.processes;
    if (event.type === 'snapshot') rows.clear();
    for (const row of changed) rows.set(row.id, row);
    if (event.type === 'delta') for (const id of event.delta.removedProcesses) rows.delete(id);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
});

afterAll(async () => {
  ws?.terminate();
  await server?.close();
  if (backend) {
    const { stillRunning } = await backend.shutdown({ terminateAll: true, graceMs: 1000 });
    expect(stillRunning).toEqual([]);
    await backend.dispose();
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

async function command<T>(name: string, args: unknown): Promise<{ status: number; body: { ok: boolean; value?: T; error?: { code: string; field?: string; message: string } } }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/command/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: (await res.json()) as never };
}

function waitForRow(id: string, check: (row: ProcessRow) => boolean, what: string): Promise<ProcessRow> {
  return until(() => {
    const row = rows.get(id);
    return row && check(row) ? row : null;
  }, () => `${what}; last row: ${JSON.stringify(rows.get(id))}`);
}

describe.skipIf(skipHere)('the server over the real backend', () => {
  it('starts a process, streams its row to the end and serves its logs', async () => {
    const created = await command<{ id: string }>('createProcess', { command: 'sh', args: ['-c', 'echo hello-from-job'] });
    expect(created.status).toBe(200);
    expect(created.body.ok).toBe(true);
    const id = created.body.value!.id;
    const ended = await waitForRow(id, (row) => !row.isAlive && row.exitcode !== null, 'the job to exit');
    expect(ended.pid).toEqual(expect.any(Number));
    expect(ended.exitcode).toBe(0);
    const logs = await command<{ lines: { text: string }[] }>('readLogs', { id });
    expect(logs.body.value!.lines.map((line) => line.text).join('\n')).toContain('hello-from-job');
  });

  it('serves the line a process has printed without a newline, such as a prompt', async () => {
    const created = await command<{ id: string }>('createProcess', { command: 'sh', args: ['-c', 'echo ready; printf "Continue? [y/N] "; exec sleep 30'] });
    const id = created.body.value!.id;
    await waitForRow(id, (row) => row.isAlive, 'the job to run');
    type Logs = { lines: { text: string }[]; partial: { stream: string; text: string }[] };
    const logs = await until(async () => {
      const read = (await command<Logs>('readLogs', { id })).body.value!;
      return read.partial.length > 0 && read;
    }, 'the prompt as a partial line');
    expect(logs.lines.map((line) => line.text)).toContain('ready');
    expect(logs.partial).toEqual([{ stream: 'stdout', text: 'Continue? [y/N] ', time: expect.any(Number) }]);
    await command('kill', { id });
  });

  it('terminates a running process: exitcode -15', async () => {
    const created = await command<{ id: string }>('createProcess', { command: 'sleep', args: ['30'] });
    const id = created.body.value!.id;
    await waitForRow(id, (row) => row.isAlive && row.pid !== null, 'the job to run');
    expect((await command('terminate', { id })).body).toEqual({ ok: true, value: {} });
    const ended = await waitForRow(id, (row) => !row.isAlive && row.exitcode !== null, 'the job to end');
    expect(ended.exitcode).toBe(-15);
  });

  it("lists a file's targets over HTTP, and names the file when it cannot", async () => {
    const listed = await command<{ language: string; targets: { name: string; kind: string }[] }>('listTargets', { file: 'demo_targets.py', cwd: workersDir });
    expect(listed.status).toBe(200);
    expect(listed.body.value).toMatchObject({ language: 'python', targets: [{ name: 'run_task', kind: 'function' }, { name: 'MyProcess', kind: 'class' }] });
    const missing = await command('listTargets', { file: 'no_such_tasks.py', cwd: workersDir });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', field: 'file', message: expect.stringMatching(/no_such_tasks\.py/) });
  });

  it('reports what was wrong: a missing field (400) a program that does not exist, an unknown id', async () => {
    const missing = await command('createProcess', { args: ['x'] });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'invalid', field: 'command' });
    // A program that cannot start is a row in state "failed" that says why (the UI shows it there).
    const absent = await command<{ id: string }>('createProcess', { command: 'pooldeck-no-such-program' });
    expect(absent.status).toBe(200);
    const failed = await waitForRow(absent.body.value!.id, (row) => row.state === 'failed', 'the failed start');
    expect(failed.error).toMatch(/pooldeck-no-such-program|ENOENT/);
    const unknownId = await command('terminate', { id: 'no-such-id' });
    expect(unknownId.status).toBe(404);
    expect(unknownId.body).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers joinPool at once when a worker never exits, and the pool row says when the join is done', async () => {
    // `sleep` never reads its channel, so it never exits when the pool closes: join() would wait forever.
    const created = await command<{ id: string }>('createPool', { processes: 1, command: 'sleep', args: ['300'] });
    const poolId = created.body.value!.id;
    const poolState = () => backend.supervisor.snapshot().pools.find((pool) => pool.id === poolId)?.state;
    await until(() => backend.supervisor.snapshot().processes.some((row) => row.poolId === poolId && row.isAlive), 'the worker to run');
    await command('closePool', { id: poolId });
    const res = await fetch(`http://127.0.0.1:${server.port}/api/command/joinPool`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: poolId }),
      // Before: the request stayed open as long as the worker lived.
      signal: AbortSignal.timeout(10_000),
    });
    expect(await res.json()).toEqual({ ok: true, value: { joined: false } });
    expect(poolState()).toBe('closed');
    await command('terminatePool', { id: poolId });
    await until(() => poolState() === 'joined', () => `the pool row to say joined (it says ${poolState()})`);
    expect(await command('joinPool', { id: poolId })).toEqual({ status: 200, body: { ok: true, value: { joined: true } } });
  });
});
