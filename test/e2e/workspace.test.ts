import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil, readProcessTable, rowNamed } from './ui-helpers.js';
import { useServedPage } from './served-page.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/workspace.test.ts', "its Procfile's jobs are sleep and a shell loop");

// Workspaces in the real UI, over the built headless server and real processes: the toolbar's
// Workspace menu opens a file by path (a browser has no native dialog), its autostart job runs, the
// other waits in the "Not started" list with a Start button; a Procfile imported through the same menu
// says how each command was read and is saved into the file, comments kept.
// POOLDECK_SCREENSHOTS=docs writes docs/workspace.png.

const served = useServedPage({ width: 1280, height: 760 });
const dir = mkdtempSync(join(tmpdir(), 'pooldeck-e2e-workspace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const workspacePath = join(dir, 'jobs.yaml');
writeFileSync(
  workspacePath,
  `# Jobs for the e2e test: kept when Pooldeck rewrites this file.
processes:
  - name: web # starts with the workspace
    command: sleep
    args: ["300"]
    autostart: true
  - name: nightly-report
    command: sleep
    args: ["300"]
`,
);
const procfilePath = join(dir, 'Procfile');
writeFileSync(procfilePath, 'worker: sleep 300\nclock: while true; do date; sleep 60; done\n');

describe.skipIf(skipHere)('the Workspace menu in the browser', () => {
  it('opens a workspace by path: the autostart job runs, the other is listed as not started and starts from there', async () => {
    const { page } = served;
    await page.getByRole('button', { name: /^Workspace/ }).click();
    const panel = page.getByRole('dialog', { name: 'Workspace' });
    await panel.getByRole('button', { name: 'Open…' }).click();
    await panel.getByLabel('Workspace file to open').fill(workspacePath);
    await panel.getByRole('button', { name: 'Open', exact: true }).click();

    await page.getByRole('button', { name: /^Workspace jobs\.yaml/ }).waitFor({ timeout: 15_000 });
    await panel.waitFor({ state: 'detached' });
    const web = await pollUntil(async () => rowNamed(await readProcessTable(page), 'web'), 15_000, 'the web row');
    expect(web.State).toBe('running');
    const notStarted = page.getByRole('region', { name: /Not started/ });
    await expect(notStarted.getByText('nightly-report').textContent()).resolves.toBe('nightly-report');
    expect(rowNamed(await readProcessTable(page), 'nightly-report')).toBeUndefined();

    await notStarted.getByRole('button', { name: 'Start nightly-report' }).click();
    const started = await pollUntil(async () => rowNamed(await readProcessTable(page), 'nightly-report'), 15_000, 'the nightly-report row');
    expect(started.State).toBe('running');
    await notStarted.waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('imports a Procfile, says how each command was read, and saves the jobs into the file with its comments', async () => {
    const { page } = served;
    await page.getByRole('button', { name: /^Workspace/ }).click();
    const panel = page.getByRole('dialog', { name: 'Workspace' });
    await panel.getByRole('button', { name: 'Import Procfile…' }).click();
    await panel.getByLabel('Procfile to import').fill(procfilePath);
    await panel.getByRole('button', { name: 'Import', exact: true }).click();

    const status = panel.getByRole('status');
    await expect(status.textContent()).resolves.toContain('Added worker, clock to the workspace, not started');
    await expect(status.textContent()).resolves.toContain('clock: runs through sh -c because it uses shell syntax (;)');
    await expect(status.textContent()).resolves.toContain('worker: split into program and arguments (shell quoting rules)');
    const notStarted = page.getByRole('region', { name: /Not started/ });
    await notStarted.getByRole('button', { name: 'Start worker' }).waitFor();
    await panel.getByRole('heading', { name: 'Recent' }).waitFor();

    const saved = await pollUntil(async () => {
      const text = readFileSync(workspacePath, 'utf8');
      return text.includes('name: clock') && text;
    }, 15_000, 'the imported jobs in the file');
    expect(saved).toContain('# Jobs for the e2e test: kept when Pooldeck rewrites this file.');
    expect(saved).toContain('# starts with the workspace');
    expect(saved).toContain('args: [ -c, while true; do date; sleep 60; done ]');
    // The menu follows the save it waited for: "saving…" turns "saved".
    await panel.getByText(/^saved · 4 jobs$/).waitFor({ timeout: 15_000 });
    if (process.env.POOLDECK_SCREENSHOTS) await page.screenshot({ path: join(process.env.POOLDECK_SCREENSHOTS, 'workspace.png') });

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });
});
