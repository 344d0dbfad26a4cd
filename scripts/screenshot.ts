// Takes docs/screenshot.png (light) and docs/screenshot-dark.png (dark) of the main view with the demo
// workspace running, in Chromium at 1280×800, through the built headless server.
// Run after `npm run build`: npx tsx scripts/screenshot.ts
import { takeScreenshots } from './screenshot-session.js';
import { pollUntil, readProcessTable, showTab } from '../test/e2e/ui-helpers.js';

const VIEWPORT = { width: 1280, height: 800 };
const SETTLE_MS = 4_000;

await takeScreenshots(async ({ openPage, shoot }) => {

  const page = await openPage(VIEWPORT);
  await page.getByRole('button', { name: 'Load demo workspace' }).click();
  await showTab(page, 'Processes');
  await pollUntil(async () => (await readProcessTable(page)).filter((row) => /^\d+$/.test(row.PID)).length >= 3, 30_000, 'demo rows');
  // Let a few CPU samples arrive so the sparklines and figures are filled in.
  await page.waitForTimeout(SETTLE_MS);
  await shoot(page, 'screenshot.png');

  const darkPage = await openPage(VIEWPORT, { colorScheme: 'dark' });
  await showTab(darkPage, 'Processes');
  await pollUntil(async () => (await readProcessTable(darkPage)).length >= 3, 30_000, 'rows in the dark page');
  await darkPage.waitForTimeout(1_500);
  await shoot(darkPage, 'screenshot-dark.png');
});
