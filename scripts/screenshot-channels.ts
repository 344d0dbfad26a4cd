// Takes docs/channels.png: the Channels view with the demo's live objects (the seeds' queue and pipe,
// a worker on demo-jobs with items put from the view, its shared counter, and the pipe console's
// answer), while another process holds the counter's lock and the worker waits for it; then
// docs/channels-abandoned.png once that holder was killed: the warning, and the worker going on.
// Light theme, in Chromium through the built headless server.
// Run after `npm run build`: npx tsx scripts/screenshot-channels.ts
import { resolve } from 'node:path';
import { takeScreenshots } from './screenshot-session.js';

const VIEWPORT = { width: 1440, height: 820 };

await takeScreenshots(async ({ app, openPage, shoot }) => {
  await app.command('runDemo', {});
  const page = await openPage(VIEWPORT);
  await page.getByRole('tab', { name: /^Channels/ }).click();
  const jobs = page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /demo-jobs/ });
  await jobs.getByText(/^demo-jobs-worker \(pid \d+\)$/).waitFor({ timeout: 30_000 });
  // A process that takes the counter's lock and keeps it: the worker's next increment waits.
  const program = [
    `import sys, time; sys.path.insert(0, ${JSON.stringify(resolve('resources/workers'))})`,
    'from pooldeck_worker import lock',
    "lock('demo-jobs-done.lock').acquire()",
    'time.sleep(600)',
  ].join('\n');
  const holder = await app.command<{ id: string }>('createProcess', { name: 'report-writer', command: 'python3', args: ['-c', program] });
  const locks = page.getByRole('table', { name: 'Locks and semaphores' });
  await locks.getByText(/report-writer \(pid \d+\)/).first().waitFor({ timeout: 30_000 });
  const pipe = page.getByRole('table', { name: 'Pipes' }).getByRole('row', { name: /demo-pipe/ });
  await pipe.getByText(/^demo-pipe-child \(pid \d+\)$/).waitFor({ timeout: 30_000 });
  await pipe.getByRole('textbox').fill('{"question": "are you there?"}');
  await pipe.getByRole('button', { name: /Send on end/ }).click();
  await pipe.getByText(/← \[42,null,"hello"/).waitFor({ timeout: 10_000 });
  // Work fed from the view for a few seconds, so the rates, the counter and their sparklines move.
  for (let n = 1; n <= 16; n += 1) {
    await jobs.getByRole('textbox').fill(`["resize", "photo-${n}.png"]`);
    await jobs.getByRole('button', { name: 'Put' }).click();
    await page.waitForTimeout(150 + (n % 4) * 100);
  }
  await locks.getByText(/demo-jobs-worker \(pid \d+\)/).first().waitFor({ timeout: 10_000 });
  await page.mouse.move(0, 0);
  await shoot(page, 'channels.png');

  await app.command('kill', { id: holder.value!.id });
  await locks.getByText(/report-writer \(pid \d+\) died holding it/).waitFor({ timeout: 10_000 });
  await shoot(page, 'channels-abandoned.png');
});
