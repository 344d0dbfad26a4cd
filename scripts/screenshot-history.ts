// Takes docs/history.png: the History view with processes that ended (one failed, one restarted, one
// ended by SIGTERM), a pool with failing tasks, and one run's log open, light theme, in Chromium through
// the built headless server. Run after `npm run build`: npx tsx scripts/screenshot-history.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunPage } from '../main/protocol/index.js';
import { takeScreenshots } from './screenshot-session.js';
import { pollUntil } from '../test/e2e/ui-helpers.js';

const VIEWPORT = { width: 1280, height: 800 };

const TASKS_MJS = `
export function resize(image) {
  if (image.endsWith('.gif')) throw new Error('cannot resize ' + image + ': animated images are not supported');
  return { image, width: 640 };
}
`;

const folder = mkdtempSync(join(tmpdir(), 'pooldeck-history-shot-'));
writeFileSync(join(folder, 'images.mjs'), TASKS_MJS);
await takeScreenshots(async ({ app, openPage, shoot }) => {
  const command = app.command.bind(app);
  const run = (spec: Record<string, unknown>) => command<{ id: string }>('createProcess', { cwd: folder, ...spec });
  await run({ name: 'backup', command: 'sh', args: ['-c', 'echo copying 1,204 files; echo done'] });
  await run({ name: 'migrate-db', command: 'sh', args: ['-c', 'echo applying 0042_add_index; echo "error: relation users does not exist" >&2; exit 3'] });
  const web = await run({ name: 'web', command: 'sleep', args: ['300'] });
  await run({ name: 'report', command: 'python3', args: ['-c', 'print("rows: 1284")'] });
  const pool = await command<{ id: string }>('createPool', {
    name: 'thumbnails', processes: 2, target: 'images.mjs:resize', cwd: folder,
    tasks: [['a.png'], ['b.jpg'], ['intro.gif'], ['c.png'], ['d.png'], ['banner.gif'], ['e.jpg']],
  });
  await command('closePool', { id: pool.value!.id });
  await new Promise((resolveWait) => setTimeout(resolveWait, 500));
  await command('restart', { id: web.value!.id });
  await new Promise((resolveWait) => setTimeout(resolveWait, 300));
  await command('terminate', { id: web.value!.id });
  await pollUntil(async () => {
    const page = (await command<RunPage>('listRuns', {})).value;
    return page !== undefined && page.runs.filter((entry) => entry.kind !== 'task').length >= 6 && page.runs.every((entry) => entry.status !== 'running');
  }, 30_000, 'every run to end');

  const page = await openPage(VIEWPORT);
  await page.getByRole('tab', { name: 'History' }).click();
  const table = page.getByRole('table', { name: 'Runs' });
  await table.locator('tbody tr', { hasText: 'migrate-db' }).getByRole('button', { name: 'Logs' }).click();
  await page.getByRole('region', { name: 'Log of migrate-db' }).getByText('relation users').waitFor();
  await page.mouse.move(0, 0);
  await shoot(page, 'history.png');
});
rmSync(folder, { recursive: true, force: true });
