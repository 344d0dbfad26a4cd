import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isRunning, launchChromium, startServedApp, type ServedApp } from './harness.js';
import { field, keepEndedProcessesInView, pollUntil, poolCounts, readProcessTable, rowNamed, selectRow, showTab, type TableRow } from './ui-helpers.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/ui.test.ts', 'its jobs are sh -c scripts and sleep, started from the UI');

// The real UI in Chromium over the built headless server: what a user does and sees.

let app: ServedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  app = await startServedApp();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await keepEndedProcessesInView(page);
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // "Failed to load resource" repeats a failed request, which the listeners below report with its URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()} for ${response.url().replace(/token=[^&]+/, 'token=…')}`);
  });
  page.on('requestfailed', (request) => {
    // The reload below cancels what the page was still fetching (its favicon, once in a while):
    // Chromium reports those as net::ERR_ABORTED. Any other failure is the server's.
    const reason = request.failure()?.errorText ?? 'unknown';
    if (reason !== 'net::ERR_ABORTED') pageErrors.push(`request failed (${reason}): ${request.url().replace(/token=[^&]+/, 'token=…')}`);
  });
  await page.goto(app.url);
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (app) {
    const { survivors } = await app.stop();
    expect(survivors, 'processes left behind by the server').toEqual([]);
  }
});

describe.skipIf(skipHere)('the headless UI', () => {
  it('loads with the token from the URL, connects, and keeps working after a reload', async () => {
    await expect(page.getByRole('heading', { name: 'Pooldeck', level: 1 }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Load demo workspace' }).waitFor();
    // The page took the token out of the address bar (it lives in sessionStorage now).
    expect(page.url()).toBe(`${app.origin}/`);
    // A reload without ?token= still works: the asset cookie loads the page, sessionStorage the token.
    await page.reload();
    await page.getByRole('button', { name: 'Load demo workspace' }).waitFor();
    expect(pageErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  });

  it('without the token, shows nothing but the 401 explanation', async () => {
    const other = await browser.newContext();
    try {
      const bare = await other.newPage();
      const response = await bare.goto(`${app.origin}/`);
      expect(response?.status()).toBe(401);
      expect(await bare.locator('body').innerText()).toMatch(/needs its token/);
    } finally {
      await other.close();
    }
  });

  it('loads the demo workspace: a pool at work and a process ended by SIGTERM', async () => {
    await page.getByRole('button', { name: 'Load demo workspace' }).click();
    await showTab(page, 'Processes');
    const rows = await pollUntil(
      async () => {
        const all = await readProcessTable(page);
        const pooled = all.filter((row) => row.Pool !== '' && /^\d+$/.test(row.PID));
        return pooled.length >= 1 && all.some((row) => row['Exit code'] === '-15 (SIGTERM)') ? all : null;
      },
      30_000,
      'demo rows with pids and a -15 (SIGTERM) exit code',
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    // The demo pool's workers really work: all five tasks done, none failed (a worker that cannot
    // start its script would exit 2 and fail them).
    await showTab(page, 'Pools');
    const counts = await pollUntil(
      async () => {
        const found = await poolCounts(page, 'demo-squares');
        return found.done === 5 ? found : null;
      },
      30_000,
      'demo-squares: 5 done',
    );
    expect(counts.failed).toBe(0);
    await showTab(page, 'Processes');
    const workers = (await readProcessTable(page)).filter((row) => row.Pool === 'demo-squares');
    expect(workers.length).toBe(3);
    for (const worker of workers) expect(['', '0', '-15 (SIGTERM)']).toContain(worker['Exit code']);
  });

  it('creates a pool of 3 with 5 tasks and shows its processes start, end and exit', async () => {
    await page.getByRole('button', { name: 'New pool' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New pool' });
    await dialog.getByRole('radio', { name: /Exec/ }).check();
    await field(dialog, 'Command').fill('sh');
    await field(dialog, 'Arguments').fill(`-c 'sleep 1; echo e2e-out-{}'`);
    await field(dialog, 'Name').fill('e2e-pool');
    await field(dialog, 'Pool size').fill('3');
    await field(dialog, 'Tasks').fill('1..5');
    await dialog.getByRole('button', { name: 'Create pool' }).click();
    await dialog.waitFor({ state: 'detached' });

    await showTab(page, 'Processes');
    let maxAlive = 0;
    const pids = new Set<string>();
    let sawAlive = false;
    const finished = await pollUntil(
      async () => {
        const rows = (await readProcessTable(page)).filter((row) => row.Pool === 'e2e-pool');
        const alive = rows.filter((row) => row.Alive === 'yes');
        maxAlive = Math.max(maxAlive, alive.length);
        if (alive.some((row) => /^\d+$/.test(row.PID))) sawAlive = true;
        for (const row of rows) if (/^\d+$/.test(row.PID)) pids.add(row.PID);
        return rows.length === 5 && rows.every((row) => row.Alive === 'no' && row['Exit code'] === '0') ? rows : null;
      },
      30_000,
      'five finished task rows with exit code 0',
    );
    expect(sawAlive, 'a running task row with a pid and Alive = yes').toBe(true);
    expect(maxAlive).toBeLessThanOrEqual(3);
    // Exec mode: a fresh process per task, each with its own pid.
    expect(pids.size).toBe(5);
    expect(finished.every((row: TableRow) => /^\d+$/.test(row.PID))).toBe(true);

    await showTab(page, 'Pools');
    await expect(page.getByRole('tabpanel').getByText('e2e-pool').first().isVisible()).resolves.toBe(true);
  });

  it('opens the logs of a task and shows its output', async () => {
    await showTab(page, 'Processes');
    const rows = (await readProcessTable(page)).filter((row) => row.Pool === 'e2e-pool');
    const target = rows[0]!;
    const actions = await selectRow(page, target);
    await actions.getByRole('button', { name: 'Logs', exact: true }).click();
    const logs = page.getByRole('complementary', { name: /Logs/ });
    // The job's own output, in the log view's lines (not merely the command line shown elsewhere).
    await logs.getByRole('log').getByText(/^\s*e2e-out-[1-5]\s*$/).first().waitFor({ timeout: 15_000 });
  });

  it('terminates a running process from the UI and shows -15 (SIGTERM)', async () => {
    await page.getByRole('button', { name: 'New process' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await field(dialog, 'Command').fill('sleep');
    await field(dialog, 'Arguments').fill('300');
    await field(dialog, 'Name').fill('e2e-sleeper');
    await dialog.getByRole('button', { name: 'Start process' }).click();
    await dialog.waitFor({ state: 'detached' });

    await showTab(page, 'Processes');
    const running = await pollUntil(
      async () => {
        const row = rowNamed(await readProcessTable(page), 'e2e-sleeper');
        return row && row.Alive === 'yes' && /^\d+$/.test(row.PID) ? row : null;
      },
      15_000,
      'e2e-sleeper running with a pid',
    );
    const pid = Number(running.PID);
    expect(isRunning(pid)).toBe(true);

    // A new process is selected on creation: its actions are in the toolbar ("Actions for <name>").
    await page.getByRole('group', { name: 'Actions for e2e-sleeper' }).getByRole('button', { name: 'Terminate' }).click();
    // Terminate asks first; confirm.
    await page.getByRole('dialog', { name: 'Terminate e2e-sleeper?' }).getByRole('button', { name: 'Terminate' }).click();
    const ended = await pollUntil(
      async () => {
        const row = rowNamed(await readProcessTable(page), 'e2e-sleeper');
        return row && row.Alive === 'no' && row['Exit code'] !== '' ? row : null;
      },
      15_000,
      'e2e-sleeper to end',
    );
    expect(ended['Exit code']).toBe('-15 (SIGTERM)');
    expect(isRunning(pid)).toBe(false);
  });

  it('ran without page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
