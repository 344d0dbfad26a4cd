import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent } from '../../main/protocol/index.js';
import { createServer, type RunningServer } from '../../main/server/server.js';
import { until } from '../helpers/until.js';
import { ManualEventSource, makeRendererDir, recordingHandlers } from './helpers.js';

// The event stream over a real WebSocket: who may open it, what it sends, and how it treats slow and
// silent clients.

let server: RunningServer;
let events: ManualEventSource;
let root: string;
const open: WebSocket[] = [];

beforeAll(async () => {
  const dirs = makeRendererDir();
  root = dirs.root;
  events = new ManualEventSource();
  server = await createServer({
    backend: { handlers: recordingHandlers([]), events },
    rendererDir: dirs.rendererDir,
    // Keepalive is tested on a server of its own: a paused client here must not be dropped for silence.
    maxBufferedBytes: 64 * 1024,
  });
});

afterEach(() => {
  for (const ws of open.splice(0)) ws.terminate();
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const eventsUrl = (token: string | null = server.token) =>
  `ws://127.0.0.1:${server.port}/api/events${token === null ? '' : `?token=${token}`}`;

function connect(url: string, options: WebSocket.ClientOptions = {}): WebSocket {
  const ws = new WebSocket(url, options);
  open.push(ws);
  return ws;
}

/** Resolves with the HTTP status the upgrade was refused with, or 101 when it was accepted. */
function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = connect(url, options);
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

function nextMessages(ws: WebSocket, count: number): Promise<AppEvent[]> {
  return new Promise((resolve) => {
    const received: AppEvent[] = [];
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      received.push(JSON.parse(data.toString()) as AppEvent);
      if (received.length === count) {
        ws.off('message', onMessage);
        resolve(received);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('who may open the event stream', () => {
  it('refuses a foreign Origin, even with the token', async () => {
    for (const origin of ['http://evil.test', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`]) {
      expect(await upgradeStatus(eventsUrl(), { origin }), origin).toBe(403);
    }
  });

  it('refuses a forged Host, even with the token and our Origin', async () => {
    const status = await upgradeStatus(eventsUrl(), {
      origin: `http://127.0.0.1:${server.port}`,
      headers: { Host: `evil.test:${server.port}` },
    });
    expect(status).toBe(403);
  });

  it('refuses a missing or wrong token, and the asset cookie', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await upgradeStatus(eventsUrl(null), { origin })).toBe(401);
    expect(await upgradeStatus(eventsUrl(null))).toBe(401);
    expect(await upgradeStatus(eventsUrl('0'.repeat(64)), { origin })).toBe(401);
    const page = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(await upgradeStatus(eventsUrl(null), { origin, headers: { Cookie: cookie } })).toBe(401);
  });

  it('refuses other paths', async () => {
    expect(await upgradeStatus(`ws://127.0.0.1:${server.port}/api/other?token=${server.token}`)).toBe(404);
  });

  it('accepts our own origins with ?token=, and a non-browser client (no Origin) with the token', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const origin = `http://${host}:${server.port}`;
      expect(await upgradeStatus(eventsUrl(), { origin }), origin).toBe(101);
    }
    expect(await upgradeStatus(eventsUrl())).toBe(101);
    expect(await upgradeStatus(eventsUrl(null), { headers: { Authorization: `Bearer ${server.token}` } })).toBe(101);
  });
});

describe('what the stream sends', () => {
  it('sends the snapshot first, then deltas in order, as JSON text frames', async () => {
    const ws = connect(eventsUrl(), { origin: `http://127.0.0.1:${server.port}` });
    const first = await nextMessages(ws, 1);
    expect(first[0]).toMatchObject({ type: 'snapshot', snapshot: { seq: events.seq } });
    const later = nextMessages(ws, 3);
    events.emitDelta();
    events.emitDelta();
    events.emitDelta();
    const deltas = await later;
    expect(deltas.map((event) => event.type)).toEqual(['delta', 'delta', 'delta']);
    const seqs = deltas.map((event) => (event.type === 'delta' ? event.delta.seq : -1));
    expect(seqs).toEqual([events.seq - 2, events.seq - 1, events.seq]);
  });

  it('unsubscribes when the client goes away', async () => {
    await until(() => events.listeners.size === 0, 'the earlier clients to be unsubscribed');
    const ws = connect(eventsUrl());
    await nextMessages(ws, 1);
    expect(events.listeners.size).toBe(1);
    ws.close();
    await until(() => events.listeners.size === 0, 'the closed client to be unsubscribed');
  });

  it('drops deltas for a slow client and sends it a fresh snapshot instead of buffering without bound', async () => {
    await until(() => events.listeners.size === 0, 'the earlier clients to be unsubscribed');
    const ws = connect(eventsUrl());
    await nextMessages(ws, 1);
    const subscriptionsBefore = events.subscriptions;
    let bytes = 0;
    const received: AppEvent[] = [];
    ws.on('message', (data: Buffer) => {
      bytes += data.length;
      received.push(JSON.parse(data.toString()) as AppEvent);
    });
    ws.pause();
    // 200 deltas of 256 KiB: 50 MiB the client does not read.
    const deltaBytes = 256 * 1024;
    let emitted = 0;
    for (let i = 0; i < 200; i++) {
      events.emitDelta(deltaBytes);
      emitted += deltaBytes;
      // Not a wait for a condition: a pause between bursts lets the socket flush into the kernel, so the
      // backlog that builds up is the one a client that does not read leaves, not one synchronous burst.
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The server gave up on this client's deltas (it unsubscribed rather than queueing them).
    expect(events.listeners.size).toBe(0);
    ws.resume();
    // Once drained, it resubscribes, which starts with a fresh snapshot, and deltas flow again.
    await until(() => received.some((event) => event.type === 'snapshot'), 'a fresh snapshot once the client reads again');
    expect(events.subscriptions).toBe(subscriptionsBefore + 1);
    expect(bytes).toBeLessThan(emitted / 2);
    const snapshotAt = received.findIndex((event) => event.type === 'snapshot');
    const snapshotSeq = (received[snapshotAt] as Extract<AppEvent, { type: 'snapshot' }>).snapshot.seq;
    expect(snapshotSeq).toBe(events.seq);
    events.emitDelta();
    await until(() => received.length > snapshotAt + 1, 'the delta after the fresh snapshot');
    expect(received.at(-1)).toMatchObject({ type: 'delta', delta: { seq: snapshotSeq + 1 } });
  });
});

describe('keepalive', () => {
  it('keeps a client that answers pings and drops one that does not', async () => {
    const dirs = makeRendererDir();
    const pinging = await createServer({
      backend: { handlers: recordingHandlers([]), events: new ManualEventSource() },
      rendererDir: dirs.rendererDir,
      pingIntervalMs: 150,
    });
    try {
      const url = `ws://127.0.0.1:${pinging.port}/api/events?token=${pinging.token}`;
      const answering = connect(url);
      const silent = connect(url, { autoPong: false });
      let pings = 0;
      answering.on('ping', () => (pings += 1));
      const silentClosed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
      await Promise.all([nextMessages(answering, 1), nextMessages(silent, 1)]);
      // Terminated without a close frame: 1006 on the client's side.
      expect(await silentClosed).toBe(1006);
      // A ping is sent only to a client that answered the previous one: two more pings after the silent
      // client was dropped are two more rounds the answering client survived.
      const pingsWhenSilentDropped = pings;
      await until(() => pings >= pingsWhenSilentDropped + 2, 'two more pings to the answering client');
      expect(answering.readyState).toBe(WebSocket.OPEN);
    } finally {
      await pinging.close();
      rmSync(dirs.root, { recursive: true, force: true });
    }
  });

  it('closes clients when the server closes', async () => {
    const dirs = makeRendererDir();
    const source = new ManualEventSource();
    const other = await createServer({ backend: { handlers: recordingHandlers([]), events: source }, rendererDir: dirs.rendererDir });
    const ws = connect(`ws://127.0.0.1:${other.port}/api/events?token=${other.token}`);
    await nextMessages(ws, 1);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await other.close();
    expect(await closed).toBe(1001);
    expect(source.listeners.size).toBe(0);
    rmSync(dirs.root, { recursive: true, force: true });
  });
});
