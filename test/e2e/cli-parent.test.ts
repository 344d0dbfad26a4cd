// `--exit-with-parent` (what `npm run serve` and `npm start` pass): the server is started by a parent
// process (standing in for npm) that is then SIGKILLed; the server must shut down and end its jobs,
// not live on under pid 1. afterEach kills whatever is left, by pid and start time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';
import { until } from '../helpers/until.js';
import { SERVER_ENTRY, URL_LINE } from './harness.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/e2e/cli-parent.test.ts', 'its job is an sh -c script with sleep grandchildren');

const seen = new Map<number, number>();
let parent: ChildProcess | null = null;
let dataDir: string | null = null;

function remember(pid: number): void {
  const stat = readProcStat(pid);
  if (stat) seen.set(pid, stat.startTime);
}

function alive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTime === seen.get(pid) && stat.state !== 'Z';
}

afterEach(() => {
  if (parent && parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
  parent = null;
  for (const pid of seen.keys()) {
    if (!alive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  seen.clear();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

it.skipIf(skipHere)('shuts down, ending its jobs, when the process that started it is SIGKILLed', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-parent-'));
  const serverArgs = [SERVER_ENTRY, '--port', '0', '--data-dir', dataDir, '--exit-with-parent'];
  // The stand-in for npm: starts the server sharing its stdout, then waits.
  const launcher = `require('node:child_process').spawn(process.execPath, ${JSON.stringify(serverArgs)}, { stdio: 'inherit' }); setInterval(() => {}, 60000);`;
  parent = spawn(process.execPath, ['-e', launcher], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
  const match = URL_LINE.exec(line);
  expect(match).not.toBeNull();
  const [, origin, , token] = match!;
  const created = await fetch(`${origin}/api/command/createProcess`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ command: 'sh', args: ['-c', 'sleep 1000 & sleep 1000; wait'], daemon: false }),
  });
  expect(created.status).toBe(200);

  const tree = await until(() => {
    const found = descendantsOf(parent!.pid!, childrenByParent(readAllProcStats()));
    // The server, its watchdog, the job and the job's two sleeps.
    return found.length >= 5 ? found : null;
  }, 'the server, its watchdog and the job with its children');
  for (const pid of tree) remember(pid);

  parent.kill('SIGKILL');
  await until(() => tree.filter(alive).length === 0, () => `the server and its jobs to end (left: ${tree.filter(alive).join(', ')})`, {
    timeoutMs: 20_000,
  });
  expect(tree.filter(alive)).toEqual([]);
});
