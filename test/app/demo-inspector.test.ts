// The demo's multiprocessing scripts (resources/demo): the seeds' examples as plain Python programs,
// started as runDemo starts them (the specs demoWorkspace gives) and watched through the inspector.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoWorkspace } from '../../main/app/demo.js';
import { defaultWorkersDir } from '../../main/core/process-target.js';
import type { Inspection } from '../../main/protocol/inspection.js';
import { python, skipUnless, unixLike } from '../helpers/platform.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const app = useQuietSupervisor('pooldeck-demo-inspector-');

const SCRIPTS = {
  'demo-mp-processes': 'run_task_processes.py',
  'demo-mp-pool': 'pool_run_task.py',
  'demo-mp-myprocess': 'my_process_daemon.py',
  'demo-mp-queue': 'queue_example.py',
  'demo-mp-pipe': 'pipe_example.py',
};

describe("the demo's multiprocessing scripts", () => {
  it("are in the demo workspace as commands of the platform's Python on scripts shipped beside the helpers", () => {
    const workersDir = defaultWorkersDir();
    const specs = demoWorkspace(workersDir).processes.filter((spec) => spec.name !== undefined && spec.name in SCRIPTS);
    expect(specs.map((spec) => [spec.name, spec.command, spec.args])).toEqual(Object.entries(SCRIPTS).map(([name, file]) => [name, python, [file]]));
    for (const spec of specs) {
      expect(spec.cwd).toBe(join(workersDir, '..', 'demo'));
      expect(existsSync(join(spec.cwd!, String(spec.args![0])))).toBe(true);
    }
  });

  it.skipIf(skipUnless(unixLike, 'test/app/demo-inspector.test.ts', "the inspector's install() calls os.register_at_fork, which Python lacks on Windows, so nothing would be inspected"))("show each example's processes, pool, queue and daemon by their multiprocessing names", async () => {
    const specs = demoWorkspace(defaultWorkersDir()).processes.filter((spec) => spec.name !== undefined && spec.name in SCRIPTS);
    const ids = Object.fromEntries(await Promise.all(specs.map(async (spec) => [spec.name!, (await app.supervisor.createProcess(spec)).id] as const)));
    const exitcodes = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([name, id]) => [name, await app.supervisor.processOf(id).join()] as const)));
    expect(exitcodes).toEqual({ 'demo-mp-processes': 0, 'demo-mp-pool': 0, 'demo-mp-myprocess': 0, 'demo-mp-queue': 0, 'demo-mp-pipe': 0 });
    const inspection = async (name: keyof typeof SCRIPTS, complete: (inspection: Inspection) => boolean): Promise<Inspection> =>
      until(
        () => {
          const current = app.supervisor.inspection(ids[name]!);
          return current !== null && complete(current) ? current : null;
        },
        () => `the inspection of ${name}; it is ${JSON.stringify(app.supervisor.inspection(ids[name]!))}`,
      );
    const ended = (processes: Inspection['processes'], count: number) => processes.length === count && processes.every((row) => row.exitcode !== null);

    const five = await inspection('demo-mp-processes', ({ processes }) => ended(processes, 5));
    // Rows come in the order of their latest news: sorted by name here.
    expect(five.processes.map(({ name, target, exitcode }) => ({ name, target, exitcode })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ name: `Process-${i + 1}`, target: `run_task('${i}',)`, exitcode: 0 })),
    );

    const pooled = await inspection('demo-mp-pool', ({ pools, processes }) => pools[0]?.done === 5 && ended(processes, 3));
    const [pool] = pooled.pools;
    expect(pool).toMatchObject({ processes: 3, submitted: 5, done: 5, failed: 0, running: 0 });
    expect(pool.state).toBe('closed');
    for (const worker of pooled.processes) expect(worker.name).toMatch(/^\w*PoolWorker-\d+$/);
    expect(pool.workers.sort()).toEqual(pooled.processes.map((worker) => worker.pid).sort());
    expect(pool.tasks.map((task) => task.call).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `run_task(${i},)`));
    // Five tasks, three workers: the same pids come back.
    expect(new Set(pool.tasks.map((task) => task.worker)).size).toBeLessThanOrEqual(3);

    const daemon = await inspection('demo-mp-myprocess', ({ processes }) => ended(processes, 1));
    expect(daemon.processes[0]).toMatchObject({ name: 'MyProcess-1', className: 'MyProcess', daemon: true, alive: false, exitcode: -15 });

    const queued = await inspection('demo-mp-queue', ({ processes, queues }) => ended(processes, 5) && queues[0]?.size === 0);
    expect(queued.processes.map((row) => [row.name, row.exitcode]).sort()).toEqual([1, 2, 3, 4, 5].map((n) => [`Process-${n}`, 0]));
    expect(queued.queues).toMatchObject([{ kind: 'Queue', maxsize: 0, size: 0 }]);

    const piped = await inspection('demo-mp-pipe', ({ processes }) => ended(processes, 1));
    expect(piped.processes[0]).toMatchObject({ name: 'Process-1', target: expect.stringMatching(/^f\(/), exitcode: 0 });
    const answer = app.supervisor.readLogs(ids['demo-mp-pipe']!).lines.map((line) => line.text);
    expect(answer).toContainEqual(expect.stringMatching(/^child \d+ got \[42, None, 'hello'\]$/));
  });
});
