// The multiprocessing inspector, end to end: real Python programs started by the Supervisor, which
// puts resources/inspector first on PYTHONPATH; what they report over the channel, per start method.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inspection } from '../../main/protocol/inspection.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/inspector.test.ts', 'its Python programs are started as python3 and through sh -c');

const app = useQuietSupervisor('pooldeck-inspector-');

const FIXTURES = fileURLToPath(new URL('../fixtures/inspector/', import.meta.url));
const SEEDS = `${FIXTURES}seeds.py`;
const OBJECTS = `${FIXTURES}objects.py`;
const PROBE = `${FIXTURES}probe.py`;
const DISABLED_LINE = /^pooldeck inspector disabled: /;
/** Pools of 3 on a 2-core machine shared with other tests: a stage may take more than until's 10 s. */
const BUSY_MACHINE_WAIT_MS = 25_000;

/** Waits for a line the program prints on stdout. */
async function printed(id: string, line: string): Promise<void> {
  await until(
    () => app.supervisor.readLogs(id).lines.some((logged) => logged.stream === 'stdout' && logged.text === line),
    () => `"${line}" in the output of ${id}: ${JSON.stringify(app.supervisor.readLogs(id).lines.map((logged) => logged.text))}`,
    { timeoutMs: BUSY_MACHINE_WAIT_MS },
  );
}

async function ended(id: string): Promise<{ exitcode: number | null; stdout: string[]; stderr: string[] }> {
  const exitcode = await app.supervisor.processOf(id).join();
  const lines = app.supervisor.readLogs(id).lines;
  return {
    exitcode: exitcode ?? null,
    stdout: lines.filter((line) => line.stream === 'stdout').map((line) => line.text),
    stderr: lines.filter((line) => line.stream === 'stderr').map((line) => line.text),
  };
}

/** The job's inspection once `ready` holds for it (reports go every 100 ms and at each process's end). */
async function inspectionWhen(id: string, ready: (inspection: Inspection) => boolean): Promise<Inspection> {
  return until(
    () => {
      const inspection = app.supervisor.inspection(id);
      return inspection !== null && ready(inspection) ? inspection : null;
    },
    () => `an inspection of ${id} that is complete; it is ${JSON.stringify(app.supervisor.inspection(id))}`,
    { timeoutMs: BUSY_MACHINE_WAIT_MS },
  );
}

describe.skipIf(skipHere).each(['fork', 'spawn', 'forkserver'])('a multiprocessing program with the %s start method', (method) => {
  it("shows its processes' names, pids, daemon flags, targets and exit codes, a nested process, and its pool's tasks", async () => {
    const row = await app.supervisor.createProcess({ command: 'python3', args: [SEEDS, method] });
    const run = await ended(row.id);
    expect(run.exitcode).toBe(0);
    expect(run.stdout).toContain('exit codes [0, 3, 1, -15, -9, 0, 0]');
    expect(run.stdout).toContain('squares [0, 1, 4, 9, 16]');
    const parent = Number(run.stdout.find((line) => line.startsWith('parent '))!.split(' ')[1]);

    const inspection = await inspectionWhen(
      row.id,
      ({ processes, pools }) =>
        processes.length === 11 &&
        processes.every((process) => process.exitcode !== null) &&
        processes.some((process) => process.traceback !== null) &&
        pools.length === 1 &&
        pools[0].done === 5 &&
        pools[0].state === 'terminated',
    );
    const byName = new Map(inspection.processes.map((process) => [process.name, process]));
    const ending = (name: string) => {
      const { exitcode, daemon, alive, ppid, target } = byName.get(name)!;
      return { exitcode, daemon, alive, ppid, target };
    };
    expect(ending('Process-1')).toEqual({ exitcode: 0, daemon: false, alive: false, ppid: parent, target: "run_task('0',)" });
    expect(ending('Process-2')).toEqual({ exitcode: 3, daemon: false, alive: false, ppid: parent, target: "run_task('3',)" });
    expect(ending('Process-3')).toMatchObject({ exitcode: 1, target: "run_task('raise',)" });
    expect(byName.get('Process-3')!.traceback).toMatch(/ValueError: task failed on purpose/);
    expect(ending('Process-4')).toMatchObject({ exitcode: -15 });
    expect(ending('Process-5')).toMatchObject({ exitcode: -9 });
    expect(ending('MyProcess-7')).toEqual({ exitcode: 0, daemon: true, alive: false, ppid: parent, target: null });
    expect(byName.get('MyProcess-7')!.className).toBe('MyProcess');
    // The process started inside Process-6 is reported by Process-6 itself.
    expect(byName.get('Inner')).toMatchObject({ exitcode: 0, ppid: byName.get('Process-6')!.pid, target: "run_task('0',)" });
    for (const process of inspection.processes) expect(process.pid).toBeGreaterThan(0);

    const [pool] = inspection.pools;
    expect(pool).toMatchObject({ processes: 3, submitted: 5, done: 5, failed: 0, state: 'terminated' });
    expect(pool.workers).toHaveLength(3);
    const workerNames = inspection.processes.filter((process) => pool.workers.includes(process.pid)).map((process) => process.name);
    expect(workerNames).toHaveLength(3);
    for (const name of workerNames) expect(name).toMatch(/PoolWorker-\d+$/);
    // Each task row names the worker that ran it: at most the pool's 3 pids.
    expect(pool.tasks.length).toBeGreaterThan(0);
    expect(new Set(pool.tasks.map((task) => task.worker)).size).toBeLessThanOrEqual(3);
    for (const task of pool.tasks) {
      expect(pool.workers).toContain(task.worker);
      expect(task.state).toBe('done');
      expect(task.call).toMatch(/^square\(\d,\)$/);
    }
  });
});

describe.skipIf(skipHere).each(['fork', 'spawn', 'forkserver'])('a multiprocessing program with the %s start method, looked at while it runs', (method) => {
  it("shows its queues' sizes, its shared values, its pool running, then closed with a failure, and a daemon ended at exit", async () => {
    const gate = join(app.dataDir, 'gate');
    const row = await app.supervisor.createProcess({ command: 'python3', args: [OBJECTS, method, gate] });
    await printed(row.id, 'pool running');
    const running = await inspectionWhen(
      row.id,
      ({ pools, queues, values }) => pools.length === 1 && pools[0].running === 3 && queues.length === 2 && values.length === 2 && values[0].value === 42,
    );
    expect(running.pools[0]).toMatchObject({ processes: 3, state: 'running', submitted: 6, done: 0, failed: 0 });
    expect(running.pools[0].workers).toHaveLength(3);
    expect(running.queues.map(({ kind, size, maxsize }) => ({ kind, size, maxsize }))).toEqual([
      { kind: 'Queue', size: 3, maxsize: 7 },
      { kind: 'JoinableQueue', size: 1, maxsize: 0 },
    ]);
    // Set by a child: read in the shared memory where it lives.
    expect(running.values.map(({ kind, typecode, value, length }) => ({ kind, typecode, value, length }))).toEqual([
      { kind: 'Value', typecode: 'i', value: 42, length: null },
      { kind: 'Array', typecode: 'd', value: [0.5, 9.25, 2.5], length: 3 },
    ]);

    writeFileSync(gate, '');
    await app.supervisor.writeStdin(row.id, 'go');
    await printed(row.id, 'pool closed');
    const closed = await inspectionWhen(row.id, ({ pools }) => pools[0].state === 'closed' && pools[0].done === 5 && pools[0].failed === 1);
    const [pool] = closed.pools;
    expect(pool).toMatchObject({ submitted: 6, running: 0 });
    expect(pool.failures).toHaveLength(1);
    expect(pool.failures[0].error).toBe("ValueError: no square for 7");
    expect(pool.failures[0].traceback).toMatch(/Traceback[\s\S]*in fail[\s\S]*ValueError: no square for 7/);
    const failedTask = pool.tasks.find((task) => task.state === 'failed');
    expect(failedTask).toMatchObject({ call: 'fail(7,)' });
    expect(failedTask!.traceback).toMatch(/ValueError: no square for 7/);
    expect(new Set(pool.tasks.map((task) => task.worker)).size).toBeLessThanOrEqual(3);

    await app.supervisor.writeStdin(row.id, 'go');
    await printed(row.id, 'daemon started');
    await inspectionWhen(row.id, ({ processes }) => processes.some((process) => process.name === 'Lingering' && process.alive));
    await app.supervisor.writeStdin(row.id, 'go');
    const run = await ended(row.id);
    expect(run.exitcode).toBe(0);
    const ends = await inspectionWhen(row.id, ({ processes, queues }) => processes.some((process) => process.name === 'Lingering' && !process.alive) && queues[0].size === 0);
    // The program exited first; multiprocessing's exit function terminated its daemon child.
    expect(ends.processes.find((process) => process.name === 'Lingering')).toMatchObject({ daemon: true, alive: false, exitcode: -15 });
    expect(ends.queues.map((queue) => queue.size)).toEqual([0, 0]);
  });
});

describe.skipIf(skipHere)('which jobs are inspected', () => {
  it('inspects python and python3 commands and Python targets by default, and none whose spec says inspect: false', async () => {
    const jobs = {
      python3: { command: 'python3', args: [PROBE] },
      python3Off: { command: 'python3', args: [PROBE], inspect: false },
      python: { command: 'python', args: [PROBE] },
      target: { cwd: FIXTURES, target: 'probe.py:say_inspected' },
      targetOff: { cwd: FIXTURES, target: 'probe.py:say_inspected', inspect: false },
      // Not a Python command, though it runs Python: not inspected.
      shell: { command: 'sh', args: ['-c', `exec python3 ${PROBE}`] },
    };
    const said = await Promise.all(
      Object.entries(jobs).map(async ([job, spec]) => {
        const row = await app.supervisor.createProcess(spec);
        const run = await ended(row.id);
        return [job, run.stdout.filter((line) => /inspected$/.test(line))];
      }),
    );
    expect(Object.fromEntries(said)).toEqual({
      python3: ['inspected'],
      python3Off: ['not inspected'],
      python: ['inspected'],
      target: ['inspected'],
      targetOff: ['not inspected'],
      shell: ['not inspected'],
    });
  });
});

describe.skipIf(skipHere)('the inspector and the program', () => {
  it('keeps its compiled code in the data folder, compiles again over a cache file that is not code, and drops an older source\'s', async () => {
    const cache = join(app.dataDir, 'inspector-cache');
    const run = async (): Promise<void> => {
      const row = await app.supervisor.createProcess({ command: 'python3', args: [SEEDS, 'fork'] });
      expect((await ended(row.id)).exitcode).toBe(0);
      await inspectionWhen(row.id, ({ pools }) => pools.length === 1 && pools[0].done === 5);
    };
    await run();
    const files = readdirSync(cache).sort();
    expect(files).toEqual([expect.stringMatching(/^pooldeck_connection\.\w+-\d+\.\d+\.\d+\.code$/), expect.stringMatching(/^pooldeck_inspector\.\w+-\d+\.\d+\.\d+\.code$/)]);
    const inspectorCode = join(cache, files[1]!);
    writeFileSync(inspectorCode, 'not marshalled code');
    // An older source's code, for the same Python: removed once the module is compiled again.
    const stale = join(cache, files[1]!.replace(/\.(\d+)\.(\d+)\.code$/, '.1.1.code'));
    writeFileSync(stale, 'old');
    await run();
    expect(readFileSync(inspectorCode).subarray(0, 19).toString()).not.toBe('not marshalled code');
    expect(readdirSync(cache).sort()).toEqual(files);
  });

  it("still runs the user's own sitecustomize, with the user's PYTHONPATH after the inspector's", async () => {
    const row = await app.supervisor.createProcess({ command: 'python3', args: [SEEDS, 'fork'], env: { PYTHONPATH: `${FIXTURES}user-site` } });
    const run = await ended(row.id);
    expect(run.stdout[0]).toBe("the user's sitecustomize ran");
    expect(run.exitcode).toBe(0);
    await inspectionWhen(row.id, ({ pools }) => pools.length === 1);
  });

  it('leaves output and exit code untouched when the channel refuses its key', async () => {
    const watched = await app.supervisor.createProcess({
      command: 'python3',
      args: ['-c', `import os, sys; os.environ['POOLDECK_AUTHKEY'] = '00' * 32; os.execvp(sys.executable, [sys.executable, ${JSON.stringify(SEEDS)}, 'fork'])`],
    });
    const unwatched = await app.supervisor.createProcess({ command: 'python3', args: [SEEDS, 'fork'], inspect: false });
    const [refused, plain] = [await ended(watched.id), await ended(unwatched.id)];
    expect(refused.exitcode).toBe(plain.exitcode);
    expect(withoutPids(refused.stdout)).toEqual(withoutPids(plain.stdout));
    expect(refused.stderr.filter((line) => DISABLED_LINE.test(line))).toEqual([]);
    expect(app.supervisor.refusedChannelAttempts().some((attempt) => /wrong authkey/.test(attempt.reason))).toBe(true);
    expect(app.supervisor.inspection(watched.id)).toBeNull();
    expect(app.supervisor.inspection(unwatched.id)).toBeNull();
  });

  it('turns itself off with one line in the job\'s log whichever hook fails, in whichever process, and the program runs on', async () => {
    const gate = join(app.dataDir, 'gate');
    writeFileSync(gate, '');
    const seedsFaults = ['import', 'start', 'report', 'Pool', 'task', 'result'];
    const objectsFaults = ['Queue', 'JoinableQueue', 'value'];
    const start = (args: string[], fault: string) =>
      app.supervisor.createProcess({ command: 'python3', args, env: { POOLDECK_INSPECTOR_FAULT: fault } }).then((row) => ({ fault, row }));
    const jobs = await Promise.all([
      ...seedsFaults.map((fault) => start([SEEDS, 'fork'], fault)),
      ...objectsFaults.map((fault) => start([OBJECTS, 'fork', gate], fault)),
    ]);
    // objects.py pauses three times, reading a line each time.
    for (const { fault, row } of jobs) if (objectsFaults.includes(fault)) await app.supervisor.writeStdin(row.id, 'go\ngo\ngo');
    const runs = await Promise.all(jobs.map(async ({ fault, row }) => ({ fault, ...(await ended(row.id)) })));
    for (const run of runs) {
      expect({ fault: run.fault, exitcode: run.exitcode }).toEqual({ fault: run.fault, exitcode: 0 });
      expect({ fault: run.fault, disabled: run.stderr.filter((line) => DISABLED_LINE.test(line)) }).toEqual({
        fault: run.fault,
        disabled: [`pooldeck inspector disabled: RuntimeError: a fault was injected in the ${run.fault} hook (POOLDECK_INSPECTOR_FAULT)`],
      });
      expect(run.stdout).toContain('squares [0, 1, 4, 9, 16]');
      if (seedsFaults.includes(run.fault)) expect(run.stdout).toContain('exit codes [0, 3, 1, -15, -9, 0, 0]');
    }
  });
});

function withoutPids(lines: string[]): string[] {
  return lines.map((line) => line.replace(/^parent \d+$/, 'parent <pid>'));
}
