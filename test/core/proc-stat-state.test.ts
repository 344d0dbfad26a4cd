// readStateAndParent, the sampler's byte-level parse of /proc/<pid>/stat, against readProcStat's split
// of the same line, on real processes: one whose name holds ") (" and spaces, and one the kernel stopped.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Process } from '../../main/core/process.js';
import { readProcStat, readStateAndParent } from '../../main/core/proc-stat.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { stateOf } from '../helpers/proc-state.js';
import { until } from '../helpers/until.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasProcfs, 'test/core/proc-stat-state.test.ts', 'reads /proc/<pid>/stat, which only Linux has');

describe.skipIf(skipHere)('readStateAndParent', () => {
  const started: Process[] = [];
  const folders: string[] = [];
  afterEach(async () => {
    await killAndClose(started);
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function sleepNamed(name: string): Promise<number> {
    const folder = mkdtempSync(join(tmpdir(), 'pooldeck-stat-'));
    folders.push(folder);
    const program = join(folder, name);
    copyFileSync('/bin/sleep', program);
    const sleep = new Process({ command: program, args: ['30'] });
    started.push(sleep);
    await sleep.start();
    return sleep.pid!;
  }

  it('reads the state and parent as readProcStat does, when the name holds parentheses and spaces', async () => {
    const pid = await sleepNamed('a) (b ) c');
    const full = readProcStat(pid)!;
    expect(full.ppid).toBe(process.pid);
    expect(readStateAndParent(pid)).toEqual({ state: full.state, ppid: full.ppid });
  });

  it('reads T for a stopped process, and null once it is gone', async () => {
    const pid = await sleepNamed('sleep');
    process.kill(pid, 'SIGSTOP');
    await until(() => stateOf(pid) === 'T', 'the kernel to stop the sleep');
    expect(readStateAndParent(pid)).toEqual({ state: 'T', ppid: process.pid });
    await killAndClose(started);
    expect(readStateAndParent(pid)).toBeNull();
  });
});
