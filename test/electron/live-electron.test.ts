// The desktop shell in a real Electron, driven by Playwright. Runs only where Electron's binary exists
// (found without starting its lazy download, as scripts/start.mjs does) and, on Linux, a display
// (xvfb-run). Elsewhere every check here is skipped with the reason printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { commandNames } from '../../main/protocol/commands.js';
import { electronForTests } from '../helpers/electron-binary.js';

const { binary, skipReason } = electronForTests('live Electron checks');

describe.skipIf(skipReason !== null)('the desktop shell in Electron', () => {
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'ELECTRON_RUN_AS_NODE'),
    );
    app = await _electron.launch({ executablePath: binary ?? undefined, args: ['.'], env });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('loads the UI from app://pooldeck with the CSP header', async () => {
    expect(page.url()).toBe('app://pooldeck/index.html');
    const csp = await page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
  });

  it('gives the page no Node and only the pooldeck bridge', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      bridge: Object.keys((globalThis as unknown as { pooldeck: object }).pooldeck).sort(),
    }));
    expect(globals.require).toBe('undefined');
    expect(globals.process).toBe('undefined');
    expect(globals.bridge).toEqual([...commandNames, 'onEvent', 'onMenuAction'].sort());
  });

  it('answers a command over IPC and validates its payload', async () => {
    const [good, bad] = await page.evaluate(async () => {
      const bridge = (globalThis as unknown as { pooldeck: Record<string, (args: unknown) => Promise<unknown>> }).pooldeck;
      return [await bridge.getSnapshot({}), await bridge.terminate({ id: 7, extra: true })];
    });
    expect(good).toMatchObject({ ok: true });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('denies new windows, foreign navigation and permissions', async () => {
    type PageGlobals = {
      open(url: string): unknown;
      location: { href: string };
      navigator: { permissions: { query(descriptor: { name: string }): Promise<{ state: string }> } };
    };
    const opened = await page.evaluate(() => (globalThis as unknown as PageGlobals).open('https://example.invalid/') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).location.href = 'https://example.invalid/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toBe('app://pooldeck/index.html');
    const permission = await page.evaluate(async () => (await (globalThis as unknown as PageGlobals).navigator.permissions.query({ name: 'geolocation' })).state);
    expect(permission).toBe('denied');
  });
});
