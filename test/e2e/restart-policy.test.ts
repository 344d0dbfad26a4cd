import { describe, expect, it } from 'vitest';
import { field, pollUntil, readProcessTable, rowNamed, showTab } from './ui-helpers.js';
import { useServedPage } from './served-page.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/restart-policy.test.ts', 'its jobs are sh and sleep, started from the UI');

// Restart policies in the real UI, over the built headless server and real processes: a process
// started from the form with "On failure" counts down to its restarts and ends errored with its stderr
// on the badge; a worker-mode pool of a program that is not a worker shows errored with the advice.

const served = useServedPage({ width: 1440, height: 800 });

describe.skipIf(skipHere)('restart policies in the browser', () => {
  it('a process started with On failure counts down to its restarts, then shows errored with why', async () => {
    const { page } = served;
    await page.getByRole('button', { name: 'New process' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await field(dialog, 'Command').fill('sh');
    await field(dialog, 'Arguments').fill(`-c 'echo "cannot open config" >&2; exit 3'`);
    await field(dialog, 'Name').fill('flaky');
    await field(dialog, 'Restart').selectOption('on-failure');
    await field(dialog, 'Max restarts').fill('2');
    await dialog.getByRole('button', { name: 'Start process' }).click();
    // The waits are 1 s then 2 s (the app's default backoff): the countdown is on screen meanwhile.
    await pollUntil(async () => /^restarting in \d+ s$/.test(rowNamed(await readProcessTable(page), 'flaky')?.State ?? ''), 15_000, 'the countdown');
    const errored = await pollUntil(
      async () => {
        const row = rowNamed(await readProcessTable(page), 'flaky');
        return row?.State.startsWith('errored') ? row : null;
      },
      15_000,
      'errored',
    );
    expect(errored.State).toBe('errored ↻2');
    const badge = page.locator('tr', { hasText: 'flaky' }).getByText('errored', { exact: true });
    expect(await badge.getAttribute('title')).toMatch(/^errored: the last run ended with 3\ngave up after 2 restarts .*\ncannot open config\./);
  });

  it('a worker-mode pool of a program that is not a worker shows errored and suggests exec mode', async () => {
    const { app, page } = served;
    await app.command('createPool', { name: 'not-a-worker', processes: 2, command: 'sleep', args: ['0'], tasks: [[1], [2], [3], [4], [5]] });
    await showTab(page, 'Pools');
    const card = page.getByRole('article', { name: 'not-a-worker' });
    await card.getByText('errored', { exact: true }).waitFor({ timeout: 15_000 });
    await expect(card.getByRole('status').textContent()).resolves.toMatch(/never spoke the worker protocol: .*exec mode/);
  });
});
