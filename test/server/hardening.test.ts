import net from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailure, type CommandHandlers } from '../../main/protocol/index.js';
import { createServer, type RunningServer } from '../../main/server/server.js';
import { until } from '../helpers/until.js';
import { ManualEventSource, makeRendererDir, recordingHandlers, type Call } from './helpers.js';

// The server against clients that are hostile but fair: huge or trickling bodies it refused, connections
// that never send a byte or send their headers too slowly, duplicate Host headers, deep values.

const HEADERS_TIMEOUT_MS = 300;

let server: RunningServer;
let root: string;
const sockets: net.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  const dirs = makeRendererDir();
  root = dirs.root;
  const handlers: CommandHandlers = {
    ...recordingHandlers([] as Call[]),
    terminate: async ({ id }) => {
      throw new CommandFailure({ code: 'not_found', message: `no process with id ${id}` });
    },
    joinPool: async () => {
      throw new CommandFailure({ code: 'conflict', message: 'pool 1 is still running: Close or Terminate it before Join' });
    },
  };
  server = await createServer({
    backend: { handlers, events: new ManualEventSource() },
    rendererDir: dirs.rendererDir,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
  });
});

afterEach(() => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const socket of sockets.splice(0)) socket.destroy();
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw connection that records what the server sent and whether it closed. */
async function connect() {
  const socket = net.connect(server.port, '127.0.0.1');
  sockets.push(socket);
  const seen = { text: '', closed: false };
  socket.on('data', (data: Buffer) => (seen.text += data.toString('latin1')));
  socket.on('close', () => (seen.closed = true));
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, seen };
}

const commandHead = (name: string, headers: string[]) =>
  [`POST /api/command/${name} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Content-Type: application/json', ...headers, '', ''].join('\r\n');

describe('a body the server refused', () => {
  it('is not read: a 100 MB body without a token gets 401 and the connection is closed long before the end', async () => {
    const { socket, seen } = await connect();
    const total = 100 * 1024 * 1024;
    socket.write(commandHead('getSnapshot', [`Content-Length: ${total}`]));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let queued = 0;
    while (!seen.closed && queued < total) {
      queued += chunk.length;
      if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), until(() => seen.closed, 'close')]);
    }
    await until(() => seen.closed, 'the server to close the connection');
    expect(seen.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(seen.text).toMatch(/\r\nConnection: close\r\n/i);
    // What got through is what the kernel's socket buffers held, never the whole body.
    expect(socket.bytesWritten - socket.writableLength).toBeLessThan(total / 4);
  });

  it('is not waited for: a trickling body without a token gets 401 and the connection is closed at once', async () => {
    const { socket, seen } = await connect();
    socket.write(commandHead('getSnapshot', ['Content-Length: 1048576']));
    socket.write(Buffer.alloc(1024, 0x20));
    timers.push(setInterval(() => socket.writable && socket.write(Buffer.alloc(1024, 0x20)), 1000));
    // Far shorter than the request timeout: only the 401 can have closed it.
    await until(() => seen.closed, 'the server to close the connection', { timeoutMs: 5_000 });
    expect(seen.text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('over the size limit is not read to its end either: 413, then closed', async () => {
    const { socket, seen } = await connect();
    socket.write(commandHead('getSnapshot', [`Authorization: Bearer ${server.token}`, 'Content-Length: 1073741824']));
    socket.write(Buffer.alloc(1024, 0x20));
    await until(() => seen.closed, 'the server to close the connection', { timeoutMs: 5_000 });
    expect(seen.text).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('slow and silent connections', () => {
  it('closes a connection that never sends a byte after the header timeout', async () => {
    const { seen } = await connect();
    await until(() => seen.closed, 'the server to close a silent connection', { timeoutMs: 5_000 });
  });

  it('closes a connection that sends its headers a byte at a time', async () => {
    const { socket, seen } = await connect();
    socket.write('GET / HTTP/1.1\r\nX-Slow: ');
    timers.push(setInterval(() => socket.writable && socket.write('x'), 20));
    await until(() => seen.closed, 'the server to close a slowloris connection', { timeoutMs: 5_000 });
  });
});

describe('requests the server refuses', () => {
  async function statusLine(raw: string): Promise<string> {
    const { socket, seen } = await connect();
    socket.end(raw);
    await until(() => seen.closed, 'the answer');
    return seen.text.split('\r\n')[0]!;
  }

  it('answers 400 to two Host headers, on pages, commands and the event stream', async () => {
    const port = server.port;
    const auth = `Authorization: Bearer ${server.token}`;
    for (const target of ['/', '/api/command/getSnapshot']) {
      expect(await statusLine(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.test\r\n${auth}\r\n\r\n`), target).toMatch(/ 400 /);
    }
    const upgrade = `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: 127.0.0.1:${port}\r\n${auth}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    expect(await statusLine(upgrade)).toMatch(/ 400 /);
  });

  it('answers not_found with 404 and conflict with 409, the body unchanged', async () => {
    const post = (name: string) =>
      fetch(`http://127.0.0.1:${server.port}/api/command/${name}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: 'p404' }),
      });
    const missing = await post('terminate');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ ok: false, error: { code: 'not_found', message: 'no process with id p404' } });
    const conflict = await post('joinPool');
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ ok: false, error: { code: 'conflict', message: 'pool 1 is still running: Close or Terminate it before Join' } });
  });

  it('answers a task argument nested 1,550 levels deep with 400 naming the field, not 500', async () => {
    const deep = '['.repeat(1_550) + ']'.repeat(1_550);
    const res = await fetch(`http://127.0.0.1:${server.port}/api/command/submitTasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: `{"poolId":"pool-1","tasks":[[${deep}]]}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid', field: 'tasks.0.0', message: expect.stringContaining('at most 64 levels') } });
  });
});
