// The sampler against real processes and the real pidusage. Every process started here is killed in
// afterEach (with its descendants), even when a test failed.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childrenByParent, descendantsOf, readAllProcStats, readProcStat } from '../../main/core/proc-stat.js';
import { Process } from '../../main/core/process.js';
import { Sampler, readOwnUsage, type SampleResult } from '../../main/core/sampler.js';
import { until } from '../helpers/until.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasProcfs, 'test/core/sampler.test.ts', "counts the sampler's open /proc/<pid>/stat files in /proc/self/fd");

const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();


const processes: Process[] = [];
const samplers: Sampler[] = [];
const seen = new Map<number, number>();

function sampler(options: ConstructorParameters<typeof Sampler>[0] = {}): Sampler {
  const created = new Sampler(options);
  samplers.push(created);
  return created;
}

async function startAll(count: number, command: string, args: string[]): Promise<Process[]> {
  const started = Array.from({ length: count }, () => new Process({ command, args }));
  processes.push(...started);
  await Promise.all(started.map((process) => process.start()));
  return started;
}

function remember(pids: number[]): void {
  for (const pid of pids) {
    const stat = readProcStat(pid);
    if (stat) seen.set(pid, stat.startTime);
  }
}

function descendants(pid: number): number[] {
  return descendantsOf(pid, childrenByParent(readAllProcStats()));
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The fd count once it is back within 5 of `baseline`: the pipes of ended processes close a moment after their exit. */
function fdCountBackNear(baseline: number): Promise<number> {
  return until(
    () => {
      const count = openFds();
      return count <= baseline + 5 && count;
    },
    () => `the fd count to come back near ${baseline} (it is ${openFds()})`,
    { timeoutMs: 15_000 },
  );
}

/** The pids among `pids` whose /proc/<pid>/stat this process holds open (pidusage keeps one per pid it reads). */
function statFdsHeld(pids: number[]): number[] {
  const wanted = new Set(pids.map((pid) => `/proc/${pid}/stat`));
  const held: number[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (wanted.has(target)) held.push(Number(target.split('/')[2]));
  }
  return held;
}

/**
 * Runs `body` with a sampler tracking a Python process that waits, creating no process, until
 * openGate() is called; then it starts a `sleep` child, whose pid openGate() resolves to.
 */
async function withGatedParent(body: (parent: { root: Process; created: Sampler; openGate: () => Promise<number> }) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'pooldeck-sampler-'));
  const gate = join(folder, 'gate');
  try {
    const script = `import os, subprocess, time\nwhile not os.path.exists(${JSON.stringify(gate)}): time.sleep(0.01)\nchild = subprocess.Popen(["sleep", "300"])\nprint(child.pid, flush=True)\nchild.wait()`;
    const [root] = await startAll(1, PYTHON, ['-c', script]);
    let output = '';
    root.on('output', (_stream, chunk) => (output += chunk.toString()));
    const created = sampler();
    created.track(root.pid!);
    const openGate = async (): Promise<number> => {
      writeFileSync(gate, '');
      const pid = Number(await until(() => /^\d+\n/.test(output) && output.trim(), 'the child to start'));
      remember([pid]);
      return pid;
    };
    await body({ root, created, openGate });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

afterEach(async () => {
  await Promise.all(samplers.splice(0).map((created) => created.dispose()));
  const all = processes.splice(0);
  for (const process of all) {
    if (process.pid === null) continue;
    remember([process.pid, ...(process.isAlive() ? descendants(process.pid) : [])]);
    try {
      globalThis.process.kill(-process.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const [pid, startTime] of seen) {
    const stat = readProcStat(pid);
    if (stat && stat.startTime === startTime && stat.state !== 'Z') {
      try {
        globalThis.process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
  seen.clear();
  await Promise.all(all.filter((process) => process.pid !== null).map((process) => process.join(10_000)));
});

describe.skipIf(skipHere)('Sampler', () => {
  it('samples 200 live processes in one tick, and leaves no fd behind once they end', async () => {
    const fdsBefore = openFds();

    const round = async (): Promise<{ result: SampleResult; pids: number[] }> => {
      // Short, so that pidusage's own sweep releases the fds of ended pids within the test.
      const created = sampler({ pidusageMaxAgeMs: 400 });
      const started = await startAll(200, 'sleep', ['300']);
      const pids = started.map((process) => process.pid!);
      for (const pid of pids) created.track(pid);
      const result = await created.sampleNow();
      // Checked right after the tick: once they end, a loaded machine may take longer than the 400 ms
      // after which pidusage's sweep already closes them.
      expect(statFdsHeld(pids).length).toBeGreaterThan(0);

      for (const process of started) process.terminate();
      await Promise.all(started.map((process) => process.join(10_000)));
      const after = await created.sampleNow();
      expect(after.ended.sort()).toEqual([...pids].sort());
      expect(created.trackedPids).toEqual([]);
      // Nobody asks about them any more: pidusage's sweep closes their fds.
      await until(() => statFdsHeld(pids).length === 0, 'pidusage to release the fds of the ended pids', { timeoutMs: 15_000 });
      return { result, pids };
    };

    const first = await round();
    expect(first.result.processes.size).toBe(200);
    for (const pid of first.pids) {
      const usage = first.result.processes.get(pid)!;
      expect(usage.pid).toBe(pid);
      expect(usage.cpu).toBeGreaterThanOrEqual(0);
      expect(usage.memory).toBeGreaterThan(0);
      expect(usage.ppid).toBe(globalThis.process.pid);
      // A sleep has no children: its tree is itself.
      expect(first.result.trees.get(pid)).toEqual({ pid, cpu: usage.cpu, memory: usage.memory, descendants: [] });
    }
    const fdsAfterFirst = await fdCountBackNear(fdsBefore);

    const second = await round();
    expect(second.result.processes.size).toBe(200);
    await fdCountBackNear(fdsAfterFirst);
  });

  it('adds the descendants of a tracked process into its tree totals', async () => {
    // parent → child → grandchild, the two below holding ~20 MB each (written, so resident).
    const leaf = 'import time; data = b"x" * 20_000_000; print("ready", flush=True); time.sleep(300)';
    const middle = `import subprocess, sys, time; subprocess.Popen([sys.executable, "-c", ${JSON.stringify(leaf)}]); data = b"x" * 20_000_000; print("ready", flush=True); time.sleep(300)`;
    const root = `import subprocess, sys, time; subprocess.Popen([sys.executable, "-c", ${JSON.stringify(middle)}]); time.sleep(300)`;
    const [parent] = await startAll(1, PYTHON, ['-c', root]);
    let output = '';
    parent.on('output', (_stream, chunk) => (output += chunk.toString()));
    await until(() => output.split('ready').length - 1 >= 2, 'both descendants to be ready');
    const below = descendants(parent.pid!);
    remember(below);
    expect(below).toHaveLength(2);

    const created = sampler();
    created.track(parent.pid!);
    const result = await created.sampleNow();
    const tree = result.trees.get(parent.pid!)!;
    const own = result.processes.get(parent.pid!)!;
    expect([...tree.descendants].sort()).toEqual([...below].sort());
    const childMemory = below.map((pid) => result.processes.get(pid)!.memory);
    for (const memory of childMemory) expect(memory).toBeGreaterThan(20_000_000);
    expect(tree.memory).toBe(own.memory + childMemory[0] + childMemory[1]);
    expect(tree.memory).toBeGreaterThan(own.memory + 40_000_000);

    // Without tree totals: just the pid.
    const flat = sampler();
    flat.track(parent.pid!, { tree: false });
    const flatResult = await flat.sampleNow();
    expect([...flatResult.processes.keys()]).toEqual([parent.pid]);
    expect(flatResult.trees.size).toBe(0);

    // A descendant that ends leaves the tree (and the batch) at the next tick.
    globalThis.process.kill(below[0], 'SIGKILL');
    await until(() => readProcStat(below[0])?.state !== 'S' && readProcStat(below[0])?.state !== 'R', 'the child to end');
    const later = await created.sampleNow();
    expect(later.trees.get(parent.pid!)!.descendants).not.toContain(below[0]);
  });

  it('does not fail the batch for pids that are gone, and reports them as ended', async () => {
    const [gone] = await startAll(1, 'true', []);
    await gone.join();
    const [live] = await startAll(1, 'sleep', ['300']);
    for (const tree of [true, false]) {
      const created = sampler();
      created.track(gone.pid!, { tree });
      created.track(live.pid!, { tree });
      const result = await created.sampleNow();
      expect([...result.processes.keys()]).toEqual([live.pid]);
      expect(result.ended).toEqual([gone.pid]);
      expect(created.isTracked(gone.pid!)).toBe(false);
      expect(created.isTracked(live.pid!)).toBe(true);

      // A batch of only a gone pid (pidusage rejects a single missing pid) resolves too.
      const alone = sampler();
      alone.track(gone.pid!, { tree });
      const aloneResult = await alone.sampleNow();
      expect(aloneResult.processes.size).toBe(0);
      expect(aloneResult.ended).toEqual([gone.pid]);
    }
  });

  it('measures the CPU of a busy process', async () => {
    const [busy] = await startAll(1, PYTHON, ['-c', 'while True: pass']);
    const created = sampler();
    created.track(busy.pid!);
    // The first sample of a pid reads 0; a later one shows the loop's share once a clock tick has passed
    // between two samples. A sampler that always read 0 would time out here.
    const usage = await until(async () => {
      const sampled = (await created.sampleNow()).processes.get(busy.pid!)!;
      return sampled.cpu > 0 && sampled;
    }, 'a sample that shows the busy loop using CPU');
    expect(usage.cpu).toBeGreaterThan(0);
    expect(usage.ctime).toBeGreaterThan(0);
  });

  it('ticks on its own, one tick at a time, emitting samples until stopped', async () => {
    const [sleep] = await startAll(1, 'sleep', ['300']);
    const created = sampler({ sampleIntervalMs: 20 });
    created.track(sleep.pid!);
    const samples: SampleResult[] = [];
    created.on('sample', (result) => samples.push(result));
    created.start();
    expect(created.running).toBe(true);
    // sampleNow() in between queues behind a tick in flight instead of overlapping it.
    const manual = await Promise.all([created.sampleNow(), created.sampleNow()]);
    expect(manual.every((result) => result.processes.has(sleep.pid!))).toBe(true);
    await until(() => samples.length >= 5, 'five samples');
    await created.stop();
    const count = samples.length;
    // A fixed pause on purpose, since it proves that nothing happens: five intervals without a sample.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(samples.length).toBe(count);
    for (let i = 1; i < samples.length; i++) expect(samples[i].time).toBeGreaterThanOrEqual(samples[i - 1].time);
  });

  it('picks up a descendant spawned after a tick that reused the previous scan', () =>
    withGatedParent(async ({ root, created, openGate }) => {
      // A machine where processes start all the time may never leave two ticks in a row without one.
      await until(async () => (await created.sampleNow()).treesReused, 'a tick that reuses the previous scan');
      expect(created.isTracked(root.pid!)).toBe(true);
      const child = await openGate();
      const picked = await until(async () => {
        const result = await created.sampleNow();
        return result.trees.get(root.pid!)?.descendants.includes(child) && result;
      }, 'the child in the tree');
      expect(picked.processes.get(child)!.memory).toBeGreaterThan(0);
    }));

  it('keeps reusing its scan while processes start outside its trees, and scans again when one is born into a tree', () =>
    withGatedParent(async ({ root, created, openGate }) => {
      await created.sampleNow();
      // Each round starts a process outside the tree between two ticks. A round can still scan: every
      // 16th tick does, and so does one after a burst of processes elsewhere on a busy machine.
      await until(async () => {
        const [outside] = await startAll(1, 'sleep', ['300']);
        remember([outside.pid!]);
        return (await created.sampleNow()).treesReused;
      }, 'a tick that reuses the scan although a process started since the last one');
      const child = await openGate();
      // The child's birth is seen by the first tick after it: no tick in between reuses a scan without it.
      const first = await created.sampleNow();
      expect(first.trees.get(root.pid!)?.descendants).toContain(child);
      expect(first.treesReused).toBe(false);
    }));

  it('emits no sample once dispose() has resolved, even with a tick in flight', async () => {
    const [sleep] = await startAll(1, 'sleep', ['300']);
    const created = sampler({ sampleIntervalMs: 1 });
    created.track(sleep.pid!);
    let samples = 0;
    created.on('sample', () => (samples += 1));
    created.start();
    await until(() => samples >= 3, 'three samples');
    await created.dispose();
    const count = samples;
    // A fixed pause on purpose, since it proves that nothing happens: fifty intervals without a sample.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(samples).toBe(count);
    expect(created.trackedPids).toEqual([]);
    expect(() => created.start()).toThrow(/after dispose/);
  });

  it('uses pidusage through its public API only', () => {
    for (const file of ['sampler.ts', 'pid-usage.ts', 'tree-scan.ts', 'app-usage.ts']) {
      expect(readFileSync(join('main/core', file), 'utf8'), file).not.toMatch(/pidusage\/lib/);
    }
  });

  it('reads the app’s own CPU and memory', () => {
    const usage = readOwnUsage();
    expect(usage.cpu).toBeGreaterThanOrEqual(0);
    expect(usage.memory).toBeGreaterThan(1_000_000);
    expect(usage.cores).toBeGreaterThanOrEqual(1);
  });
});
