import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from './harness.js';
import { readProcessTable, rowNamed } from './ui-helpers.js';
import { until } from '../helpers/until.js';
import { DEFAULT_PORTS } from '../../main/server/options.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/reconnect.test.ts', 'its jobs are sleep');

// The headless server's session cookie and an old tab across restarts, in Chromium against the built
// server (out/main/server.js): a second tab opened at the bare address, a cookie another port's server
// set, a tab whose server was stopped (banner, dimmed table) and started again on the same port with
// the same data dir (it reconnects, the rows are the new server's) or with another one (it says so).

const servers: ServedApp[] = [];
const dataDirs: string[] = [];
let browser: Browser;
let context: BrowserContext;

/** The built server on `port` (0: any; null: the default ports) keeping its cookie secret in `dataDir`. */
async function serve(dataDir: string, port: number | null = 0): Promise<ServedApp> {
  const portArgs = port === null ? [] : ['--port', String(port)];
  const app = await startServedApp({ args: [...portArgs, '--data-dir', dataDir], noDataDir: true });
  servers.push(app);
  return app;
}

async function stop(app: ServedApp): Promise<void> {
  const { survivors } = await app.stop();
  expect(survivors, 'processes left behind by the server').toEqual([]);
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pooldeck-reconnect-'));
  dataDirs.push(dir);
  return dir;
}

async function waitForRow(page: Page, name: string, state: string): Promise<void> {
  await until(async () => rowNamed(await readProcessTable(page), name)?.State === state, `${name} to read ${state}`, { timeoutMs: 15_000 });
}

beforeAll(async () => {
  browser = await launchChromium();
  // One browser profile for the whole file: the cookie set by the first visit is there for the others.
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  for (const app of servers) await stop(app);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipHere)('the default port', () => {
  it('is 7770 or the next free one, the same from run to run, and a second server says it moved', async () => {
    const first = await serve(newDataDir(), null);
    // Another program (another engineer's server, here) may hold 7770: then the next one.
    expect(DEFAULT_PORTS).toContain(first.port);
    const second = await serve(newDataDir(), null);
    expect(DEFAULT_PORTS).toContain(second.port);
    expect(second.port).not.toBe(first.port);
    await until(() => second.stderr().includes(`port ${DEFAULT_PORTS[0]} is busy`), 'the second server to say it moved', { timeoutMs: 5_000 });
    await stop(servers.splice(servers.indexOf(second), 1)[0]!);
    await stop(servers.splice(servers.indexOf(first), 1)[0]!);
  });
});

describe.skipIf(skipHere)('the session cookie in a browser', () => {
  it('lets a second tab in at the bare address, and is refused by a server on another port', async () => {
    const app = await serve(newDataDir());
    const first = await context.newPage();
    await first.goto(app.url);
    expect(await app.command('createProcess', { command: 'sleep', args: ['300'], name: 'cookie-sleeper' })).toMatchObject({ ok: true });
    await waitForRow(first, 'cookie-sleeper', 'running');

    const second = await context.newPage();
    const response = await second.goto(`${app.origin}/`);
    expect(response?.status()).toBe(200);
    await waitForRow(second, 'cookie-sleeper', 'running');
    expect(await second.getByRole('alert').count()).toBe(0);

    // Chromium sends 127.0.0.1's cookies to every port; the other server's key does not open this one.
    const other = await serve(newDataDir());
    const refused = await second.goto(`${other.origin}/`);
    expect(refused?.status()).toBe(401);
    expect(await second.textContent('body')).toContain('Pooldeck needs its token');

    await Promise.all([first.close(), second.close()]);
    await stop(servers.splice(servers.indexOf(other), 1)[0]!);
    await stop(servers.splice(servers.indexOf(app), 1)[0]!);
  });
});

describe.skipIf(skipHere)('an old tab when its server goes away', () => {
  it('marks the rows not live while the server is down, then reconnects to it on the same port and shows its rows', async () => {
    const dataDir = newDataDir();
    const app = await serve(dataDir);
    const page = await context.newPage();
    await page.goto(app.url);
    expect(await app.command('createProcess', { command: 'sleep', args: ['300'], name: 'before-restart' })).toMatchObject({ ok: true });
    await waitForRow(page, 'before-restart', 'running');

    await stop(servers.splice(servers.indexOf(app), 1)[0]!);
    const banner = page.getByRole('alert');
    await banner.filter({ hasText: 'Disconnected from Pooldeck — reconnecting…' }).waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toContain('not live');
    expect(await page.getByRole('tabpanel').getAttribute('class')).toContain('stale');
    if (process.env.POOLDECK_SCREENSHOTS) await page.screenshot({ path: join(process.env.POOLDECK_SCREENSHOTS, 'disconnected.png') });

    // The same port and data dir: a new token, but the session cookie gets the page the new one.
    const again = await serve(dataDir, app.port);
    expect(again.token).not.toBe(app.token);
    await page.getByRole('alert').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.getByRole('tabpanel').getAttribute('class')).not.toContain('stale');
    expect(await again.command('createProcess', { command: 'sleep', args: ['300'], name: 'after-restart' })).toMatchObject({ ok: true });
    await waitForRow(page, 'after-restart', 'running');
    // What the first server ran ended with it: the page no longer says it runs.
    expect(rowNamed(await readProcessTable(page), 'before-restart')?.State ?? 'gone').not.toBe('running');

    // The page keeps the new token for its reloads.
    expect(await page.evaluate("sessionStorage.getItem('pooldeck.token')")).toBe(again.token);

    // Started again with another data dir (another cookie secret): the page cannot get in, and says so.
    await stop(servers.splice(servers.indexOf(again), 1)[0]!);
    await page.getByRole('alert').filter({ hasText: 'reconnecting' }).waitFor({ timeout: 10_000 });
    await serve(newDataDir(), app.port);
    await page.getByRole('alert').filter({ hasText: 'The Pooldeck server restarted' }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('alert').textContent()).toContain('Open the new address');
    // The rows of a server that is gone are not shown as if they still ran.
    expect(await readProcessTable(page)).toEqual([]);
    expect(await page.getByText('Waiting for a valid token…').count()).toBe(1);
    if (process.env.POOLDECK_SCREENSHOTS) await page.screenshot({ path: join(process.env.POOLDECK_SCREENSHOTS, 'restarted.png') });
    await page.close();
  });
});
