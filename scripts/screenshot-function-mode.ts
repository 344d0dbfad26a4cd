// Takes docs/function-form.png (the New process form in Function mode, the file's functions listed)
// and docs/traceback.png (a function process's traceback opened from its row), light theme, in
// Chromium through the built headless server and the real Python helper.
// Run after `npm run build`: npx tsx scripts/screenshot-function-mode.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeScreenshots } from './screenshot-session.js';
import { field, keepEndedProcessesInView, pollUntil, readProcessTable } from '../test/e2e/ui-helpers.js';

const VIEWPORT = { width: 1280, height: 800 };
const FORM_VIEWPORT = { width: 1280, height: 1000 };

const TASKS_PY = `import time


def square(x, scale=1):
    """Return x squared, times scale."""
    return x * x * scale


def fetch_report(url, *, retries=3, timeout=10.0):
    """Download a report and return its row count."""
    time.sleep(0.2)
    return {"url": url, "rows": 1284}


def parse_ratio(text):
    """Parse "a/b" into a float."""
    numerator, denominator = text.split("/")
    return int(numerator) / int(denominator)


class Ticker:
    """Print a tick every interval seconds until stopped."""

    def __init__(self, interval=1.0):
        self.interval = interval

    def run(self):
        while True:
            print("tick", flush=True)
            time.sleep(self.interval)
`;

const folder = mkdtempSync(join(tmpdir(), 'pooldeck-tasks-'));
writeFileSync(join(folder, 'tasks.py'), TASKS_PY);
await takeScreenshots(async ({ app, openPage, shoot }) => {
  const run = (spec: Record<string, unknown>) => app.command('createProcess', { cwd: folder, ...spec });
  await run({ name: 'square-7', target: 'tasks.py:square', args: [7], kwargs: { scale: 2 } });
  await run({ name: 'report-march', target: 'tasks.py:fetch_report', args: ['https://reports.example/2026-03.csv'] });
  await run({ name: 'ratio-bad', target: 'tasks.py:parse_ratio', args: ['3/0'] });
  await run({ name: 'ticker', target: 'tasks.py:Ticker', args: [0.5], daemon: true });
  await run({ name: 'sleeper', command: 'sleep', args: ['300'], daemon: true });

  // The functions that returned have ended, and the table hides ended processes unless told.
  const page = await openPage(VIEWPORT, { beforeLoad: keepEndedProcessesInView });
  await pollUntil(async () => (await readProcessTable(page)).filter((row) => row.Result !== '').length >= 3, 30_000, 'three function rows with a result');

  // Tall enough for the whole form, footer included.
  await page.setViewportSize(FORM_VIEWPORT);
  await page.getByRole('button', { name: 'New process' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New process' });
  await dialog.getByRole('radio', { name: 'Run a function' }).check();
  await field(dialog, 'File').fill('tasks.py');
  await field(dialog, 'Working directory').fill(folder);
  await dialog.getByRole('group', { name: 'Function' }).getByRole('radio', { name: /^square\(/ }).check({ timeout: 15_000 });
  await field(dialog, 'Arguments').fill('[7]');
  await field(dialog, 'Keyword arguments').fill('{"scale": 2}');
  await field(dialog, 'Name').fill('square-7');
  await page.mouse.move(0, 0);
  await shoot(page, 'function-form.png');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await page.setViewportSize(VIEWPORT);
  await page.getByRole('button', { name: 'Traceback of ratio-bad' }).click();
  await page.getByRole('dialog', { name: 'Traceback of ratio-bad' }).waitFor();
  await page.mouse.move(0, 0);
  await shoot(page, 'traceback.png');
});
rmSync(folder, { recursive: true, force: true });
