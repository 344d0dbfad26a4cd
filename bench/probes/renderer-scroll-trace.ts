// Probe (not in npm test): where a scroll frame of row 5 goes. Scrolls our table and the control list
// (bench/renderer/control-list.js) through 10,000 rows, 200 px a frame as the row does, in turns, under
// a Chrome trace; prints per frame (1) the CPU time of each Chromium process (utime + stime from
// /proc), (2) the busy time of each thread that draws (renderer main, compositor, raster workers, the
// display compositor), and (3) the renderer main thread's self time grouped into script, style, layout,
// paint and the rest, with the heaviest trace events. The traces are kept for DevTools' Performance panel.
// Run: npx tsx bench/probes/renderer-scroll-trace.ts [frames=100] [rounds=2]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { directChildren } from '../lib/children.js';
import { cacheRoot, repoRoot } from '../lib/context.js';
import { readStat } from '../lib/procfs.js';
import { buildPage, launchChromium, pageApi, serve } from '../lib/renderer-page.js';

const frames = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 2);
const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'blink',
  'cc',
  'viz',
  'v8.execute',
];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/** Main-thread trace events by what they are: the rest is self time of the task wrappers around them. */
const GROUPS: Array<[string, RegExp]> = [
  ['script', /^(FunctionCall|EvaluateScript|FireAnimationFrame|EventDispatch|TimerFire|RunMicrotasks|FireIdleCallback|AsyncTask|v8|V8|MinorGC|MajorGC)/],
  ['style', /recalcStyle|updateStyle|rebuildLayoutTree|UpdateLayoutTree|RecalculateStyles|StyleEngine/i],
  ['commit to compositor', /commit/i],
  ['paint (prepaint, paint, layerize)', /Paint|CullRect|CompositingInputs|UpdateLayer|Layerize|RasterInvalidation/],
  ['layout (text shaping included)', /Layout|InlineNode|Shape/],
];
function groupOf(name: string): string {
  return GROUPS.find(([, pattern]) => pattern.test(name))?.[0] ?? 'other';
}

interface Span {
  name: string;
  start: number;
  end: number;
}

/** Complete spans per thread from X events and B/E pairs (µs). */
function spansByThread(events: TraceEvent[]): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  const open = new Map<string, TraceEvent[]>();
  const push = (key: string, span: Span) => {
    const list = out.get(key) ?? [];
    list.push(span);
    out.set(key, list);
  };
  for (const event of [...events].sort((a, b) => a.ts - b.ts)) {
    const key = `${event.pid}:${event.tid}`;
    if (event.ph === 'X' && event.dur !== undefined) push(key, { name: event.name, start: event.ts, end: event.ts + event.dur });
    else if (event.ph === 'B') open.set(key, [...(open.get(key) ?? []), event]);
    else if (event.ph === 'E') {
      const stack = open.get(key) ?? [];
      const begin = stack.pop();
      if (begin) push(key, { name: begin.name, start: begin.ts, end: event.ts });
    }
  }
  return out;
}

/** Busy time (union of the outermost spans) and self time per event name of one thread (µs). */
function threadTimes(spans: Span[]): { busy: number; self: Map<string, number> } {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const self = new Map<string, number>();
  const stack: Array<Span & { children: number }> = [];
  let busy = 0;
  const close = (span: Span & { children: number }) => {
    self.set(span.name, (self.get(span.name) ?? 0) + Math.max(0, span.end - span.start - span.children));
    const parent = stack.at(-1);
    if (parent) parent.children += span.end - span.start;
    else busy += span.end - span.start;
  };
  for (const span of sorted) {
    while (stack.length > 0 && stack.at(-1)!.end <= span.start) close(stack.pop()!);
    // A span that outlives its parent (clock rounding) is cut to it.
    const parent = stack.at(-1);
    stack.push({ ...span, end: parent ? Math.min(span.end, parent.end) : span.end, children: 0 });
  }
  while (stack.length > 0) close(stack.pop()!);
  return { busy, self };
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const child of directChildren(pid)) out.push(child, ...descendants(child));
  return out;
}

/** CPU ms of each Chromium process, keyed by its --type (browser when it has none). */
function chromiumCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of descendants(process.pid)) {
    const stat = readStat(pid);
    if (!stat) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    if (!cmdline.includes('chromium') && !cmdline.includes('chrome')) continue;
    let type = /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? 'browser';
    if (type === 'utility') type = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1] ?? type;
    out.set(type, (out.get(type) ?? 0) + stat.cpuMs);
  }
  return out;
}

interface Sample {
  frames: number;
  elapsedMs: number;
  cpu: Map<string, number>;
  threads: Map<string, number>;
  main: Map<string, number>;
}

const outDir = resolve(cacheRoot, 'profiles', 'renderer-scroll');
mkdirSync(outDir, { recursive: true });
const dir = await buildPage(repoRoot, cacheRoot);
const { server, url } = await serve(dir);
const browser = await launchChromium();
const totals = new Map<string, Sample[]>();
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const call = pageApi(page);
  await call('load', 10_000);
  await call('scroll', 'ours', 60, 200, 0);
  await call('scroll', 'control', 60, 200, 0);
  for (let round = 0; round < rounds; round += 1) {
    for (const which of round % 2 === 0 ? (['ours', 'control'] as const) : (['control', 'ours'] as const)) {
      await browser.startTracing(page, { categories: CATEGORIES });
      const before = chromiumCpu();
      const result = await call<{ intervals: number[] }>('scroll', which, frames, 200, 0);
      const after = chromiumCpu();
      const buffer = await browser.stopTracing();
      const file = resolve(outDir, `${which}-${round}.json`);
      writeFileSync(file, buffer);
      const trace = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
      const names = new Map<string, string>();
      for (const event of trace.traceEvents) {
        if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name) names.set(`${event.pid}:${event.tid}`, event.args.name);
      }
      const perThread = [...spansByThread(trace.traceEvents)].map(([key, spans]) => ({
        name: (names.get(key) ?? key).replace(/\d+$/, '*'),
        ...threadTimes(spans),
      }));
      const threads = new Map<string, number>();
      for (const { name, busy } of perThread) threads.set(name, (threads.get(name) ?? 0) + busy / 1000);
      // The page's renderer is the busiest CrRendererMain (a spare renderer may idle beside it).
      const renderer = perThread.filter(({ name }) => name === 'CrRendererMain').sort((x, y) => y.busy - x.busy)[0];
      const main = new Map([...(renderer?.self ?? [])].map(([event, us]) => [event, us / 1000]));
      const cpu = new Map([...after].map(([type, ms]) => [type, ms - (before.get(type) ?? ms)]));
      const elapsedMs = result.intervals.reduce((sum, interval) => sum + interval, 0);
      const list = totals.get(which) ?? [];
      list.push({ frames: result.intervals.length, elapsedMs, cpu, threads, main });
      totals.set(which, list);
      console.log(`${which}, round ${round + 1}: ${((result.intervals.length * 1000) / elapsedMs).toFixed(1)} fps; trace ${file}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}

/** Sum of each key over the samples, per frame. */
function perFrame(samples: Sample[], pick: (sample: Sample) => Map<string, number>): Map<string, number> {
  const frameCount = samples.reduce((sum, sample) => sum + sample.frames, 0);
  const out = new Map<string, number>();
  for (const sample of samples) for (const [key, ms] of pick(sample)) out.set(key, (out.get(key) ?? 0) + ms / frameCount);
  return out;
}

const show = (title: string, figures: Map<string, number>, limit = 12) => {
  console.log(`  ${title}`);
  for (const [key, ms] of [...figures].sort((a, b) => b[1] - a[1]).slice(0, limit)) console.log(`    ${ms.toFixed(2).padStart(7)} ms  ${key}`);
};

for (const [which, samples] of totals) {
  const frameCount = samples.reduce((sum, sample) => sum + sample.frames, 0);
  const elapsed = samples.reduce((sum, sample) => sum + sample.elapsedMs, 0);
  console.log(`\n${which}: ${frameCount} frames, ${((frameCount * 1000) / elapsed).toFixed(1)} fps, ${(elapsed / frameCount).toFixed(2)} ms a frame`);
  const cpu = perFrame(samples, (sample) => sample.cpu);
  show(`CPU per frame by process (/proc utime + stime), total ${[...cpu.values()].reduce((a, b) => a + b, 0).toFixed(2)} ms`, cpu);
  show('busy per frame by thread (trace, outermost events)', perFrame(samples, (sample) => sample.threads), 10);
  const main = perFrame(samples, (sample) => sample.main);
  const groups = new Map<string, number>();
  for (const [event, ms] of main) groups.set(groupOf(event), (groups.get(groupOf(event)) ?? 0) + ms);
  show('renderer main thread per frame, self time by kind', groups);
  show('renderer main thread per frame, heaviest events (self time)', main, 14);
}
