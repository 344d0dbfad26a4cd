// The app's global cap on live processes: what it starts beyond the cap is refused with an error
// naming the cap and how many run; the default comes from `ulimit -u` and the CPU count.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppBackend, type AppBackend } from '../../main/app/backend.js';
import { Supervisor } from '../../main/app/supervisor.js';
import { until } from '../helpers/until.js';
import { hasProcfs, skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/process-cap.test.ts', 'its jobs are sleep and cat');

let dataDir: string;
const supervisors: Supervisor[] = [];
const backends: AppBackend[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-cap-'));
});

afterEach(async () => {
  for (const owner of [...supervisors, ...backends]) {
    await owner.shutdown({ terminateAll: true, graceMs: 500 });
    await owner.dispose();
  }
  supervisors.length = 0;
  backends.length = 0;
  rmSync(dataDir, { recursive: true, force: true });
});

function supervisor(maxLiveProcesses?: number): Supervisor {
  const created = new Supervisor({ dataDir, sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false, maxLiveProcesses });
  supervisors.push(created);
  return created;
}

describe.skipIf(skipHere)('the cap on live processes', () => {
  it('refuses a process or a pool beyond the cap, naming the cap and how many run, and takes them again once some end', async () => {
    const capped = supervisor(3);
    const first = await capped.createProcess({ command: 'sleep', args: ['30'] });
    await capped.createProcess({ command: 'sleep', args: ['30'] });
    expect(() => capped.createPool({ processes: 2, command: 'cat', mode: 'exec' })).toThrow(
      /the app starts at most 3 processes at once \(maxLiveProcesses\) and 2 run: a pool of 2 would exceed it/,
    );
    const pool = capped.createPool({ processes: 1, command: 'cat', mode: 'exec' });
    await expect(capped.createProcess({ command: 'sleep', args: ['30'] })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/at most 3 processes at once \(maxLiveProcesses\) and 3 run: end some jobs or raise the cap/),
    });
    await capped.stop(first.id);
    await capped.createProcess({ command: 'sleep', args: ['30'] });
    await capped.terminatePool(pool.id);
    await capped.createProcess({ command: 'sleep', args: ['30'] });
    await expect(capped.restart(first.id)).rejects.toThrow(/and 3 run/);
  });

  it.skipIf(skipUnless(hasProcfs, 'test/app/process-cap.test.ts', 'reads the process limit from /proc/self/limits'))('defaults to half of ulimit -u, at most 512 per CPU', () => {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((text) => text.startsWith('Max processes'))!;
    const soft = line.slice('Max processes'.length).trim().split(/\s+/)[0];
    const byCpus = 512 * availableParallelism();
    const expected = soft === 'unlimited' ? byCpus : Math.min(Math.floor(Number(soft) / 2), byCpus);
    expect(supervisor().maxLiveProcesses).toBe(expected);
  });

  it('refuses a cap that is not a positive whole number, naming the option', () => {
    expect(() => new Supervisor({ dataDir, maxLiveProcesses: 0 })).toThrow(/maxLiveProcesses must be a whole number of at least 1, not 0/);
  });

  it('answers a command beyond the cap with a conflict error', async () => {
    const backend = createAppBackend({ dataDir, workersDir: dataDir, sampleIntervalMs: 60_000, maxLiveProcesses: 1 });
    backends.push(backend);
    await backend.handlers.createProcess({ command: 'sleep', args: ['30'] });
    await expect(backend.handlers.createProcess({ command: 'sleep', args: ['30'] })).rejects.toMatchObject({
      error: { code: 'conflict', message: expect.stringMatching(/at most 1 processes at once/) },
    });
    await expect(backend.handlers.createPool({ processes: 1, command: 'cat' })).rejects.toMatchObject({ error: { code: 'conflict' } });
    await until(() => backend.supervisor.snapshot().processes.length === 1, 'one process row, none for the refused ones');
  });
});
