// npx tsx bench/probes/server-hardening.ts [--trickle-seconds N]
//
// Issue 8, "Should fix": measures how the headless server treats a hostile client on loopback.
// - bytes of a 100 MB body (no token) the server accepted after it had answered 401;
// - how long a 1 MB/s trickle without a token keeps its connection;
// - how long a connection that never sends a byte stays open;
// - the HTTP status of a task argument nested 1,550 levels deep, and of a request with two Host headers.
// Not part of npm test: the trickle and idle figures take as long as the server lets them.
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AppEvent } from '../../main/protocol/events.js';
import type { CommandHandlers } from '../../main/protocol/commands.js';
import { createServer } from '../../main/server/server.js';

const { values } = parseArgs({ options: { 'trickle-seconds': { type: 'string', default: '90' } } });
const capMs = Number(values['trickle-seconds']) * 1000;

const handlers = new Proxy({}, { get: () => async () => ({}) }) as CommandHandlers;
const events = { subscribe: (_listener: (event: AppEvent) => void) => () => {} };
const rendererDir = mkdtempSync(join(tmpdir(), 'pooldeck-probe-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
const server = await createServer({ backend: { handlers, events }, rendererDir });
const { port, token } = server;

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `bodyBytes` after a token-less command's headers, `chunk` bytes per `everyMs`; how far it got, and when the server cut it. */
async function sendBodyWithoutToken(bodyBytes: number, chunk: number, everyMs: number): Promise<{ sentBytes: number; seconds: number; status: string }> {
  const socket = await connect();
  const started = performance.now();
  let status = '(none)';
  let closed = false;
  let closedAt: number | null = null;
  socket.on('data', (data: Buffer) => {
    if (status === '(none)') status = data.toString('latin1').split('\r\n')[0] ?? '';
  });
  const ended = new Promise<void>((resolve) => {
    socket.on('close', () => { closed = true; closedAt = performance.now(); resolve(); });
    socket.on('error', () => {});
  });
  socket.write(`POST /api/command/getSnapshot HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
  const piece = Buffer.alloc(chunk, 0x20);
  let queued = 0;
  while (!closed && queued < bodyBytes && performance.now() - started < capMs) {
    const ok = socket.write(piece);
    queued += chunk;
    if (everyMs > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
    else if (!ok) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), ended]);
  }
  const sentBytes = socket.bytesWritten - socket.writableLength;
  const seconds = ((closedAt ?? performance.now()) - started) / 1000;
  socket.destroy();
  return { sentBytes, seconds, status };
}

async function idleSeconds(): Promise<number> {
  const socket = await connect();
  const started = performance.now();
  await Promise.race([
    new Promise((resolve) => socket.on('close', resolve)),
    new Promise((resolve) => setTimeout(resolve, capMs)),
  ]);
  socket.on('error', () => {});
  socket.destroy();
  return (performance.now() - started) / 1000;
}

async function statusOf(raw: string): Promise<string> {
  const socket = await connect();
  socket.on('error', () => {});
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (data: Buffer) => { text += data.toString('latin1'); });
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? '(closed)'));
    socket.end(raw);
  });
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const body = JSON.stringify({ poolId: 'pool-1', tasks: [[JSON.parse(nested(1550))]] });
const depthStatus = await statusOf(
  `POST /api/command/submitTasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
);
const twoHosts = await statusOf(
  `GET /api/command/getSnapshot HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.test\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
);
const flood = await sendBodyWithoutToken(100 * 1024 * 1024, 64 * 1024, 0);
console.log(`100 MB body without a token: ${flood.status}; server took ${(flood.sentBytes / 1024 / 1024).toFixed(2)} MB in ${flood.seconds.toFixed(2)} s`);
console.log(`task argument nested 1,550 deep: ${depthStatus}`);
console.log(`two Host headers: ${twoHosts}`);
const [trickle, idle] = await Promise.all([sendBodyWithoutToken(1024 * 1024 * 1024, 1024 * 1024, 1000), idleSeconds()]);
console.log(`1 MB/s trickle without a token: ${trickle.status}; connection kept ${trickle.seconds.toFixed(1)} s (probe gives up at ${capMs / 1000} s)`);
console.log(`connection that never sends a byte: kept ${idle.toFixed(1)} s (probe gives up at ${capMs / 1000} s)`);
await server.close();
