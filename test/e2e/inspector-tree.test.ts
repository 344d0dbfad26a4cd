import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { useServedPage } from './served-page.js';
import { pollUntil, showTab } from './ui-helpers.js';
import { stateOf } from '../helpers/proc-state.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/inspector-tree.test.ts', "reads the terminated worker's process state (stateOf), which Windows does not have");

// A real, unmodified Python multiprocessing program launched by the built server, watched through
// the inspector in Chromium: its row expanded shows the pool's workers and the named Processes by
// their multiprocessing names; a descendant is terminated from the UI; the Pools view shows the pool
// inside crawl.py with its tasks.

const FIXTURE = resolve('test/fixtures/inspector-tree');
const pageErrors: string[] = [];
const served = useServedPage({ width: 1440, height: 900 }, async (page) => {
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
});

/** The lines below the expanded job: name → the line's cells (Name, Command, PID, Alive, Daemon, Exit code, State, Result…). */
async function treeLines(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(`(() => {
    const lines = {};
    for (const tr of document.querySelectorAll('[role="grid"][aria-label="Processes"] tbody tr[data-tree-pid]')) {
      const cells = [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\\s+/g, ' ').trim());
      lines[(tr.querySelector('.name')?.textContent ?? '').trim()] = cells;
    }
    return lines;
  })()`) as Promise<Record<string, string[]>>;
}

function jobRow(page: Page, name: string): Locator {
  return page.getByRole('grid', { name: 'Processes' }).getByRole('row').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
}

describe.skipIf(skipHere)('the inspector in the expanded row', () => {
  it('shows the pool workers and the named Processes of a running Python program, and terminates one from the UI', async () => {
    const { app, page } = served;
    const created = await app.command<{ id: string; row: { pid: number } }>('createProcess', { name: 'crawl', command: 'python3', args: ['crawl.py', '120'], cwd: FIXTURE });
    expect(created.ok, JSON.stringify(created.error)).toBe(true);

    const row = jobRow(page, 'crawl');
    await row.hover();
    await row.getByRole('button', { name: 'Processes below crawl' }).click();

    const lines = await pollUntil(
      async () => {
        const found = await treeLines(page);
        const names = Object.keys(found);
        // A worker's Pool column fills in when its pool is reported: that can be the report after
        // the one that brought the worker (they go once a second while the program starts processes).
        // So can Broken's exit code, and a target: each comes in the report after the event.
        const workers = names.filter((name) => name.startsWith('ForkPoolWorker-'));
        const pooled = workers.every((name) => found[name]![11] === 'Pool-1');
        const settled = found.Broken?.[5] === '1' && found.Fetcher?.[7] === 'fetch(120.0,)';
        return workers.length === 3 && pooled && settled && names.some((name) => name.startsWith('Indexer-')) ? found : null;
      },
      30_000,
      'the pool workers (in Pool-1), Fetcher with its target, Broken ended with 1, and the Indexer below crawl',
    );
    // Name, Command, PID, Alive, Daemon, Exit code, State, Result…
    expect(lines.Fetcher!.slice(3, 6)).toEqual(['yes', 'no', '']);
    expect(lines.Fetcher![7]).toBe("fetch(120.0,)");
    // Broken raised: exit code 1, ended, its traceback one click away.
    expect(lines.Broken!.slice(3, 7)).toEqual(['no', 'no', '1', 'ended']);
    expect(lines.Broken![7]).toBe('ValueError: fetch failed on purpose');
    const indexer = Object.entries(lines).find(([name]) => name.startsWith('Indexer-'))!;
    expect(indexer[1][0]).toContain('Indexer'); // the subclass's name
    expect(indexer[1][4]).toBe('yes'); // daemon
    for (const [name, cells] of Object.entries(lines)) if (name.startsWith('ForkPoolWorker-')) expect(cells[11]).toBe('Pool-1');
    // The Queue and the Value the program made, below its processes.
    const notes = await pollUntil(async () => {
      const texts = (await page.locator('tr.tree-note').allInnerTexts()).map((text) => text.trim());
      return texts.length === 2 ? texts : null;
    }, 10_000, 'the Queue and the Value');
    expect(notes).toEqual(['Queue-1 · 2 items of at most 10', "Value-1 ('i') = 5"]);

    // Terminate Fetcher from its line: the program's own join/poll sees -15.
    const fetcherPid = Number(lines.Fetcher![2]);
    await page.getByRole('button', { name: `Terminate Fetcher (pid ${fetcherPid})` }).click();
    const ended = await pollUntil(
      async () => {
        const cells = (await treeLines(page)).Fetcher;
        return cells && cells[5] === '-15 (SIGTERM)' ? cells : null;
      },
      15_000,
      'Fetcher to show exit code -15',
    );
    expect(ended[3]).toBe('no');
    expect(stateOf(fetcherPid) === null || stateOf(fetcherPid) === 'Z').toBe(true);
    // The program itself goes on: the job and its pool workers are still up.
    const after = await treeLines(page);
    expect(Object.keys(after).filter((name) => name.startsWith('ForkPoolWorker-') && after[name]![3] === 'yes')).toHaveLength(3);

    await showTab(page, 'Pools');
    const card = page.locator('article', { has: page.getByRole('heading', { name: 'Pool-1' }) });
    await card.getByText('inside').waitFor({ timeout: 10_000 });
    expect((await card.locator('header').innerText()).replace(/\s+/g, ' ')).toContain('inside crawl.py');
    const tasks = card.getByRole('table', { name: 'Tasks of Pool-1 inside crawl.py' });
    await pollUntil(async () => (await tasks.getByRole('row').count()) === 6 || null, 10_000, 'five task rows');
    const workers = new Set((await tasks.locator('tbody tr td:nth-child(3)').allInnerTexts()).map((text) => text.trim()));
    expect(workers.size).toBeGreaterThanOrEqual(1);
    expect(workers.size).toBeLessThanOrEqual(3);
    for (const worker of workers) expect(worker).toMatch(/^ForkPoolWorker-\d \d+$/);
    expect(pageErrors).toEqual([]);
  });
});
