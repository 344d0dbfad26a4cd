// Takes docs/errored.png (a process its restart policy gave up on: the red errored badge and, in its
// log panel, the restarts and why it stopped; beside it a process counting down to its next restart)
// and docs/errored-pool.png (a worker-mode pool of a program that is not a worker, errored, with the
// advice to use exec mode), light theme, in Chromium through the built headless server.
// Run after `npm run build`: npx tsx scripts/screenshot-errored.ts
import { takeScreenshots } from './screenshot-session.js';
import { keepEndedProcessesInView, pollUntil, readProcessTable, showTab } from '../test/e2e/ui-helpers.js';

// Wide enough for every column with a row selected (its actions shown).
const VIEWPORT = { width: 1440, height: 800 };

await takeScreenshots(async ({ app, openPage, shoot }) => {
  const run = (spec: Record<string, unknown>) => app.command('createProcess', spec);
  await run({ name: 'api-server', command: 'sleep', args: ['300'], restart: 'always', daemon: true });
  await run({ name: 'migrate-db', command: 'sh', args: ['-c', 'echo "connecting to db:5432" ; echo "error: could not read /etc/app/config.toml: No such file or directory" >&2; exit 3'], restart: 'on-failure', maxRestarts: 3 });
  await run({ name: 'flaky-worker', command: 'sh', args: ['-c', 'sleep 1; echo "lost connection" >&2; exit 1'], restart: 'on-failure', maxRestarts: 10, daemon: true });
  await run({ name: 'nightly-report', command: 'sh', args: ['-c', 'echo done'], restart: 'no' });
  await app.command('createPool', { name: 'not-a-worker', processes: 2, command: 'sleep', args: ['0'], tasks: Array.from({ length: 12 }, (_, index) => [index]) });

  const page = await openPage(VIEWPORT, { beforeLoad: keepEndedProcessesInView });
  // 1 s + 2 s + 4 s of waits before migrate-db gives up; flaky-worker then waits longer and longer.
  await pollUntil(async () => (await readProcessTable(page)).some((row) => row.State?.startsWith('errored')), 30_000, 'the errored row');
  await pollUntil(async () => (await readProcessTable(page)).some((row) => /restarting in \d+ s/.test(row.State ?? '')), 30_000, 'a countdown');
  await page.getByRole('grid').hover();
  await page.locator('tr', { hasText: 'migrate-db' }).hover();
  await page.getByRole('button', { name: 'Logs of migrate-db' }).click();
  await page.getByText(/gave up after 3 restarts/).first().waitFor();
  await page.mouse.move(0, 0);
  await shoot(page, 'errored.png');

  await showTab(page, 'Pools');
  await page.getByText(/exec mode/).first().waitFor();
  await page.mouse.move(0, 0);
  await shoot(page, 'errored-pool.png');
});
