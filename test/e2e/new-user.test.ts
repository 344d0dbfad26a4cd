import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, startServedApp, type ServedApp } from './harness.js';
import { writeFileSync } from 'node:fs';
import { field, pollUntil, poolCounts, readProcessTable, selectRow, showTab } from './ui-helpers.js';
import { childrenOf, stateOf } from '../helpers/proc-state.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/new-user.test.ts', 'its jobs are sh -c scripts and sleep, stopped and continued with SIGSTOP and SIGCONT');

// What a new user hit, in Chromium over the built headless server with real processes: each
// scenario starts from what that user did and checks what they now see.

let app: ServedApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  app = await startServedApp();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (app) {
    const { survivors } = await app.stop();
    expect(survivors, 'processes left behind by the server').toEqual([]);
  }
});

async function create(spec: Record<string, unknown>): Promise<string> {
  const outcome = await app.command<{ id: string }>('createProcess', spec);
  if (!outcome.ok) throw new Error(outcome.error?.message);
  return outcome.value!.id;
}

/** The text a field's aria-describedby points at (its error, then its hint), as a screen reader reads it. */
async function describedText(dialog: Locator, input: Locator): Promise<string> {
  const describedBy = (await input.getAttribute('aria-describedby'))!.split(' ');
  return (await Promise.all(describedBy.map((id) => dialog.locator(`[id="${id}"]`).innerText()))).join(' ');
}

async function removeAll(): Promise<void> {
  const snapshot = await app.command<{ processes: { id: string; isAlive: boolean }[] }>('getSnapshot');
  for (const row of snapshot.value!.processes) {
    if (row.isAlive) await app.command('stop', { id: row.id, graceMs: 2000 });
    await app.command('remove', { id: row.id });
  }
}

describe.skipIf(skipHere)('the process table', () => {
  it('hides exited processes by default, filters by state and signal, shows commands, flags shared names, and counts live ones', async () => {
    await create({ command: 'sleep', args: ['60'], name: 'web' });
    await create({ command: 'sleep', args: ['61'], name: 'web' });
    await create({ command: 'sh', args: ['-c', 'kill -9 $$'], name: 'crashes' });
    await create({ command: 'sh', args: ['-c', 'exit 3'], name: 'fails' });
    await page.goto(app.url);

    const hide = page.getByRole('checkbox', { name: /Hide exited/ });
    await pollUntil(async () => (await page.getByText('Hide exited (2)').count()) === 1, 10_000, 'two ended processes counted');
    expect(await hide.isChecked()).toBe(true);
    const shown = await readProcessTable(page);
    expect(shown.map((row) => row.Name)).toEqual(['web', 'web']);
    expect(shown.map((row) => row.Command)).toEqual(['sleep 60', 'sleep 61']);
    expect(await page.locator('.same-name').count()).toBe(2);
    expect(await page.getByRole('tab', { name: /Processes/ }).innerText()).toMatch(/Processes\s*2/);

    const filter = page.getByRole('searchbox', { name: 'Filter processes' });
    await filter.fill('SIGKILL');
    await pollUntil(async () => /No live process matches “SIGKILL”: 1 ended process is hidden/.test(await page.locator('tr.no-match').innerText({ timeout: 1000 })), 10_000, 'the hidden match explained');
    await page.getByRole('button', { name: 'Show ended processes' }).click();
    const killed = await pollUntil(async () => {
      const rows = await readProcessTable(page);
      return rows.length === 1 ? rows : null;
    }, 10_000, 'the killed process');
    expect(killed[0]!['Exit code']).toBe('-9 (SIGKILL)');

    await filter.fill('running');
    expect((await readProcessTable(page)).map((row) => row.Command)).toEqual(['sleep 60', 'sleep 61']);
    await filter.fill('');
    await hide.check();
    expect(pageErrors).toEqual([]);
    await removeAll();
  });
});

describe.skipIf(skipHere)('one process up close', () => {
  it('shows a details panel with the argv, cwd and environment; sends SIGSTOP and SIGCONT to the job; Escape closes the panel', async () => {
    await create({ command: 'sh', args: ['-c', 'sleep 60; true', 'job name'], name: 'job', cwd: '/tmp', env: { GREETING: 'hello there' } });
    await page.goto(app.url);
    const row = await pollUntil(async () => (await readProcessTable(page)).find((candidate) => candidate.Name === 'job' && candidate.PID !== ''), 10_000, 'the job');
    const shell = Number(row.PID);
    const [sleeper] = await pollUntil(async () => (childrenOf(shell).length > 0 ? childrenOf(shell) : null), 10_000, 'the sleep');
    const toolbar = await selectRow(page, row);

    await toolbar.getByRole('button', { name: 'Details' }).click();
    const details = page.getByRole('region', { name: 'Details of job' });
    await details.getByRole('list', { name: 'argv' }).waitFor();
    await pollUntil(async () => (await details.getByRole('list', { name: 'argv' }).getByRole('listitem').allInnerTexts()).length === 4, 10_000, 'the argv');
    expect(await details.getByRole('list', { name: 'argv' }).getByRole('listitem').allInnerTexts()).toEqual(['sh', '-c', 'sleep 60; true', 'job name']);
    expect(await details.innerText()).toMatch(/Working directory\s+\/tmp/);
    expect(await details.getByRole('list', { name: 'Environment added' }).innerText()).toBe('GREETING=hello there');
    expect(await details.innerText()).toMatch(/Previous exit codes\s+none: this is its first run/);
    await page.screenshot({ path: 'docs/details-panel.png' });

    await toolbar.getByRole('button', { name: 'Signal…' }).click();
    const stop = page.getByRole('menuitem', { name: /SIGSTOP/ });
    expect(await stop.innerText()).toMatch(/to the group/);
    await stop.click();
    await pollUntil(async () => stateOf(shell) === 'T' && stateOf(sleeper!) === 'T', 10_000, 'the shell and its sleep to stop');
    await toolbar.getByRole('button', { name: 'Signal…' }).click();
    await page.getByRole('menuitem', { name: /SIGCONT/ }).click();
    await pollUntil(async () => stateOf(shell) !== 'T' && stateOf(sleeper!) !== 'T', 10_000, 'both to continue');

    // The panel belongs to the Processes view, and Escape closes it.
    await showTab(page, 'Pools');
    expect(await page.getByRole('complementary').count()).toBe(0);
    await showTab(page, 'Processes');
    await details.waitFor();
    await page.getByRole('grid', { name: 'Processes' }).focus();
    await page.keyboard.press('Escape');
    await pollUntil(async () => (await page.getByRole('complementary').count()) === 0, 10_000, 'the panel to close');
    expect(pageErrors).toEqual([]);
    await removeAll();
  });
});

describe.skipIf(skipHere)('a pool a new user terminates', () => {
  it('waits for the first tasks before an ETA, asks before Terminate, then reads "4 done · 26 cancelled of 30"', async () => {
    // Nothing can finish before the ETA is checked: a gate file lets the four quick tasks go.
    const gate = `${app.dataDir}/gate`;
    const script = `if [ "$0" = quick ]; then while [ ! -e '${gate}' ]; do sleep 0.05; done; else sleep 60; fi`;
    const created = await app.command<{ id: string }>('createPool', { processes: 2, command: 'sh', args: ['-c', script], mode: 'exec', name: 'renders' });
    const poolId = created.value!.id;
    await app.command('submitTasks', { poolId, tasks: [...Array.from({ length: 4 }, () => ['quick']), ...Array.from({ length: 26 }, () => ['slow'])] });
    await page.goto(app.url);
    await showTab(page, 'Pools');
    const card = page.getByRole('article', { name: 'renders' });
    expect(await card.innerText()).toContain(`sh -c 'if [ "$0" = quick ]; then`);
    await pollUntil(async () => (await card.locator('.progress-text').innerText()) === '0 / 30 · ETA once the first tasks finish', 10_000, 'the ETA to wait');

    writeFileSync(gate, '');
    await pollUntil(async () => (await poolCounts(page, 'renders')).done === 4, 20_000, 'four tasks done');
    await card.getByRole('button', { name: 'Terminate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Terminate renders?' });
    expect(await dialog.innerText()).toMatch(/2 running tasks stop now, and 24 queued tasks are cancelled/);
    await dialog.getByRole('button', { name: 'Terminate' }).click();
    const text = await pollUntil(async () => {
      const shown = await card.locator('.progress-text').innerText();
      return /of 30$/.test(shown) ? shown : null;
    }, 20_000, 'the terminated pool');
    expect(text).toBe('4 done · 26 cancelled of 30');
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(skipHere)('a 900×700 window', () => {
  it('fits the table by leaving out the least needed columns', async () => {
    await create({ command: 'sleep', args: ['60'], name: 'api-server' });
    await create({ command: 'python3', args: ['-c', 'import time; time.sleep(60)', 'two words'], name: 'trainer' });
    await create({ command: 'sh', args: ['-c', 'exit 3'], name: 'migrate' });
    const narrow = await (await browser.newContext({ viewport: { width: 900, height: 700 } })).newPage();
    try {
      await narrow.goto(app.url);
      await pollUntil(async () => (await readProcessTable(narrow)).length === 2, 10_000, 'the two live processes');
      const headers = (await narrow.getByRole('columnheader').allInnerTexts()).map((text) => text.replace(/[▲▼]/g, '').trim());
      expect(headers).toEqual(['Name', 'Command', 'PID', 'Alive', 'Exit code', 'State', 'Actions']);
      // The table's scrolling viewport holds the grid; no sideways scroll means everything fits.
      const overflow = await narrow
        .locator('div:has(> [role="grid"])')
        .evaluate((viewport: { scrollWidth: number; clientWidth: number }) => viewport.scrollWidth - viewport.clientWidth);
      expect(overflow).toBe(0);
      await narrow.getByRole('grid', { name: 'Processes' }).getByRole('row').filter({ hasText: 'trainer' }).getByRole('gridcell').first().click();
      await narrow.screenshot({ path: 'docs/narrow-table.png' });
    } finally {
      await narrow.close();
    }
    await removeAll();
  });
});

describe.skipIf(skipHere)('the New process form', () => {
  it('says a start error at its field with the form still open, suggests the fix, and keeps what was typed', async () => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'New process' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    const command = field(dialog, 'Command');
    await command.fill('python3 -c print(42)');
    await field(dialog, 'Name').fill('answer');
    await dialog.getByRole('button', { name: 'Start process' }).click();
    await pollUntil(async () => (await command.getAttribute('aria-invalid')) === 'true', 10_000, 'the Command field marked');
    const description = await describedText(dialog, command);
    expect(description).toContain('to run `python3 -c print(42)`, put `python3` in Command and `-c print(42)` in Arguments');
    expect(await field(dialog, 'Name').inputValue()).toBe('answer');

    // Following the advice, with a working directory that does not exist.
    await command.fill('python3');
    await field(dialog, 'Arguments').fill('-c print(42)');
    const cwd = field(dialog, 'Working directory');
    await cwd.fill(`${app.dataDir}/missing`);
    await dialog.getByRole('button', { name: 'Start process' }).click();
    await pollUntil(async () => (await cwd.getAttribute('aria-invalid')) === 'true', 10_000, 'the Working directory field marked');
    expect(await command.getAttribute('aria-invalid')).not.toBe('true');

    await cwd.fill('');
    await dialog.getByRole('button', { name: 'Start process' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = await pollUntil(async () => (await readProcessTable(page)).find((candidate) => candidate.Name === 'answer'), 10_000, 'the started process');
    expect(row.Command).toBe('python3 -c print(42)');
    expect(pageErrors).toEqual([]);
    await removeAll();
  });
});

describe.skipIf(skipHere)('the New pool form', () => {
  it('says a whole command line typed into Command at its field, keeps the form and what was typed, and creates no pool', async () => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'New pool' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New pool' });
    await dialog.getByRole('radio', { name: /^Exec/ }).check();
    const command = field(dialog, 'Command');
    await command.fill('gzip -k');
    await field(dialog, 'Name').fill('zipper');
    await dialog.getByRole('button', { name: 'Create pool' }).click();
    await pollUntil(async () => (await command.getAttribute('aria-invalid')) === 'true', 10_000, 'the Command field marked');
    const description = await describedText(dialog, command);
    expect(description).toContain('put `gzip` in Command and `-k` in Arguments');
    expect(await field(dialog, 'Name').inputValue()).toBe('zipper');
    expect(await command.inputValue()).toBe('gzip -k');
    // An earlier test of this file leaves its terminated pool: only this form's pool must be missing.
    const snapshot = await app.command<{ pools: { name: string }[] }>('getSnapshot');
    expect(snapshot.value!.pools.map((pool) => pool.name)).not.toContain('zipper');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(pageErrors).toEqual([]);
  });
});
