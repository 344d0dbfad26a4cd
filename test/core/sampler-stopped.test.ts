// The sampler's reading of a tracked process's kernel state (stopped or not), against a real `sleep`.
import { afterEach, describe, expect, it } from 'vitest';
import { Process } from '../../main/core/process.js';
import { Sampler } from '../../main/core/sampler.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { stateOf } from '../helpers/proc-state.js';
import { until } from '../helpers/until.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasProcfs, 'test/core/sampler-stopped.test.ts', 'only Linux reports a stopped process (from /proc/<pid>/stat)');

/** Ticks until one reports `pid` stopped (or not); how many it took. */
async function ticksUntil(sampler: Sampler, pid: number, stopped: boolean, most: number): Promise<number> {
  for (let ticks = 1; ticks <= most; ticks += 1) if ((await sampler.sampleNow()).stopped.has(pid) === stopped) return ticks;
  throw new Error(`no tick of ${most} reported pid ${pid} ${stopped ? 'stopped' : 'running'}`);
}

describe.skipIf(skipHere)('Sampler: stopped processes', () => {
  const started: Process[] = [];
  const samplers: Sampler[] = [];
  afterEach(async () => {
    await Promise.all(samplers.splice(0).map((sampler) => sampler.dispose()));
    await killAndClose(started);
  });

  async function stoppedSleep(): Promise<{ sampler: Sampler; pid: number }> {
    const sleep = new Process({ command: 'sleep', args: ['30'] });
    started.push(sleep);
    await sleep.start();
    const sampler = new Sampler();
    samplers.push(sampler);
    sampler.track(sleep.pid!);
    await sampler.sampleNow();
    process.kill(sleep.pid!, 'SIGSTOP');
    await until(() => stateOf(sleep.pid!) === 'T', 'the kernel to stop the sleep');
    return { sampler, pid: sleep.pid! };
  }

  it('reports a process the app signalled (watchState) at the next tick, and its SIGCONT at the next', async () => {
    const { sampler, pid } = await stoppedSleep();
    sampler.watchState(pid);
    expect(await ticksUntil(sampler, pid, true, 1)).toBe(1);
    process.kill(pid, 'SIGCONT');
    await until(() => stateOf(pid) === 'S', 'the kernel to continue the sleep');
    // A stopped pid is read at every tick, whoever continues it.
    expect(await ticksUntil(sampler, pid, false, 1)).toBe(1);
  });

  it('finds a process stopped from outside the app within 16 ticks, reading its state in rotation', async () => {
    const { sampler, pid } = await stoppedSleep();
    const ticks = await ticksUntil(sampler, pid, true, 16);
    expect(ticks).toBeLessThanOrEqual(16);
  });
});
