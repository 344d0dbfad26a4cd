import type { Browser } from 'playwright-core';
import type { ServedApp } from '../test/e2e/harness.js';

/** Closes the browser and stops the server; a process it left behind (then killed) fails the script. */
export async function closeScreenshotSession(browser: Browser | null, app: ServedApp | null): Promise<void> {
  await browser?.close().catch(() => {});
  if (!app) return;
  const { survivors } = await app.stop();
  if (survivors.length > 0) {
    console.error(`processes left behind (killed): ${survivors.join(', ')}`);
    process.exitCode = 1;
  }
}
