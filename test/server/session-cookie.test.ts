import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RunningServer } from '../../main/server/server.js';
import { COOKIE_SECRET_FILE, loadCookieSecret } from '../../main/server/cookie-secret.js';
import { DEFAULT_PORTS } from '../../main/server/options.js';
import { ManualEventSource, makeRendererDir, rawRequest, recordingHandlers, type Call } from './helpers.js';

// The session cookie that lets a second tab, a bookmark of the bare address and a tab that outlived a
// restart in, and the stable default port. Real servers on 127.0.0.1; the backend is a recording double.

const SECRET = 'a'.repeat(64);
const calls: Call[] = [];
let dirs: ReturnType<typeof makeRendererDir>;
const servers: RunningServer[] = [];

function start(options: { port?: number; preferredPorts?: number[]; cookieSecret?: string } = {}): Promise<RunningServer> {
  return createServer({
    backend: { handlers: recordingHandlers(calls), events: new ManualEventSource() },
    rendererDir: dirs.rendererDir,
    port: 0,
    ...options,
  }).then((server) => {
    servers.push(server);
    return server;
  });
}

/** The `name=value` pair of the cookie a first visit with the printed address sets. */
async function firstVisitCookie(server: RunningServer): Promise<string> {
  const page = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  expect(page.status).toBe(200);
  return (page.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** GET /api/session on a connection of its own (a kept-alive one may belong to a server closed since). */
const session = (server: RunningServer, headers: Record<string, string> = {}) => rawRequest(server.port, { path: '/api/session', headers });

beforeAll(() => {
  dirs = makeRendererDir();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(() => rmSync(dirs.root, { recursive: true, force: true }));

describe('the session cookie', () => {
  it('lets a page with only the bare address in, and hands its script the token', async () => {
    const server = await start({ cookieSecret: SECRET });
    const cookie = await firstVisitCookie(server);
    expect(cookie).not.toContain(server.token);

    const bare = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { Cookie: cookie } });
    expect(bare.status).toBe(200);
    expect(bare.headers.get('set-cookie'), 'renewed on every page load').toMatch(/^pooldeck_session_\d+=[0-9a-f]{64};.*Max-Age=2592000$/);

    const answer = await session(server, { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin', Origin: `http://127.0.0.1:${server.port}` });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { token: server.token } });
  });

  it('gives nothing without the cookie, with a wrong one, or to another origin', async () => {
    const server = await start({ cookieSecret: SECRET });
    const cookie = await firstVisitCookie(server);
    expect((await session(server)).status).toBe(401);
    expect((await session(server, { Cookie: `${cookie.split('=')[0]}=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(401);
    // Another port of 127.0.0.1 is "same-site": the browser sends the cookie, Sec-Fetch-Site and Origin tell.
    expect((await session(server, { Cookie: cookie, 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await session(server, { Cookie: cookie, Origin: 'http://127.0.0.1:9' })).status).toBe(403);
    const post = await fetch(`http://127.0.0.1:${server.port}/api/session`, { method: 'POST', headers: { Cookie: cookie } });
    expect(post.status).toBe(405);
    // Still never a command nor the event stream.
    const command = await fetch(`http://127.0.0.1:${server.port}/api/command/runDemo`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(command.status).toBe(401);
    expect(calls.some((call) => call.name === 'runDemo')).toBe(false);
  });

  it('is worthless on another port, even for a server with the same secret', async () => {
    const first = await start({ cookieSecret: SECRET });
    const second = await start({ cookieSecret: SECRET });
    const cookie = await firstVisitCookie(first);
    const value = cookie.split('=')[1]!;
    // As the browser sends it (every 127.0.0.1 cookie goes to every port), and renamed for that port.
    for (const sent of [cookie, `pooldeck_session_${second.port}=${value}`]) {
      expect((await fetch(`http://127.0.0.1:${second.port}/`, { headers: { Cookie: sent } })).status, sent).toBe(401);
      expect((await session(second, { Cookie: sent })).status, sent).toBe(401);
    }
  });

  it('outlives a restart on the same port with the same secret, and gets the new run its new token', async () => {
    const before = await start({ cookieSecret: SECRET });
    const cookie = await firstVisitCookie(before);
    const { port, token: oldToken } = before;
    await servers.pop()!.close();

    const after = await start({ port, cookieSecret: SECRET });
    expect(after.token).not.toBe(oldToken);
    const answer = await session(after, { Cookie: cookie });
    expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { token: after.token } });

    // A new secret (no secret kept: the default) signs the old cookie out.
    await servers.pop()!.close();
    const fresh = await start({ port });
    expect((await session(fresh, { Cookie: cookie })).status).toBe(401);
  });
});

describe('the cookie secret file', () => {
  it('is made once, owner-only, and read back on the next run', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-secret-'));
    try {
      const secret = loadCookieSecret(join(dataDir, 'nested'));
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      const path = join(dataDir, 'nested', COOKIE_SECRET_FILE);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(loadCookieSecret(join(dataDir, 'nested'))).toBe(secret);
      // A damaged file is replaced rather than trusted.
      writeFileSync(path, 'short');
      const replaced = loadCookieSecret(join(dataDir, 'nested'));
      expect(replaced).not.toBe(secret);
      expect(readFileSync(path, 'utf8').trim()).toBe(replaced);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the default port', () => {
  /** Holds a port on 127.0.0.1 the way another program would; null when something else already has it. */
  async function occupy(port: number): Promise<net.Server | null> {
    const blocker = net.createServer();
    return new Promise((resolve) => {
      blocker.once('error', () => resolve(null));
      blocker.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(blocker));
    });
  }

  it('is 7770, then the next ones up to 7779', () => {
    expect(DEFAULT_PORTS).toEqual([7770, 7771, 7772, 7773, 7774, 7775, 7776, 7777, 7778, 7779]);
  });

  it('moves to the next preferred port when one is busy, and to any free port when all are', async () => {
    // Two free ports picked by the system stand in for the preferred ones (others may hold 7770 here).
    const a = (await occupy(0))!;
    const b = (await occupy(0))!;
    const portA = (a.address() as net.AddressInfo).port;
    const portB = (b.address() as net.AddressInfo).port;
    await new Promise((resolve) => b.close(resolve));
    try {
      const second = await start({ preferredPorts: [portA, portB] });
      expect(second.port).toBe(portB);
      const any = await start({ preferredPorts: [portA, portB] });
      expect([portA, portB]).not.toContain(any.port);
      expect(any.port).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => a.close(resolve));
    }
  });

  it('fails clearly when an explicit port is busy', async () => {
    const blocker = (await occupy(0))!;
    try {
      await expect(start({ port: (blocker.address() as net.AddressInfo).port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
