import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { useServedPage } from './served-page.js';
import { pollUntil, readProcessTable } from './ui-helpers.js';

// The top bar (and the status bar below) in Chromium over the built headless server, from a wide window down to a quarter of a
// laptop screen: every control in view, none on another, no sideways scroll, and each still works.

// 1201 px is the narrowest window that keeps the tabs on the same row as the rest; 760 px is the
// desktop app's smallest window.
const WIDTHS = [1280, 1201, 900, 760, 700, 640];
const HEIGHT = 700;

const served = useServedPage({ width: WIDTHS[0]!, height: HEIGHT });

/** Every control of the top bar, named as a user (or a screen reader) finds it. */
function topBarControls(page: Page): Record<string, Locator> {
  const bar = page.getByRole('banner');
  return {
    'Processes tab': bar.getByRole('tab', { name: /^Processes/ }),
    'Pools tab': bar.getByRole('tab', { name: /^Pools/ }),
    'Channels tab': bar.getByRole('tab', { name: 'Channels' }),
    'History tab': bar.getByRole('tab', { name: 'History' }),
    'Workspace menu': bar.getByRole('button', { name: /^Workspace/ }),
    'New process': bar.getByRole('button', { name: 'New process', exact: true }),
    'New pool': bar.getByRole('button', { name: 'New pool', exact: true }),
    Theme: bar.getByRole('combobox', { name: 'Theme' }),
  };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What is wrong with where the controls are: outside the window, or covering one another. */
async function misplacedControls(page: Page, width: number): Promise<string[]> {
  const boxes: [string, Box][] = [];
  for (const [name, control] of Object.entries(topBarControls(page))) {
    const box = await control.boundingBox();
    if (box === null) return [`${name} is not shown`];
    boxes.push([name, box]);
  }
  const problems: string[] = [];
  for (const [name, box] of boxes) {
    if (box.x < 0 || box.x + box.width > width || box.width === 0) problems.push(`${name} spans x ${box.x}…${box.x + box.width}, outside 0…${width}`);
  }
  for (const [i, [name, box]] of boxes.entries()) {
    for (const [other, otherBox] of boxes.slice(i + 1)) {
      const overlapX = Math.min(box.x + box.width, otherBox.x + otherBox.width) - Math.max(box.x, otherBox.x);
      const overlapY = Math.min(box.y + box.height, otherBox.y + otherBox.height) - Math.max(box.y, otherBox.y);
      if (overlapX > 0 && overlapY > 0) problems.push(`${name} covers ${other}`);
    }
  }
  return problems;
}

/** The status bar's parts that its hidden overflow would cut at the right edge. */
async function clippedStatusItems(page: Page, width: number): Promise<string[]> {
  const bar = page.getByRole('contentinfo', { name: 'Status' });
  const items: Record<string, Locator> = {
    connection: bar.getByRole('status'),
    'monitor cost': bar.getByTestId('monitor-cost'),
    'CPU convention': bar.getByRole('button', { name: /^CPU convention/ }),
  };
  const clipped: string[] = [];
  for (const [name, item] of Object.entries(items)) {
    const box = await item.boundingBox();
    if (box === null || box.x + box.width > width) clipped.push(`${name} ends at x ${box === null ? 'unshown' : box.x + box.width}, past ${width}`);
  }
  return clipped;
}

/** How far the page scrolls sideways: 0 when everything fits. */
function sidewaysScroll(page: Page): Promise<number> {
  return page.locator('html').evaluate((root: { scrollWidth: number; clientWidth: number }) => root.scrollWidth - root.clientWidth);
}

describe('the top bar', () => {
  it('fits every control from 1280 px down to 640 px, each reachable and working', async () => {
    const { app, page } = served;
    // Node rather than sleep, so the test runs wherever Node does.
    const created = await app.command<{ id: string }>('createProcess', { command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60_000)'], name: 'api-server' });
    expect(created.ok).toBe(true);
    await pollUntil(async () => (await readProcessTable(page)).length === 1, 10_000, 'the process row');

    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: HEIGHT });
      expect(await misplacedControls(page, width), `at ${width} px`).toEqual([]);
      expect(await sidewaysScroll(page), `sideways scroll at ${width} px`).toBe(0);
      expect(await clippedStatusItems(page, width), `the status bar at ${width} px`).toEqual([]);

      const controls = topBarControls(page);
      await controls['New process'].click();
      const form = page.getByRole('dialog', { name: 'New process' });
      await form.waitFor();
      await form.getByRole('button', { name: 'Cancel' }).click();
      await form.waitFor({ state: 'detached' });
      await page.screenshot({ path: `test-results/top-bar-${width}.png` });
    }

    // At the narrowest: the other controls work too, by mouse and by keyboard.
    const controls = topBarControls(page);
    await controls['New pool'].click();
    const poolForm = page.getByRole('dialog', { name: 'New pool' });
    await poolForm.waitFor();
    await page.keyboard.press('Escape');
    await poolForm.waitFor({ state: 'detached' });

    await controls['Processes tab'].focus();
    await page.keyboard.press('ArrowRight');
    expect(await controls['Pools tab'].getAttribute('aria-selected')).toBe('true');
    await controls['Processes tab'].click();

    await controls.Theme.selectOption('dark');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await controls.Theme.selectOption('system');

    await controls['Workspace menu'].click();
    const menu = page.getByRole('dialog', { name: 'Workspace' });
    const menuBox = (await menu.boundingBox())!;
    expect(menuBox.x, 'the Workspace menu\'s left edge').toBeGreaterThanOrEqual(0);
    expect(menuBox.x + menuBox.width, 'the Workspace menu\'s right edge').toBeLessThanOrEqual(WIDTHS.at(-1)!);
    await page.screenshot({ path: 'test-results/top-bar-640-workspace-menu.png' });
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    const stopped = await app.command('stop', { id: created.value!.id, graceMs: 2000 });
    expect(stopped.ok).toBe(true);
  });
});
