// What every screenshot script shares: the built headless server, Chromium pages on it (launched at the
// first page, after the script set up its processes), the PNGs written into docs/, and closing both at
// the end, a process left behind failing the script. Run after `npm run build`.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from '../test/e2e/harness.js';
import { closeScreenshotSession } from './screenshot-cleanup.js';

interface ScreenshotSession {
  readonly app: ServedApp;
  /** A new page in its own context, loaded with the app; `beforeLoad` runs on it first. */
  openPage(viewport: { width: number; height: number }, options?: { colorScheme?: 'light' | 'dark'; beforeLoad?: (page: Page) => Promise<void> }): Promise<Page>;
  /** Writes docs/<name> from the page and says so. */
  shoot(page: Page, name: string): Promise<void>;
}

/** Runs `body` in a session, then closes it; an error is printed and fails the script (never rejects). */
export async function takeScreenshots(body: (session: ScreenshotSession) => Promise<void>): Promise<void> {
  mkdirSync(resolve('docs'), { recursive: true });
  let app: ServedApp | null = null;
  let browser: Browser | null = null;
  try {
    const served = (app = await startServedApp());
    await body({
      app: served,
      async openPage(viewport, { colorScheme = 'light', beforeLoad } = {}) {
        browser ??= await launchChromium();
        const page = await (await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 })).newPage();
        await beforeLoad?.(page);
        await page.goto(served.url);
        return page;
      },
      async shoot(page, name) {
        await page.screenshot({ path: resolve('docs', name) });
        console.log(`wrote docs/${name}`);
      },
    });
  } catch (error: unknown) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await closeScreenshotSession(browser, app);
  }
}
