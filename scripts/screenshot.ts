// Takes docs/screenshot.png (light) and docs/screenshot-dark.png (dark) of the main view with the demo
// workspace running, in Chromium at 1280×800, through the built headless server.
// Run after `npm run build`: npx tsx scripts/screenshot.ts
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from '../test/e2e/harness.js';
import { closeScreenshotSession } from './screenshot-cleanup.js';
import { pollUntil, readProcessTable, showTab } from '../test/e2e/ui-helpers.js';

const VIEWPORT = { width: 1280, height: 800 };
const SETTLE_MS = 4_000;

async function main(): Promise<void> {
  mkdirSync(resolve('docs'), { recursive: true });
  let app: ServedApp | null = null;
  let browser: Browser | null = null;
  try {
    app = await startServedApp();
    browser = await launchChromium();

    const light = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', deviceScaleFactor: 1 });
    const page = await light.newPage();
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Load demo workspace' }).click();
    await showTab(page, 'Processes');
    await pollUntil(async () => (await readProcessTable(page)).filter((row) => /^\d+$/.test(row.PID)).length >= 3, 30_000, 'demo rows');
    // Let a few CPU samples arrive so the sparklines and figures are filled in.
    await page.waitForTimeout(SETTLE_MS);
    await page.screenshot({ path: resolve('docs/screenshot.png') });
    console.log('wrote docs/screenshot.png');

    const dark = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'dark', deviceScaleFactor: 1 });
    const darkPage = await dark.newPage();
    await darkPage.goto(app.url);
    await showTab(darkPage, 'Processes');
    await pollUntil(async () => (await readProcessTable(darkPage)).length >= 3, 30_000, 'rows in the dark page');
    await darkPage.waitForTimeout(1_500);
    await darkPage.screenshot({ path: resolve('docs/screenshot-dark.png') });
    console.log('wrote docs/screenshot-dark.png');
  } finally {
    await closeScreenshotSession(browser, app);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
