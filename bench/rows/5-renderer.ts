// Row 5: the renderer in Chromium. The real store (renderer/lib/store.svelte.ts) and ProcessTable,
// built with vite into a bench-only page (bench/renderer/), fed synthetic snapshots and deltas that
// change every row; beside a hand-written full table updated by hand (the no-framework floor).
// Method: bench/renderer/measure.js and docs/benchmarks.md.
import type { BenchContext, BenchRow } from '../lib/context.js';
import { buildPage, launchChromium, pageApi, serve } from '../lib/renderer-page.js';
import { makeRow, type Row, type Target } from '../lib/report.js';

interface UpdateResult {
  frame: number[];
  work: number[];
  script: number[];
  layout: number[];
}

interface ScrollResult {
  intervals: number[];
  fps: number;
  deltasApplied: number;
  maxScroll: number;
}

const percentOver = (intervals: number[], limitMs: number): number =>
  intervals.length === 0 ? Number.NaN : (100 * intervals.filter((interval) => interval > limitMs).length) / intervals.length;

/** Frame rate over all the intervals: frames ÷ elapsed time. */
const wholeFps = (intervals: number[]): string => ((intervals.length * 1000) / intervals.reduce((sum, interval) => sum + interval, 0)).toFixed(1);

/** Frame rate over consecutive windows of 30 frames (half a second at 60 Hz): frames ÷ elapsed time. */
const fpsOf = (intervals: number[]): number[] => {
  const out: number[] = [];
  for (let start = 0; start < intervals.length; start += 30) {
    const window = intervals.slice(start, start + 30);
    if (window.length < 10 && out.length > 0) break;
    out.push((window.length * 1000) / window.reduce((sum, interval) => sum + interval, 0));
  }
  return out;
};

export const rendererRow: BenchRow = {
  id: '5',
  aliases: ['renderer', 'table'],
  title: 'Renderer: a delta that changes every row, and scrolling, in Chromium, beside a hand-written full table',
  async run(context: BenchContext): Promise<Row[]> {
    const quick = context.quick;
    context.log('building the bench page with vite…');
    const dir = await buildPage(context.root, context.cacheDir);
    const { server, url } = await serve(dir);
    const browser = await launchChromium();
    const rows: Row[] = [];
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });

      const call = pageApi(page);
      // The floor can take seconds per update at 10,000 rows: its batches stop after a time budget.
      const FLOOR_BUDGET_MS = quick ? 1000 : 3000;
      const updates = (which: 'ours' | 'floor', frames: number, mode: 'all' | 'churn' = 'all'): Promise<UpdateResult> =>
        call('updates', which, frames, mode, which === 'floor' ? FLOOR_BUDGET_MS : 60_000);
      const scroll = (which: 'ours' | 'floor' | 'control', frames: number, deltaMs: number, mode: 'all' | 'churn' = 'all'): Promise<ScrollResult> =>
        call('scroll', which, frames, 200, deltaMs, mode, which === 'floor' ? FLOOR_BUDGET_MS : 60_000);
      const load = (count: number): Promise<unknown> => call('load', count);
      const sortBy = (label: string): Promise<unknown> => call('sortBy', label);
      const rendered = (which: string): Promise<number> => call('renderedRows', which);

      /** Ours, the floor, ours again (A B A): the floor's batch sits in the middle of ours. */
      const alternateUpdates = async (oursFrames: number, floorFrames: number, mode: 'all' | 'churn') => {
        const ours: UpdateResult = { frame: [], work: [], script: [], layout: [] };
        const floor: UpdateResult = { frame: [], work: [], script: [], layout: [] };
        for (const which of ['ours', 'floor', 'ours'] as const) {
          const result = await updates(which, which === 'ours' ? Math.ceil(oursFrames / 2) : floorFrames, mode);
          const into = which === 'ours' ? ours : floor;
          for (const key of ['frame', 'work', 'script', 'layout'] as const) into[key].push(...result[key]);
        }
        return { ours, floor };
      };

      const updateTargets = (count: number): Target[] =>
        count >= 10_000 ? [{ on: 'ours', max: 12 }] : [{ on: 'ours', max: 10 }];
      const updateRows = (count: number, label: string, suffix: string, result: { ours: UpdateResult; floor: UpdateResult }): Row[] => [
        makeRow({
          id: `5-update-${count}${suffix}`,
          description: `a delta changing all ${count.toLocaleString('en-US')} rows${label}: frame start → painted (script + style + layout + paint)`,
          unit: 'ms',
          better: 'lower',
          withP95: true,
          ours: result.ours.frame,
          reference: { name: 'hand-written full table', values: result.floor.frame },
          target: updateTargets(count),
        }),
        makeRow({
          id: `5-apply-${count}${suffix}`,
          description: `a delta changing all ${count.toLocaleString('en-US')} rows${label}: store.applyDelta + flushSync (script only)`,
          unit: 'ms',
          better: 'lower',
          withP95: true,
          ours: result.ours.script,
          reference: { name: 'hand-written full table (script)', values: result.floor.script },
          target: { on: 'ours', max: 2 },
        }),
      ];

      // Warm the page once (JIT, first row components, first scroll) so the first scenario measured is
      // not also the page's first minute: the app runs for hours.
      await load(1000);
      await updates('ours', quick ? 10 : 30);
      await scroll('ours', 60, 0);
      const sizes = [1000, 10_000];
      for (const count of sizes) {
        await load(count);
        const oursFrames = quick ? 10 : 30;
        const floorFrames = count >= 10_000 ? (quick ? 2 : 8) : quick ? 6 : 20;
        context.log(`${count} rows: ${oursFrames} updates of ours, ${floorFrames} of the floor (${await rendered('ours')} rows in our DOM)`);
        rows.push(...updateRows(count, '', '', await alternateUpdates(oursFrames, floorFrames, 'all')));
        // A quick run keeps the sorted and churn variants to 1,000 rows (the floor takes seconds per update at 10,000).
        if (quick && count >= 10_000) continue;
        await sortBy('CPU');
        context.log(`${count} rows sorted by CPU`);
        rows.push(...updateRows(count, ', sorted by CPU (rows reorder)', '-sorted', await alternateUpdates(oursFrames, floorFrames, 'all')));
        await load(count);
        context.log(`${count} rows with 1% ending and 1% appearing per delta`);
        rows.push(...updateRows(count, ', 1% of rows ending and 1% appearing', '-churn', await alternateUpdates(oursFrames, floorFrames, 'churn')));
      }

      const count = 10_000;
      const scrollFrames = quick ? 90 : 300;
      const floorScrollFrames = quick ? 30 : 90;
      const scrollCases: Array<{ suffix: string; label: string; deltaMs: number; mode: 'all' | 'churn'; sorted: boolean }> = [
        { suffix: '', label: '', deltaMs: 0, mode: 'all', sorted: false },
        { suffix: '-deltas', label: ', a delta changing every row each 250 ms', deltaMs: 250, mode: 'all', sorted: false },
        { suffix: '-sorted', label: ', sorted by CPU, a delta each 250 ms (rows reorder)', deltaMs: 250, mode: 'all', sorted: true },
        { suffix: '-churn', label: ', a delta each 250 ms with 1% of rows ending and 1% appearing', deltaMs: 250, mode: 'churn', sorted: false },
      ];
      // The control: the same page showing nothing, measured in turns with the tables (before and
      // after each case), so its janky frames are the machine's share at that moment; the jank target
      // is relative to it.
      const idle = (frames: number): Promise<number[]> => call<number[]>('idle', frames);
      for (const scrollCase of quick ? scrollCases.slice(0, 1) : scrollCases) {
        await load(count);
        if (scrollCase.sorted) await sortBy('CPU');
        context.log(
          `scrolling ${count} rows${scrollCase.label}: ${scrollFrames} frames (control list ${scrollFrames}, floor ${floorScrollFrames}, idle control ${scrollFrames})`,
        );
        const ours: number[] = [];
        const floor: number[] = [];
        const list: number[] = [];
        const control: number[] = [];
        // Idle and list controls around ours, so each sees the machine as ours did before and after.
        for (const which of ['idle', 'list', 'ours', 'floor', 'ours', 'list', 'idle'] as const) {
          if (which === 'idle') {
            control.push(...(await idle(Math.ceil(scrollFrames / 2))));
            continue;
          }
          const frames = which === 'floor' ? floorScrollFrames : Math.ceil(scrollFrames / 2);
          const result = await scroll(which === 'list' ? 'control' : which, frames, scrollCase.deltaMs, scrollCase.mode);
          (which === 'ours' ? ours : which === 'list' ? list : floor).push(...result.intervals);
        }
        const listRows = await rendered('control');
        const controlJank = percentOver(control, 25);
        const controlNote = `control: an idle page, measured before and after, had ${controlJank.toFixed(1)} % of frames over 25 ms (median ${(1000 / [...control].sort((a, b) => a - b)[control.length >> 1]).toFixed(1)} fps)`;
        context.log(controlNote);
        rows.push(
          makeRow({
            id: `5-scroll-${count}${scrollCase.suffix}`,
            description: `scrolling ${count.toLocaleString('en-US')} rows (200 px a frame)${scrollCase.label}: frame rate`,
            unit: 'fps',
            better: 'higher',
            ours: fpsOf(ours),
            reference: { name: 'hand-written full table', values: fpsOf(floor) },
            target: { on: 'ours', min: 58, text: 'median ≥ 58 fps' },
            note: `fps over windows of 30 frames; over the whole run: ours ${wholeFps(ours)}, floor ${wholeFps(floor)}; ${controlNote}`,
          }),
          makeRow({
            id: `5-jank-${count}${scrollCase.suffix}`,
            description: `scrolling ${count.toLocaleString('en-US')} rows${scrollCase.label}: frames over 25 ms`,
            unit: '% of frames',
            better: 'lower',
            ours: [percentOver(ours, 25)],
            reference: { name: 'hand-written full table', values: [percentOver(floor, 25)] },
            target: { on: 'ours', max: controlJank + 1, text: `≤ the idle control's ${controlJank.toFixed(1)} % + 1 point` },
            note: controlNote,
          }),
          makeRow({
            id: `5-scroll-${count}${scrollCase.suffix}-control-list`,
            description: `scrolling ${count.toLocaleString('en-US')} rows${scrollCase.label}: frame rate, ours beside a minimal windowed list without a framework`,
            unit: 'fps',
            better: 'higher',
            ours: fpsOf(ours),
            reference: { name: 'plain windowed list (bench/renderer/control-list.js)', values: fpsOf(list) },
            note: `the same scroll and measurement through ${listRows} plain-text rows re-filled per scroll event, measured before and after ours; over the whole run: ours ${wholeFps(ours)}, list ${wholeFps(list)}; list frames over 25 ms: ${percentOver(list, 25).toFixed(1)} %`,
          }),
        );
      }
      if (errors.length > 0) throw new Error(`the bench page reported errors: ${errors.join('; ')}`);
    } finally {
      await browser.close();
      server.close();
    }
    return rows;
  },
};
