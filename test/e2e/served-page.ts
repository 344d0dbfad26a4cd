import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from './harness.js';
import { keepEndedProcessesInView } from './ui-helpers.js';

/**
 * For one test file: the built headless server and a Chromium page on it (ended processes kept in
 * view), opened before the tests; afterwards the browser closes and the server stops, and a process
 * it left behind fails the file.
 */
export function useServedPage(viewport = { width: 1280, height: 800 }): { readonly app: ServedApp; readonly page: Page } {
  const session = { app: null as ServedApp | null, browser: null as Browser | null, page: null as Page | null };
  beforeAll(async () => {
    session.app = await startServedApp();
    session.browser = await launchChromium();
    session.page = await (await session.browser.newContext({ viewport })).newPage();
    await keepEndedProcessesInView(session.page);
    await session.page.goto(session.app.url);
  });
  afterAll(async () => {
    await session.browser?.close().catch(() => {});
    if (session.app) {
      const { survivors } = await session.app.stop();
      expect(survivors, 'processes left behind by the server').toEqual([]);
    }
  });
  return {
    get app() {
      return session.app!;
    },
    get page() {
      return session.page!;
    },
  };
}
