import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/shell-common/csp.js';
import { createServer, type RunningServer } from '../../main/server/server.js';
import { ManualEventSource, makeRendererDir, rawRequest, recordingHandlers, type Call } from './helpers.js';

// The real server on 127.0.0.1 with real requests; only the backend behind it is a recording double.

let server: RunningServer;
let port: number;
let token: string;
let base: string;
let secret: string;
let root: string;
const calls: Call[] = [];

beforeAll(async () => {
  const dirs = makeRendererDir();
  root = dirs.root;
  secret = dirs.secret;
  // A symlink inside the renderer folder pointing outside it must not be followed out.
  symlinkSync(join(root, 'secret.txt'), join(dirs.rendererDir, 'assets', 'link.txt'));
  server = await createServer({
    backend: { handlers: recordingHandlers(calls), events: new ManualEventSource() },
    rendererDir: dirs.rendererDir,
    port: 0,
  });
  ({ port, token } = server);
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const auth = () => ({ Authorization: `Bearer ${token}` });
const postJson = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/command/${name}`, {
    method: 'POST',
    headers: { ...auth(), 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function connectRefused(host: string, family: 4 | 6): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, family });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('listening', () => {
  it('binds 127.0.0.1 only, on the port it reports', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await connectRefused('127.0.0.1', 4)).toBe(false);
    expect(await connectRefused('::1', 6)).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((info) => info && !info.internal && info.family === 'IPv4');
    for (const info of external) expect(await connectRefused(info!.address, 4), info!.address).toBe(true);
  });

  it('listens on the port it was asked for, and fails clearly when it is taken', async () => {
    await expect(
      createServer({ backend: { handlers: recordingHandlers([]), events: new ManualEventSource() }, rendererDir: root, port }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('authorization', () => {
  it('answers 401 to every request without the token, static files included', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/nope']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toContain('<script');
    }
    const command = await fetch(`${base}/api/command/getSnapshot`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(command.status).toBe(401);
    expect(command.headers.get('www-authenticate')).toBe('Bearer');
    expect(calls).toEqual([]);
  });

  it('answers 401 to a wrong token, wherever it is put', async () => {
    const wrong = token.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await fetch(`${base}/?token=${wrong}`)).status).toBe(401);
    expect((await fetch(`${base}/`, { headers: { Authorization: `Bearer ${wrong}` } })).status).toBe(401);
    expect((await postJson('getSnapshot', {}, { Authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await fetch(`${base}/`, { headers: { Authorization: `Basic ${token}` } })).status).toBe(401);
  });

  it('accepts Authorization: Bearer everywhere', async () => {
    const page = await fetch(`${base}/`, { headers: auth() });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Pooldeck</title>');
    expect((await fetch(`${base}/assets/app.js`, { headers: auth() })).status).toBe(200);
    const command = await postJson('getSnapshot', {});
    expect(command.status).toBe(200);
    expect(await command.json()).toMatchObject({ ok: true, value: { seq: 1 } });
  });

  it('accepts ?token= on the first page load and hands the page a session cookie that never authorizes a command', async () => {
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^pooldeck_session_${port}=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000$`));
    // The cookie holds a separate key, never the token itself.
    expect(cookie).not.toContain(token);
    const pair = cookie.split(';')[0]!;

    const script = await fetch(`${base}/assets/app.js`, { headers: { Cookie: pair } });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const reload = await fetch(`${base}/`, { headers: { Cookie: pair } });
    expect(reload.status).toBe(200);

    // The cookie never authorizes a command (CSRF): commands need the Bearer header.
    const csrf = await fetch(`${base}/api/command/runDemo`, {
      method: 'POST',
      headers: { Cookie: pair, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(csrf.status).toBe(401);
    expect(calls.some((call) => call.name === 'runDemo')).toBe(false);
  });

  it('accepts ?token= only on page loads, not on other files', async () => {
    expect((await fetch(`${base}/assets/app.js?token=${token}`)).status).toBe(401);
  });
});

describe('Host header (DNS rebinding)', () => {
  it('answers 403 to a foreign Host even with the right token, before anything else', async () => {
    for (const host of ['evil.test', `evil.test:${port}`, `localhost.evil.test:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1']) {
      for (const path of ['/', `/?token=${token}`, '/api/command/getSnapshot', '/assets/app.js', '/../secret.txt']) {
        const res = await rawRequest(port, { path, headers: { Host: host, ...auth() } });
        expect(res.status, `${host} ${path}`).toBe(403);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    }
    const post = await rawRequest(port, {
      method: 'POST',
      path: '/api/command/runDemo',
      headers: { Host: `evil.test:${port}`, ...auth(), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(403);
    expect(calls.some((call) => call.name === 'runDemo')).toBe(false);
  });

  it('accepts 127.0.0.1, localhost and [::1] with our port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const res = await rawRequest(port, { path: '/', headers: { Host: host, ...auth() } });
      expect(res.status, host).toBe(200);
    }
  });
});

describe('commands', () => {
  it('refuses GET on a command path with 405 and Allow: POST', async () => {
    const res = await fetch(`${base}/api/command/runDemo`, { headers: auth() });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'method_not_allowed' } });
    expect(calls.some((call) => call.name === 'runDemo')).toBe(false);
  });

  it('refuses "simple request" content types with 415 (text/plain, form, multipart, none)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${base}/api/command/runDemo`, { method: 'POST', headers: { ...auth(), 'Content-Type': type }, body: '{}' });
      expect(res.status, type).toBe(415);
    }
    const none = await rawRequest(port, { method: 'POST', path: '/api/command/runDemo', headers: auth(), body: '{}' });
    expect(none.status).toBe(415);
    expect(calls.some((call) => call.name === 'runDemo')).toBe(false);
  });

  it('refuses a body over the limit with 413, whether announced or streamed', async () => {
    const big = JSON.stringify({ command: 'x'.repeat(2 * 1024 * 1024) });
    const announced = await postJson('createProcess', JSON.parse(big));
    expect(announced.status).toBe(413);
    expect(await announced.json()).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });

    // Chunked, without Content-Length: the limit is enforced while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/command/createProcess', agent: false,
          headers: { ...auth(), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 40; i++) req.write('x'.repeat(64 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(calls.some((call) => call.name === 'createProcess')).toBe(false);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await fetch(`${base}/api/command/getSnapshot`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('answers an unknown command with an error value', async () => {
    for (const name of ['doesNotExist', '__proto__', 'constructor', 'toString']) {
      const res = await postJson(name, {});
      expect(res.status, name).toBe(404);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    }
  });

  it('answers an invalid payload with 400 and the field it is about', async () => {
    const res = await postJson('createPool', { processes: 0, command: 'sh' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'invalid', field: 'processes' } });
    expect(body.error.message).toMatch(/processes/);

    const extra = await postJson('terminate', { id: 'p1', evil: true });
    expect(extra.status).toBe(400);
    expect(await extra.json()).toMatchObject({ ok: false, error: { code: 'invalid', field: 'evil' } });

    const polluted = await fetch(`${base}/api/command/createProcess`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: '{"command":"sh","env":{"__proto__":"x"}}',
    });
    expect(polluted.status).toBe(400);
    expect(calls.some((call) => call.name === 'createPool' || call.name === 'terminate' || call.name === 'createProcess')).toBe(false);
  });

  it('runs a valid command once with the validated arguments and answers 200', async () => {
    const res = await postJson('terminate', { id: 'p7' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ ok: true, value: {} });
    expect(calls.filter((call) => call.name === 'terminate')).toEqual([{ name: 'terminate', args: { id: 'p7' } }]);
  });

  it('turns a handler that throws into an error value', async () => {
    const res = await postJson('remove', { id: 'p1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('refuses a command from a foreign Origin even with the token', async () => {
    for (const origin of ['http://evil.test', 'null', `http://127.0.0.1:${port + 1}`]) {
      const res = await postJson('runDemo', {}, { Origin: origin });
      expect(res.status, origin).toBe(403);
    }
    expect(calls.some((call) => call.name === 'runDemo')).toBe(false);
    expect((await postJson('getSnapshot', {}, { Origin: `http://localhost:${port}` })).status).toBe(200);
  });
});

describe('CORS', () => {
  it('sends no Access-Control-Allow-* header, to preflights or anything else', async () => {
    const preflight = await rawRequest(port, {
      method: 'OPTIONS',
      path: '/api/command/runDemo',
      headers: { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    const authedPreflight = await rawRequest(port, { method: 'OPTIONS', path: '/api/command/runDemo', headers: { ...auth(), Origin: `http://127.0.0.1:${port}` } });
    expect(authedPreflight.status).toBe(405);
    const responses = [
      preflight,
      authedPreflight,
      await rawRequest(port, { path: '/', headers: { ...auth(), Origin: 'http://evil.test' } }),
      await rawRequest(port, { method: 'POST', path: '/api/command/getSnapshot', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{}' }),
    ];
    for (const res of responses) {
      for (const name of Object.keys(res.headers)) expect(name).not.toMatch(/^access-control-/);
    }
  });
});

describe('static files', () => {
  it('sends the security headers and content types', async () => {
    const page = await fetch(`${base}/`, { headers: auth() });
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${base}/index.html`, { headers: auth() })).status).toBe(200);
    const css = await fetch(`${base}/assets/app.css`, { headers: auth() });
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await fetch(`${base}/assets/logo.svg`, { headers: auth() });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('x-content-type-options')).toBe('nosniff');
    const head = await fetch(`${base}/assets/app.js`, { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('console.log("app");'.length));
  });

  it('answers 404 for missing files and folders', async () => {
    expect((await fetch(`${base}/missing.js`, { headers: auth() })).status).toBe(404);
    expect((await fetch(`${base}/assets`, { headers: auth() })).status).toBe(404);
    expect((await fetch(`${base}/api/nothing`, { headers: auth() })).status).toBe(404);
  });

  it('refuses path traversal in every spelling, and symlinks out of the folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/..%5Csecret.txt',
      '/assets/link.txt',
      '/%00',
      `/${'..%2F'.repeat(12)}etc/passwd`,
    ]) {
      const res = await rawRequest(port, { path, headers: auth() });
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain(secret);
      expect(res.body, path).not.toContain('root:');
    }
    const absolute = await rawRequest(port, { path: `http://127.0.0.1:${port}/../secret.txt`, headers: auth() });
    expect(absolute.status).toBe(400);
  });

  it('refuses other methods on static files with 405', async () => {
    const res = await fetch(`${base}/index.html`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(405);
  });
});
