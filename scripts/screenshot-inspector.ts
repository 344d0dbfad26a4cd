// Takes docs/inspector-tree.png (a multiprocessing job's row expanded: its pool workers and Processes
// by their multiprocessing names, beside a shell job's bare tree) and docs/inspector-pools.png (the
// Pools view's card of the pool inside crawl.py), light theme, in Chromium through the built headless
// server, the real inspector and an unmodified Python program (test/fixtures/inspector-tree/crawl.py).
// Run after `npm run build`: npx tsx scripts/screenshot-inspector.ts
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { takeScreenshots } from './screenshot-session.js';
import { pollUntil, showTab } from '../test/e2e/ui-helpers.js';

const VIEWPORT = { width: 1440, height: 720 };

async function expand(page: Page, name: string): Promise<void> {
  const row = page.getByRole('grid', { name: 'Processes' }).getByRole('row').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
  await row.hover();
  await row.getByRole('button', { name: `Processes below ${name}` }).click();
}

await takeScreenshots(async ({ app, openPage, shoot }) => {
  await app.command('createProcess', { name: 'backup', command: 'sh', args: ['-c', 'tar cf /dev/null /usr/share/doc 2>/dev/null; sleep 300 & sleep 301 & wait'] });
  await app.command('createProcess', { name: 'crawl', command: 'python3', args: ['crawl.py', '300'], cwd: resolve('test/fixtures/inspector-tree') });

  const page = await openPage(VIEWPORT);
  await expand(page, 'crawl');
  await expand(page, 'backup');
  const treeNames = () => page.locator('tr[data-tree-pid] .name').allInnerTexts();
  await pollUntil(async () => (await treeNames()).filter((name) => name.startsWith('ForkPoolWorker-')).length === 3 && (await treeNames()).includes('sleep'), 30_000, 'the pool workers and the shell job\'s sleeps');
  // A sampling tick after the workers started: their CPU, memory and uptime are filled in.
  await page.waitForTimeout(2500);
  await page.mouse.move(0, 0);
  await shoot(page, 'inspector-tree.png');

  await showTab(page, 'Pools');
  await page.getByRole('table', { name: 'Tasks of Pool-1 inside crawl.py' }).waitFor({ timeout: 10_000 });
  await page.mouse.move(0, 0);
  await shoot(page, 'inspector-pools.png');
});
