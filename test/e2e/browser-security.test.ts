import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumExecutablePath, startServedApp, type ServedApp } from './harness.js';

// The attacks the headless server must withstand, made by a real browser: a page from another origin
// on the same machine (same *site* as the server, so it even gets the asset cookie) and a page whose
// DNS name resolves to 127.0.0.1 (rebinding).

let app: ServedApp;
let browser: Browser;
let attacker: http.Server;
let attackerOrigin: string;

beforeAll(async () => {
  app = await startServedApp();
  // evil.test resolves to 127.0.0.1 in this browser: what a DNS rebinding attack achieves.
  browser = await chromium.launch({
    executablePath: chromiumExecutablePath(),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP evil.test 127.0.0.1'],
  });
  attacker = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><p>a page from another origin</p>');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise((resolve) => attacker?.close(resolve));
  if (app) {
    const { survivors } = await app.stop();
    expect(survivors).toEqual([]);
  }
});

async function processCount(): Promise<number> {
  const outcome = await app.command<{ processes: unknown[]; pools: unknown[] }>('getSnapshot');
  return outcome.value!.processes.length + outcome.value!.pools.length;
}

describe('in a real browser', () => {
  it('a DNS-rebound name gets 403, even with the token', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`http://evil.test:${app.port}/?token=${app.token}`);
      expect(response?.status()).toBe(403);
      expect(await page.content()).not.toContain('<script');
    } finally {
      await page.close();
    }
  });

  it('a page from another origin cannot start jobs, read the UI or open the event stream', async () => {
    const context = await browser.newContext();
    let page: Page | undefined;
    try {
      page = await context.newPage();
      // The user has Pooldeck open in this browser, so its asset cookie exists here...
      await page.goto(app.url);
      await page.getByRole('heading', { name: 'Pooldeck', level: 1 }).waitFor();
      // ...and then visits another page on the same machine.
      await page.goto(attackerOrigin);
      const target = app.origin;
      const results = await page.evaluate(
        async ({ target, token }) => {
          const out: Record<string, string> = {};
          const body = JSON.stringify({ command: 'sh', args: ['-c', 'echo pwned'] });
          // 1. A "simple" POST (no preflight), with cookies.
          try {
            const res = await fetch(`${target}/api/command/createProcess`, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'Content-Type': 'text/plain' },
              body,
            });
            out.simplePost = `opaque:${res.type}`;
          } catch (error) {
            out.simplePost = `error:${String(error)}`;
          }
          // 2. A JSON POST needs a preflight, which gets no CORS headers.
          try {
            await fetch(`${target}/api/command/runDemo`, {
              method: 'POST',
              credentials: 'include',
              headers: { 'Content-Type': 'application/json' },
              body: '{}',
            });
            out.jsonPost = 'sent';
          } catch (error) {
            out.jsonPost = `error:${String(error)}`;
          }
          // 3. Even a page that somehow learned the token cannot read replies cross-origin.
          try {
            await fetch(`${target}/api/command/getSnapshot`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
              body: '{}',
            });
            out.tokenPost = 'sent';
          } catch (error) {
            out.tokenPost = `error:${String(error)}`;
          }
          // 4. Reading the page with the cookie.
          try {
            const res = await fetch(`${target}/`, { credentials: 'include' });
            out.readPage = `read:${res.status}`;
          } catch (error) {
            out.readPage = `error:${String(error)}`;
          }
          // 4b. The session endpoint, which hands this run's token to our own page holding the cookie.
          try {
            const res = await fetch(`${target}/api/session`, { credentials: 'include' });
            out.readSession = `read:${res.status}:${await res.text()}`;
          } catch (error) {
            out.readSession = `error:${String(error)}`;
          }
          // 5. The event stream, without and with the token: the Origin is foreign either way.
          const openSocket = (url: string) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(url);
              ws.onopen = () => {
                ws.close();
                resolve('open');
              };
              ws.onerror = () => resolve('refused');
              setTimeout(() => resolve('timeout'), 5000);
            });
          const wsTarget = target.replace('http:', 'ws:');
          out.wsNoToken = await openSocket(`${wsTarget}/api/events`);
          out.wsWithToken = await openSocket(`${wsTarget}/api/events?token=${token}`);
          return out;
        },
        { target, token: app.token },
      );
      // Sent (no preflight for a simple request) but refused: 401, and CORP hides even the opaque reply.
      expect(results.simplePost).toMatch(/^(opaque:opaque|error:TypeError)/);
      expect(results.jsonPost).toMatch(/^error:TypeError/);
      expect(results.tokenPost).toMatch(/^error:TypeError/);
      expect(results.readPage).toMatch(/^error:TypeError/);
      expect(results.readSession).toMatch(/^error:TypeError/);
      expect(results.wsNoToken).toBe('refused');
      expect(results.wsWithToken).toBe('refused');

      // 6. A form POST (top-level navigation, cookies sent for same-site) is refused too.
      await page.setContent(
        `<form method="POST" enctype="text/plain" action="${target}/api/command/runDemo"><input name='{"a":"' value='"}'></form>`,
      );
      const [response] = await Promise.all([page.waitForNavigation(), page.evaluate(() => (globalThis as unknown as { document: { forms: { submit(): void }[] } }).document.forms[0].submit())]);
      expect(response?.status()).toBe(401);

      // Nothing ran.
      expect(await processCount()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
