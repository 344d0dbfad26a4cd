// When the app runs out of file descriptors, a spawn's failed row says why in words, and the app
// starts processes again once fds are free. The app runs in a child node (tsx) with a low `ulimit -n`,
// so the test's own process never runs short.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessRow } from '../../main/protocol/rows.js';
import { runUnderFdLimit } from '../helpers/under-fd-limit.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/out-of-files.test.ts', 'lowers the open-files limit with sh ulimit -n (Windows has no such per-process limit)');

const SUPERVISOR = resolve('main/app/supervisor.ts');

let child: ChildProcess | null = null;
let dir: string | null = null;

afterEach(() => {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  child = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const APP = (dataDir: string) => `
import { closeSync, openSync } from 'node:fs';
import { Supervisor } from ${JSON.stringify(SUPERVISOR)};
const supervisor = new Supervisor({ dataDir: ${JSON.stringify(dataDir)}, sampleIntervalMs: 60_000, orphanWatchdog: false });
const fillers = [];
try {
  for (;;) fillers.push(openSync('/dev/null', 'r'));
} catch {}
const failed = await supervisor.createProcess({ command: 'echo', args: ['x'] });
for (const fd of fillers) closeSync(fd);
const fine = await supervisor.createProcess({ command: 'echo', args: ['y'] });
await supervisor.shutdown({ terminateAll: true });
await supervisor.dispose();
console.log(JSON.stringify({ failed, fine }));
`;

describe.skipIf(skipHere)('out of file descriptors', () => {
  it('says a spawn failed for too many open files, how many, and what to do; the next spawn works', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pooldeck-emfile-'));
    const script = join(dir, 'app.mts');
    writeFileSync(script, APP(join(dir, 'data')));
    // From the start: the app reads its open-files limit once, as it is imported, to name it in the error.
    const run = runUnderFdLimit(script, 128, { lowered: 'fromStart' });
    child = run.child;
    const { code, stderr, result } = await run.done;
    expect(code, stderr).toBe(0);
    const { failed, fine } = result as { failed: ProcessRow; fine: ProcessRow };
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/too many open files: the app has \d+ open of 128 allowed; raise the limit \(ulimit -n\) or end some jobs \[EMFILE\]/);
    expect(fine.state).not.toBe('failed');
    expect(fine.pid).toBeGreaterThan(0);
  }, 60_000);
});
