// One built headless server and one Chromium page on it for a test file, both closed afterwards; the
// server's descendants must all be gone then.
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from './harness.js';

/** `beforeLoad` runs on the page before it first loads the app (init scripts, error listeners). */
export function useServedPage(
  viewport = { width: 1440, height: 900 },
  beforeLoad: (page: Page) => Promise<void> = async () => {},
): { readonly app: ServedApp; readonly page: Page } {
  let app: ServedApp | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    app = await startServedApp();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport })).newPage();
    await beforeLoad(page);
    await page.goto(app.url);
  });
  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (app) {
      const { survivors } = await app.stop();
      expect(survivors, 'processes left behind by the server').toEqual([]);
    }
  });
  return {
    get app() {
      return app!;
    },
    get page() {
      return page!;
    },
  };
}
