import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunPage } from '../../main/protocol/index.js';
import { useServedPage } from './served-page.js';
import { pollUntil } from './ui-helpers.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/history.test.ts', 'its jobs are sh -c scripts');

// The History view in the real UI over the built headless server: jobs that ended (one failed), a pool
// with failing tasks, the failed filter, a past run's log, and Retry failed tasks once the cause is fixed.

/** Fails for a negative number until the file `fixed` exists in the working directory. */
const FLAKY_TASKS = `
import { existsSync } from 'node:fs';
export function check(x) {
  if (x < 0 && !existsSync('fixed')) throw new Error('negative: ' + x);
  return x * 2;
}
`;

const pageErrors: string[] = [];
const served = useServedPage({ width: 1280, height: 800 }, async (page) => {
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
});
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'pooldeck-history-e2e-'));
  writeFileSync(join(folder, 'tasks.mjs'), FLAKY_TASKS);
});

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Each row of the runs table as its cells' text, header by header. */
async function readRuns(page: Page): Promise<Record<string, string>[]> {
  const table = page.getByRole('table', { name: 'Runs' });
  const headers = (await table.locator('thead th').allInnerTexts()).map((text) => text.trim());
  const rows: Record<string, string>[] = [];
  for (const row of await table.locator('tbody tr:not([aria-hidden])').all()) {
    const cells = await row.locator('td').allInnerTexts();
    if (cells.length < headers.length) continue;
    rows.push(Object.fromEntries(headers.map((header, index) => [header, cells[index].replace(/\s+/g, ' ').trim()])));
  }
  return rows;
}

describe.skipIf(skipHere)('History', () => {
  it('lists ended runs, filters the failed ones, opens a log, and retries the failed tasks of a pool', async () => {
    const { app, page } = served;
    await app.command('createProcess', { name: 'exits-3', command: 'sh', args: ['-c', 'echo about to fail; exit 3'] });
    await app.command('createProcess', { name: 'all-good', command: 'sh', args: ['-c', 'echo fine'] });
    const pool = await app.command<{ id: string }>('createPool', { name: 'checks', processes: 2, target: 'tasks.mjs:check', cwd: folder, tasks: [[1], [-2], [3], [-4]] });
    await app.command('closePool', { id: pool.value!.id });

    await page.getByRole('tab', { name: 'History' }).click();
    const everything = await pollUntil(async () => {
      const rows = await readRuns(page);
      const pool = rows.find((row) => row.Job === 'checks');
      const ended = (job: string) => rows.some((row) => row.Job === job && row.Status !== 'running');
      return ended('exits-3') && ended('all-good') && pool?.Status === 'failed' ? rows : null;
    }, 20_000, 'the runs and the ended pool in History');
    expect(everything.find((row) => row.Job === 'exits-3')).toMatchObject({ Status: 'failed', 'Exit / result': '3', Command: "sh -c 'echo about to fail; exit 3'" });
    expect(everything.find((row) => row.Job === 'checks')?.['Exit / result']).toBe('2 done · 2 failed');

    // A past run's log, read from its file.
    const exitsRow = page.getByRole('table', { name: 'Runs' }).locator('tbody tr', { hasText: 'exits-3' });
    await exitsRow.getByRole('button', { name: 'Logs' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Log of exits-3' }).innerText()).toContain('about to fail');

    await page.getByRole('group', { name: 'Show runs by how they ended' }).getByRole('button', { name: 'Failed', exact: true }).click();
    const failed = await pollUntil(async () => {
      const rows = await readRuns(page);
      return rows.length > 0 && rows.every((row) => row.Status === 'failed') ? rows : null;
    }, 10_000, 'only failed runs');
    expect(failed.map((row) => row.Job).sort()).toEqual(['checks', 'checks #2', 'checks #4', 'exits-3']);

    writeFileSync(join(folder, 'fixed'), '');
    await page.getByRole('table', { name: 'Runs' }).locator('tbody tr', { hasText: '2 done · 2 failed' }).getByRole('button', { name: 'Retry failed' }).click();
    // The pool had ended: a new one like it runs the two failed tasks' arguments, and they pass now.
    // The app shows the new pool in the Pools view; back to History.
    await expect.poll(() => page.getByRole('tab', { name: /^Pools/ }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('group', { name: 'Show runs by how they ended' }).getByRole('button', { name: 'All', exact: true }).click();
    const retried = await pollUntil(async () => {
      const outcome = await app.command<RunPage>('listRuns', { filter: { kind: 'pool', name: 'checks' } });
      const newest = outcome.value?.runs[0];
      return newest && newest.counts && newest.status !== 'running' && newest.counts.done === 2 ? newest : null;
    }, 20_000, 'the retried pool to end');
    const tasks = await app.command<RunPage>('listRuns', { filter: { poolRunId: retried.id } });
    expect(tasks.value!.runs.map((task) => [task.args, task.status]).sort()).toEqual([[[-2], 'ok'], [[-4], 'ok']]);
    await pollUntil(async () => (await readRuns(page)).filter((row) => row.Job === 'checks').length === 2, 10_000, 'both pool runs in History');
    expect(pageErrors).toEqual([]);
  });
});
