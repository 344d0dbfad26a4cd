import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServedPage } from './served-page.js';
import { field, keepEndedProcessesInView, pollUntil, readProcessTable, rowNamed } from './ui-helpers.js';

// Function mode in the real UI, over the built headless server and the real Python helper: a file in
// a temporary folder, its functions listed by the helper, one that returns and one that raises.

const TASKS_PY = `
def square(x, scale=1):
    """Return x squared, times scale."""
    return x * x * scale


def divide(a, b):
    """Divide a by b."""
    return a / b
`;

const pageErrors: string[] = [];
const served = useServedPage({ width: 1280, height: 800 }, async (page) => {
  await keepEndedProcessesInView(page);
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
});
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'pooldeck-function-mode-'));
  writeFileSync(join(folder, 'tasks.py'), TASKS_PY);
});

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Fills the New process form in Function mode, picking `functionName` from the helper's list. */
async function startFunction(options: { name: string; functionName: string; args: string }) {
  const { page } = served;
  await page.getByRole('button', { name: 'New process' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New process' });
  await dialog.getByRole('radio', { name: 'Run a function' }).check();
  await field(dialog, 'Working directory').fill(folder);
  await field(dialog, 'File').fill('tasks.py');
  const list = dialog.getByRole('group', { name: 'Function' });
  await list.getByRole('radio', { name: new RegExp(`^${options.functionName}\\(`) }).check({ timeout: 15_000 });
  await field(dialog, 'Arguments').fill(options.args);
  await field(dialog, 'Name').fill(options.name);
  await dialog.getByRole('button', { name: 'Start process' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The row of process `name` once it has an exit code. */
function endedRow(name: string) {
  const { page } = served;
  return pollUntil(
    async () => {
      const found = rowNamed(await readProcessTable(page), name);
      return found && found['Exit code'] !== '' ? found : null;
    },
    20_000,
    `${name} to end`,
  );
}

describe('Function mode', () => {
  it('lists the file’s functions with their signatures and doc lines', async () => {
    const { page } = served;
    await page.getByRole('button', { name: 'New process' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await dialog.getByRole('radio', { name: 'Run a function' }).check();
    await field(dialog, 'File').fill(join(folder, 'tasks.py'));
    const options = dialog.getByRole('group', { name: 'Function' }).getByRole('radio');
    await options.first().waitFor({ timeout: 15_000 });
    const labels = await dialog.getByRole('group', { name: 'Function' }).locator('label').allInnerTexts();
    expect(labels.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
      'square(x, scale=1) function Return x squared, times scale.',
      'divide(a, b) function Divide a by b.',
    ]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('says at the file field why a file cannot be listed', async () => {
    const { page } = served;
    await page.getByRole('button', { name: 'New process' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await dialog.getByRole('radio', { name: 'Run a function' }).check();
    await field(dialog, 'File').fill(join(folder, 'missing.py'));
    const file = field(dialog, 'File');
    await pollUntil(async () => (await file.getAttribute('aria-invalid')) === 'true', 15_000, 'the file field to show an error');
    expect(await dialog.locator(`[id="${await file.getAttribute('id')}-error"]`).innerText()).toContain('missing.py');
    await page.keyboard.press('Escape');
  });

  it('runs a function picked from the list and shows its return value', async () => {
    await startFunction({ name: 'e2e-square', functionName: 'square', args: '[7]' });
    const row = await endedRow('e2e-square');
    expect(row['Exit code']).toBe('0');
    expect(row.Result).toBe('49');
  });

  it('shows what a raising function raised, and opens its traceback', async () => {
    const { page } = served;
    await startFunction({ name: 'e2e-divide', functionName: 'divide', args: '[1, 0]' });
    const row = await endedRow('e2e-divide');
    expect(row['Exit code']).toBe('1');
    expect(row.Result).toContain('ZeroDivisionError: division by zero');

    await page.getByRole('button', { name: 'Traceback of e2e-divide' }).click();
    const dialog = page.getByRole('dialog', { name: 'Traceback of e2e-divide' });
    const traceback = await dialog.getByLabel('Traceback', { exact: true }).innerText();
    expect(traceback).toContain('Traceback (most recent call last)');
    expect(traceback).toContain('return a / b');
    expect(traceback).toContain('ZeroDivisionError: division by zero');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('ran without page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
