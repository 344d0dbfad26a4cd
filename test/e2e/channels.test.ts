import { describe, expect, it } from 'vitest';
import { useServedPage } from './served-page.js';
import { pollUntil } from './ui-helpers.js';

// The Channels view in Chromium over the built headless server: the demo's worker (a real Python
// process) is blocked getting from demo-jobs; an item put from the view reaches it.

const served = useServedPage();

describe('the Channels view', () => {
  it('puts an item from the UI into a queue that a real Python process consumes', async () => {
    const { app, page } = served;
    const demo = await app.command<{ processIds: string[] }>('runDemo', {});
    expect(demo.ok, JSON.stringify(demo.error)).toBe(true);
    await page.getByRole('tab', { name: /^Channels/ }).click();

    const jobs = page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /demo-jobs/ });
    // The worker shows as blocked getting once it has opened the queue.
    await jobs.getByText(/^demo-jobs-worker \(pid \d+\)$/).waitFor({ timeout: 30_000 });

    await jobs.getByRole('textbox', { name: 'Item to put into demo-jobs' }).fill('not json');
    await jobs.getByRole('button', { name: 'Put' }).click();
    await jobs.getByRole('alert').getByText(/item is not valid JSON/).waitFor();

    await jobs.getByRole('textbox', { name: 'Item to put into demo-jobs' }).fill('["from the UI", 7]');
    await jobs.getByRole('button', { name: 'Put' }).click();

    const worker = await pollUntil(async () => {
      const listed = await app.command<{ processes: { id: string; name: string }[] }>('getSnapshot', {});
      return listed.value?.processes.find((row) => row.name === 'demo-jobs-worker');
    }, 10_000, 'the demo-jobs-worker row');
    await pollUntil(async () => {
      const logs = await app.command<{ lines: { text: string }[] }>('readLogs', { id: worker.id });
      return logs.value?.lines.some((line) => line.text === "working on ['from the UI', 7]");
    }, 30_000, "the worker's line for the item put from the UI");

    // The seeds' examples ran: the app got the queue's three items and the pipe's child answered.
    const queue = page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /demo-queue/ });
    await queue.locator('.size', { hasText: /^0$/ }).waitFor({ timeout: 30_000 });
    await queue.getByText(/^\d+(\.\d)?\/s$/).first().waitFor();
    await page.getByRole('table', { name: 'Pipes' }).getByRole('row', { name: /demo-pipe/ }).getByText(/^demo-pipe-child \(pid \d+\)$/).waitFor();
  });
});
