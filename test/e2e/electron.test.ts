import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { electronForTests } from '../helpers/electron-binary.js';
import { hasProcfs, skipUnless, unixLike } from '../helpers/platform.js';
import { descendants, isRunning, waitUntilGone } from './harness.js';
import { field, keepEndedProcessesInView, pollUntil, readProcessTable, rowNamed, showTab } from './ui-helpers.js';

// The main flow of ui.test.ts under Electron itself, through the preload bridge and IPC instead of
// HTTP. Electron 43+ downloads its binary the first time it runs; this test never triggers that: it
// runs only where a binary is already there (node_modules/electron/dist, or ELECTRON_OVERRIDE_DIST_PATH)
// and a display is available (DISPLAY, e.g. under xvfb-run).

const { binary, skipReason } = electronForTests('e2e electron');
const skipWithoutSh = skipUnless(unixLike, 'test/e2e/electron.test.ts', 'two tests start sh -c and sleep jobs from the UI');

describe.skipIf(skipReason !== null)('the desktop app under Electron', () => {
  let electronApp: ElectronApplication;
  let page: Page;
  let home: string;
  let mainPid: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pooldeck-electron-'));
    electronApp = await _electron.launch({
      executablePath: binary!,
      args: [resolve('out/main/index.js'), '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      // A fresh profile and data folder.
      env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), HOME: home },
    });
    mainPid = electronApp.process().pid!;
    page = await electronApp.firstWindow();
    await keepEndedProcessesInView(page);
    await page.setViewportSize({ width: 1280, height: 800 }).catch(() => {});
  });

  afterAll(async () => {
    const before = mainPid ? descendants(mainPid) : [];
    const proc = electronApp?.process();
    await Promise.race([electronApp?.close().catch(() => {}), new Promise((done) => setTimeout(done, 10_000))]);
    if (proc && proc.exitCode === null) proc.kill('SIGTERM');
    const survivors = await waitUntilGone(before.filter((pid) => !isElectronHelper(pid)), 8_000);
    for (const pid of survivors) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(home, { recursive: true, force: true });
    expect(survivors).toEqual([]);
  });

  it('runs the app in a sandboxed, isolated renderer with no Node', async () => {
    await page.getByRole('heading', { name: 'Pooldeck', level: 1 }).waitFor();
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).process)).toBe('undefined');
  });

  it('loads the demo workspace', async () => {
    await page.getByRole('button', { name: 'Load demo workspace' }).click();
    await showTab(page, 'Processes');
    await pollUntil(
      async () => (await readProcessTable(page)).some((row) => row['Exit code'] === '-15 (SIGTERM)'),
      30_000,
      'a demo row ending with -15 (SIGTERM)',
    );
  });

  it.skipIf(skipWithoutSh)('creates a pool of 3 with 5 tasks and watches them finish', async () => {
    await page.getByRole('button', { name: 'New pool' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New pool' });
    await dialog.getByRole('radio', { name: /Exec/ }).check();
    await field(dialog, 'Command').fill('sh');
    await field(dialog, 'Arguments').fill(`-c 'sleep 0.3; echo e2e-out-{}'`);
    await field(dialog, 'Name').fill('electron-pool');
    await field(dialog, 'Pool size').fill('3');
    await field(dialog, 'Tasks').fill('1..5');
    await dialog.getByRole('button', { name: 'Create pool' }).click();
    await showTab(page, 'Processes');
    await pollUntil(
      async () => {
        const rows = (await readProcessTable(page)).filter((row) => row.Pool === 'electron-pool');
        return rows.length === 5 && rows.every((row) => row.Alive === 'no' && row['Exit code'] === '0' && /^\d+$/.test(row.PID));
      },
      30_000,
      'five finished tasks',
    );
  });

  it.skipIf(skipWithoutSh)('terminates a running process and shows -15 (SIGTERM)', async () => {
    await page.getByRole('button', { name: 'New process' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await field(dialog, 'Command').fill('sleep');
    await field(dialog, 'Arguments').fill('300');
    await field(dialog, 'Name').fill('electron-sleeper');
    await dialog.getByRole('button', { name: 'Start process' }).click();
    await showTab(page, 'Processes');
    const running = await pollUntil(
      async () => {
        const row = rowNamed(await readProcessTable(page), 'electron-sleeper');
        return row && row.Alive === 'yes' && /^\d+$/.test(row.PID) ? row : null;
      },
      15_000,
      'electron-sleeper running',
    );
    await page.getByRole('group', { name: 'Actions for electron-sleeper' }).getByRole('button', { name: 'Terminate' }).click();
    // Terminate asks first; confirm.
    await page.getByRole('dialog', { name: 'Terminate electron-sleeper?' }).getByRole('button', { name: 'Terminate' }).click();
    await pollUntil(
      async () => rowNamed(await readProcessTable(page), 'electron-sleeper')?.['Exit code'] === '-15 (SIGTERM)',
      15_000,
      'electron-sleeper to read -15 (SIGTERM)',
    );
    expect(isRunning(Number(running.PID))).toBe(false);
  });
});

/** Electron's own helper processes (zygote, GPU, renderer) end with it and are not jobs: /proc or ps says. */
function isElectronHelper(pid: number): boolean {
  try {
    if (hasProcfs) return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=');
    // Windows lists no command lines here; its helpers end with the app like any child.
    return unixLike && execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).includes('--type=');
  } catch {
    return false;
  }
}

describe.runIf(skipReason !== null)('the desktop app under Electron (not runnable here)', () => {
  it.skip(`skipped: ${skipReason}`, () => {});
});
