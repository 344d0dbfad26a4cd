import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from './harness.js';
import { keepEndedProcessesInView, pollUntil, showTab } from './ui-helpers.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/task-list.test.ts', 'its exec-mode pool runs sleep');

// A pool with 20,000 queued tasks in the real UI: the app sends counts, and the task list asks for
// the page in view as the user scrolls.

const QUEUED = 20_000;
let app: ServedApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startServedApp();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await keepEndedProcessesInView(page);
  await page.goto(app.url);
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (app) {
    const { survivors } = await app.stop();
    expect(survivors, 'processes left behind by the server').toEqual([]);
  }
});

const shownTaskIds = async (list: ReturnType<Page['locator']>): Promise<number[]> =>
  (await list.locator('tbody tr:not(.spacer) td.num:first-child').allInnerTexts()).map(Number);

describe.skipIf(skipHere)('the task list of a long queue', () => {
  it('shows the work in progress, then the end of 20,000 queued tasks when scrolled there, a page at a time', async () => {
    const created = await app.command<{ id: string }>('createPool', { processes: 1, command: 'sleep', mode: 'exec', name: 'long-queue' });
    expect(created.ok).toBe(true);
    const submitted = await app.command('submitTasks', { poolId: created.value!.id, tasks: Array.from({ length: QUEUED }, () => ['30']) });
    expect(submitted.ok).toBe(true);

    const snapshot = await app.command<{ tasks: unknown[] }>('getSnapshot', {});
    expect(snapshot.value!.tasks.length).toBeLessThan(10);

    await showTab(page, 'Pools');
    await page.getByRole('button', { name: /long-queue/ }).click();
    const card = page.getByRole('article', { name: 'long-queue' });
    const table = card.getByRole('table');
    await pollUntil(async () => (await table.getAttribute('aria-rowcount')) === String(QUEUED + 1), 10_000, 'the list to count every task');
    const first = await pollUntil(async () => {
      const ids = await shownTaskIds(card);
      return ids.includes(1) ? ids : null;
    }, 10_000, 'the running task 1 in view');
    expect(first.length).toBeLessThan(40);

    await card.locator('.scroll').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    const last = await pollUntil(async () => {
      const ids = await shownTaskIds(card);
      return ids.includes(QUEUED) ? ids : null;
    }, 10_000, `task ${QUEUED} in view after scrolling to the end`);
    expect(last.length).toBeLessThan(40);
    expect(Math.min(...last)).toBeGreaterThan(QUEUED - 40);
  });
});
