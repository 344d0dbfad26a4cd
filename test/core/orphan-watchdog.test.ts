// The orphan watchdog against real processes: an app stand-in (test/fixtures/watchdog-app.ts) starts
// jobs with grandchildren and registers them; the test SIGKILLs the stand-in, as a crash would, and
// every registered tree must end, while a released job lives on. afterEach kills whatever is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { OrphanWatchdog, watchdogCommand } from '../../main/core/orphan-watchdog.js';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';
import { Process } from '../../main/core/process.js';
import { skipUnless, unixLike } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const FIXTURE = new URL('../fixtures/watchdog-app.ts', import.meta.url).pathname;
const skipWithoutSh = skipUnless(unixLike, 'test/core/orphan-watchdog.test.ts', 'two tests start sh and sleep jobs and read liveness from /proc or ps (Windows: only the watchdog text below is checked)');

/** Every pid (with its start time) a test saw, killed in afterEach if it is still the same process. */
const seen = new Map<number, number>();
const apps: ChildProcess[] = [];
const watchdogs: OrphanWatchdog[] = [];

function remember(pid: number): void {
  const stat = readProcStat(pid);
  if (stat) seen.set(pid, stat.startTime);
}

function alive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTime === seen.get(pid) && stat.state !== 'Z';
}

function treeOf(pid: number): number[] {
  return [pid, ...descendantsOf(pid, childrenByParent(readAllProcStats()))];
}

afterEach(() => {
  for (const watchdog of watchdogs.splice(0)) watchdog.dispose();
  for (const app of apps.splice(0)) if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
  for (const pid of seen.keys()) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  seen.clear();
});

interface Started {
  app: ChildProcess;
  watchdog: number;
  pids: number[];
  kept: number;
}

async function startApp(jobs: number, graceMs: number): Promise<Started> {
  const app = spawn(process.execPath, ['--import', 'tsx', FIXTURE, String(jobs), String(graceMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  apps.push(app);
  const [line] = (await once(createInterface({ input: app.stdout! }), 'line')) as [string];
  const report = JSON.parse(line) as Omit<Started, 'app'>;
  remember(app.pid!);
  remember(report.watchdog);
  for (const pid of [...report.pids, report.kept]) for (const member of treeOf(pid)) remember(member);
  return { app, ...report };
}

describe('OrphanWatchdog', () => {
  it.skipIf(skipWithoutSh)('ends every registered tree, grandchildren included, when the app is SIGKILLed; a released job lives on', async () => {
    const { app, watchdog, pids, kept } = await startApp(6, 300);
    const registeredTrees = [...seen.keys()].filter((pid) => pid !== app.pid && pid !== watchdog && !treeOf(kept).includes(pid));
    expect(registeredTrees.length).toBeGreaterThanOrEqual(pids.length * 2);
    expect(registeredTrees.every(alive)).toBe(true);

    app.kill('SIGKILL');
    await until(
      () => registeredTrees.every((pid) => !alive(pid)),
      () => `the registered trees to end (still alive: ${registeredTrees.filter(alive).join(', ')})`,
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    // The job started with a SIGTERM trap was ended by the SIGKILL after the grace.
    expect(alive(kept)).toBe(true);
    await until(() => !alive(watchdog), 'the watchdog to exit once its work is done', { timeoutMs: 15_000, intervalMs: 50 });
  });

  it.skipIf(skipWithoutSh)('signals nothing after a clean goodbye', async () => {
    const watchdog = new OrphanWatchdog({ graceMs: 100 });
    watchdogs.push(watchdog);
    const job = new Process({ command: 'sleep', args: ['1000'] });
    await job.start();
    remember(job.pid!);
    remember(watchdog.pid!);
    watchdog.register(job.pid!);
    watchdog.dispose();
    await until(() => !alive(watchdog.pid!), 'the watchdog to exit after the goodbye');
    expect(job.isAlive()).toBe(true);
    job.kill();
    await job.join();
  });

  it('keeps the set of registered groups, and refuses what is not a group id', () => {
    const watchdog = new OrphanWatchdog();
    watchdogs.push(watchdog);
    remember(watchdog.pid!);
    watchdog.register(4242);
    watchdog.register(4242);
    watchdog.register(4343);
    watchdog.release(4242);
    expect([...watchdog.registered]).toEqual([4343]);
    watchdog.release(4343);
    expect(() => watchdog.register(1)).toThrow(/process group id is an integer above 1/);
    expect(() => watchdog.register(Number.NaN)).toThrow(/got NaN/);
    expect(() => new OrphanWatchdog({ graceMs: -1 })).toThrow(/graceMs/);
  });
});

// The Windows branch, checked here as text (PowerShell does not run on this machine); the real run is
// on the windows-latest job of the CI matrix.
describe('the watchdog on each platform', () => {
  it('is sh with the grace as its argument on Unix', () => {
    const { command, args } = watchdogCommand('linux', 1500);
    expect(command).toBe('/bin/sh');
    expect(args.slice(0, 1)).toEqual(['-c']);
    expect(args.slice(2)).toEqual(['pooldeck-watchdog', '1500']);
    expect(watchdogCommand('darwin', 1500).command).toBe('/bin/sh');
  });

  it('is PowerShell on Windows: the same lines on stdin, creation-time identity, taskkill /T then /T /F after the grace', () => {
    const { command, args } = watchdogCommand('win32', 1500);
    expect(command).toBe('powershell.exe');
    expect(args.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-Command']);
    const script = args[3]!;
    // The registration lines the app writes, read as on Unix.
    expect(script).toContain(String.raw`$line -match '^\+(\d+)$'`);
    expect(script).toContain(String.raw`$line -match '^-(\d+)$'`);
    expect(script).toContain("if ($line -eq 'bye') { exit 0 }");
    // A pid counts only while it has the creation time it had when it was registered.
    expect(script).toContain('$registered[[int]$Matches[1]] = $p.StartTime.Ticks');
    expect(script).toContain('$p.StartTime.Ticks -eq $registered[$_]');
    // The seam's taskkill arguments: one /PID per process, /T, and /F only once the grace is over.
    expect(script).toMatch(/function Ask\(\$ids\) \{ .*\$a \+= '\/PID'; \$a \+= "\$i" \}; \$a \+= @\('\/T'\); & taskkill\.exe @a/);
    expect(script).toMatch(/function Force\(\$ids\) \{ .*\$a \+= @\('\/T', '\/F'\); & taskkill\.exe @a/);
    expect(script.indexOf('Ask $alive')).toBeLessThan(script.indexOf('AddMilliseconds(1500)'));
    expect(script.indexOf('AddMilliseconds(1500)')).toBeLessThan(script.indexOf('Force $alive'));
  });
});
