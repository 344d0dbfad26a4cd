import type { Locator, Page } from 'playwright-core';
import { until } from '../helpers/until.js';

// Reading the UI the way a user does: by roles, labels and the table's own column headers.

/** One process row, keyed by the column headers the user sees ("Name", "PID", "Alive", "Exit code", …). */
export type TableRow = Record<string, string>;

function processGrid(page: Page): Locator {
  return page.getByRole('grid', { name: 'Processes' });
}

/**
 * Every row of the Processes table in one atomic read (a live table re-renders between separate
 * locator calls). Cells spanning several columns repeat their text under each header they cover.
 */
export async function readProcessTable(page: Page): Promise<TableRow[]> {
  return page.evaluate(READ_TABLE) as Promise<TableRow[]>;
}

// Kept as source text: tools that compile this file (tsx, esbuild's keepNames) would otherwise wrap
// inner functions in helpers that do not exist in the page. Finds the grid by its role and label, as
// processGrid() does.
const READ_TABLE = `(() => {
  const table = document.querySelector('[role="grid"][aria-label="Processes"]');
  if (!table) return [];
  const clean = (text) => (text ?? '').replace(/[▲▼]/g, '').replace(/\\s+/g, ' ').trim();
  const headers = [...table.querySelectorAll('thead th')].map((th) => clean(th.textContent));
  const rows = [];
  for (const tr of table.querySelectorAll('tbody tr')) {
    if (tr.getAttribute('aria-hidden') === 'true') continue;
    const cells = [];
    for (const td of tr.querySelectorAll('td')) {
      const span = Number(td.getAttribute('colspan') ?? '1');
      for (let i = 0; i < span; i++) cells.push(clean(td.textContent));
    }
    if (cells.length < headers.length) continue; // "No processes yet." and the like
    const row = {};
    headers.forEach((header, i) => {
      if (header) row[header] = cells[i] ?? '';
    });
    // The name cell also shows the kind ("task", "worker"): keep the name alone.
    const name = tr.querySelector('.name');
    row.Name = clean(name ? name.textContent : row.Name ?? '');
    rows.push(row);
  }
  return rows;
})()`;

/** The row for a process name (exact), or undefined. */
export function rowNamed(rows: TableRow[], name: string): TableRow | undefined {
  return rows.find((row) => row.Name === name);
}

/**
 * Selects a row by clicking it (found by its pid, which is unique where names need not be: exec-mode
 * tasks reuse their slot's name) and returns the toolbar of actions for the selection.
 */
export async function selectRow(page: Page, row: TableRow): Promise<Locator> {
  const grid = processGrid(page);
  const match = row.PID
    ? grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: row.PID, exact: true }) })
    : grid.getByRole('row').filter({ hasText: row.Name });
  await match.first().getByRole('gridcell').first().click();
  return page.getByRole('group', { name: `Actions for ${row.Name}` });
}

/** A form control by its visible label; optional fields' labels end in "optional". */
export function field(scope: Locator, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return scope.getByLabel(new RegExp(`^\\s*${escaped}(\\s+optional)?\\s*$`));
}

export async function showTab(page: Page, name: 'Processes' | 'Pools'): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
}

/**
 * The shared `until`, for probes of a page that may throw while it is still rendering (a locator not
 * there yet): such a throw counts as "not yet", and the timeout error says what the last probe saw.
 */
export async function pollUntil<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  let last: unknown;
  const value = await until(
    async () => {
      try {
        last = await probe();
      } catch (error) {
        last = error;
        return null;
      }
      return last as T | null | undefined | false;
    },
    () => `${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
    { timeoutMs, intervalMs: 100 },
  );
  return value as T;
}

/** The task counts a pool card shows ("5 done", "0 failed", …), read from its "Task counts" list. */
export async function poolCounts(page: Page, poolName: string): Promise<Record<string, number>> {
  const card = page.getByRole('article', { name: poolName });
  const items = await card.getByRole('list', { name: 'Task counts' }).getByRole('listitem').allInnerTexts();
  const counts: Record<string, number> = {};
  for (const item of items) {
    const match = /^\s*([\d,]+)\s+(\w+)/.exec(item);
    if (match) counts[match[2]!] = Number(match[1]!.replace(/,/g, ''));
  }
  return counts;
}

// The app hides ended processes by default; the scenarios that read finished rows turn that off, as a
// user would with the toolbar's "Hide exited" box (which appears only once something has ended).
const SHOW_ENDED_PROCESSES = `(() => {
  const key = 'pooldeck.settings.v1';
  const stored = JSON.parse(localStorage.getItem(key) || '{}');
  localStorage.setItem(key, JSON.stringify({ ...stored, hideExited: false }));
})()`;

/** Keeps exited and failed processes in the table for this page (call before the page loads the app, or it reloads). */
export async function keepEndedProcessesInView(page: Page): Promise<void> {
  await page.addInitScript(SHOW_ENDED_PROCESSES);
  if (page.url() !== 'about:blank') {
    await page.evaluate(SHOW_ENDED_PROCESSES);
    await page.reload();
  }
}
