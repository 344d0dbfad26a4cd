import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServedPage } from './served-page.js';
import { keepEndedProcessesInView, pollUntil, readProcessTable, rowNamed, selectRow, showTab } from './ui-helpers.js';
import { python } from '../helpers/platform.js';

// The log panel in Chromium over the built headless server, with a real Python program: 200,000 lines
// (more than the panel holds), a progress bar drawn with carriage returns, and a prompt on stdin.

const LINES = 200_000;
const PROGRAM = [
  'import sys',
  `for i in range(${LINES}): print(f"line {i}")`,
  'sys.stdout.write("download 10%\\rdownload 50%\\rdownload 100%\\n")',
  'name = input("Name? ")',
  'print("hello", name)',
  'input("Press Enter to quit ")',
].join('\n');

const served = useServedPage({ width: 1280, height: 800 }, keepEndedProcessesInView);

describe('the log panel', () => {
  it('shows the tail of a long log, a progress bar as one line, takes input, and searches the whole file', async () => {
    const { app, page } = served;
    const created = await app.command<{ id: string }>('createProcess', { command: python, args: ['-u', '-c', PROGRAM], name: 'long-log' });
    expect(created.ok, JSON.stringify(created.error)).toBe(true);

    await showTab(page, 'Processes');
    const row = await pollUntil(async () => rowNamed(await readProcessTable(page), 'long-log'), 10_000, 'the long-log row');
    const actions = await selectRow(page, row);
    await actions.getByRole('button', { name: 'Logs', exact: true }).click();
    const panel = page.getByRole('complementary', { name: /Logs/ });
    const lines = panel.getByRole('log');

    await lines.getByText('Name?', { exact: false }).waitFor({ timeout: 30_000 });
    await panel.getByText(/Showing the last 5,000 of 200,00\d lines; search reads the whole log file/).waitFor();
    // The bar's last drawing, on one line.
    await expect(lines.locator('.line .text').filter({ hasText: 'download' }).allInnerTexts()).resolves.toEqual(['download 100%']);
    // The run's own file, named by job id and start time.
    await expect(panel.locator('.path').innerText()).resolves.toMatch(new RegExp(`/logs/${created.value!.id}-\\d{8}-\\d{6}-[0-9a-f]{6}\\.log$`));

    const input = panel.getByRole('textbox', { name: 'Input' });
    await input.fill('Ada');
    await input.press('Enter');
    await lines.getByText('Name? hello Ada').waitFor();

    await panel.getByRole('button', { name: 'Timestamps' }).click();
    const stamp = await lines.locator('.line:not(.partial) .stamp').last().innerText();
    expect(stamp).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/);
    await page.screenshot({ path: 'test-results/log-panel.png' });

    const search = panel.getByRole('searchbox', { name: 'Search output' });
    await search.fill('1234');
    const expected = Array.from({ length: LINES }, (_, i) => i).filter((i) => String(i).includes('1234'));
    await panel.getByText(new RegExp(`Match ${expected.length} of ${expected.length} in 200,00\\d lines of the log file`)).waitFor();
    const current = () => lines.locator('.line.current').getAttribute('data-line');
    // Line N of the file is `line N-1`.
    await expect(current()).resolves.toBe(String(expected.at(-1)! + 1));
    await panel.getByRole('button', { name: 'Previous match' }).click();
    await expect(current()).resolves.toBe(String(expected.at(-2)! + 1));
    await expect(lines.locator('.line.current mark').innerText()).resolves.toBe('1234');
    await page.screenshot({ path: 'test-results/log-search.png' });
    await panel.getByRole('button', { name: 'Next match' }).click();
    await expect(current()).resolves.toBe(String(expected.at(-1)! + 1));
    // The first of them, far before the tail the panel holds.
    await search.press('Enter');
    await expect(current()).resolves.toBe(String(expected[0]! + 1));

    await search.fill('');
    await input.press('Enter');
    // Download saves the whole file, not the tail the panel holds.
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${created.value!.id}-\\d{8}-\\d{6}-[0-9a-f]{6}\\.log$`));
    const saved = readFileSync((await download.path())!, 'utf8');
    expect(saved.startsWith('line 0\nline 1\n')).toBe(true);
    expect(saved).toContain('line 199999\ndownload 10%\rdownload 50%\rdownload 100%\n');
    await pollUntil(async () => (await app.command<{ processes: { name: string; state: string }[] }>('getSnapshot', {})).value!.processes.find((process) => process.name === 'long-log')?.state === 'exited', 15_000, 'long-log to exit after its last input');
  }, 120_000);
});
