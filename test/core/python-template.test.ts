// A Python pool on Linux forks its workers from one template process (python-template.ts,
// resources/workers/pooldeck_template.py). Real python3, real forks, read back from /proc.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readProcStat } from '../../main/core/proc-stat.js';
import { PYTHON_TEMPLATE_ENV } from '../../main/core/python-template.js';
import type { Process } from '../../main/core/process.js';
import { startedWorkers, trackPools, treeAlive, until } from '../fixtures/pool-harness.js';
import { killTreeOf } from '../helpers/kill-processes.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasProcfs, 'test/core/python-template.test.ts', "checks a worker's parent (the template) in /proc/<pid>/cmdline");

const dir = mkdtempSync(join(tmpdir(), 'pooldeck-template-'));
const TASKS = join(dir, 'tasks.py');
writeFileSync(
  TASKS,
  ['import os, sys', 'def square(x):', '    print("squared", x, flush=True)', '    return [x * x, os.getpid()]', ''].join('\n'),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Templates seen by a test: not pool workers, so the pool harness does not know them; ended here if a test left one. */
const templates = new Set<number>();
afterEach(async () => {
  const seen = [...templates];
  templates.clear();
  await until(() => seen.every((pid) => !treeAlive(pid)), 'the templates to end', { timeoutMs: 5000 }).catch(() => undefined);
  const alive = seen.filter((pid) => treeAlive(pid));
  for (const pid of alive) killTreeOf(pid);
  expect(alive, 'templates left behind').toEqual([]);
});
// After hooks run last-registered first: the pools are terminated before the templates are looked at.
const { make } = trackPools();

/** The template that forked `worker`: its parent, checked to be pooldeck_template.py. */
function templateOf(worker: Process): number {
  const ppid = readProcStat(worker.pid!)!.ppid;
  expect(readFileSync(`/proc/${ppid}/cmdline`, 'utf8')).toContain('pooldeck_template.py');
  templates.add(ppid);
  return ppid;
}

describe.skipIf(skipHere)('Python pool workers forked from a template', () => {
  it('answer tasks as children of one template, each leading its own process group', async () => {
    const pool = make({ processes: 3, target: `${TASKS}:square` });
    const workers = await startedWorkers(pool);
    const template = templateOf(workers[0]);
    for (const worker of workers) {
      expect(templateOf(worker)).toBe(template);
      expect(readProcStat(worker.pid!)!.pgrp).toBe(worker.pid);
    }
    const results = await pool.map<[number, number]>([1, 2, 3, 4, 5, 6], { chunksize: 1 });
    expect(results.map(([square]) => square)).toEqual([1, 4, 9, 16, 25, 36]);
    const pids = new Set(workers.map((w) => w.pid));
    for (const [, pid] of results) expect(pids.has(pid)).toBe(true);
  });

  it("gives a forked worker's stdout to its Process, as a spawned worker's", async () => {
    const pool = make({ processes: 1, target: `${TASKS}:square` });
    const [worker] = await startedWorkers(pool);
    templateOf(worker);
    let out = '';
    worker.on('output', (stream, chunk) => {
      if (stream === 'stdout') out += chunk.toString();
    });
    await pool.apply([7]);
    await until(() => out.includes('squared 7'), 'the worker\'s "squared 7" on its stdout');
  });

  it('terminate() leaves no process behind: neither the workers nor the template', async () => {
    const pool = make({ processes: 2, target: `${TASKS}:square` });
    const workers = await startedWorkers(pool);
    const template = templateOf(workers[0]);
    await pool.apply([2]);
    await pool.terminate();
    for (const worker of workers) {
      expect(worker.exitcode).toBe(-15);
      expect(treeAlive(worker.pid!)).toBe(false);
    }
    expect(treeAlive(template)).toBe(false);
  });

  it('close() and join(): the template ends once its workers did', async () => {
    const pool = make({ processes: 2, target: `${TASKS}:square` });
    const workers = await startedWorkers(pool);
    const template = templateOf(workers[0]);
    await pool.map([1, 2, 3]);
    pool.close();
    await pool.join();
    for (const worker of workers) expect(worker.exitcode).toBe(0);
    expect(treeAlive(template)).toBe(false);
  });

  it("a worker SIGKILLed is reported -9 by the template and replaced by a new fork", async () => {
    const pool = make({ processes: 1, target: `${TASKS}:square` });
    const [worker] = await startedWorkers(pool);
    const template = templateOf(worker);
    process.kill(worker.pid!, 'SIGKILL');
    expect(await worker.join()).toBe(-9);
    const replacement = await until(() => pool.workers.find((w) => w !== worker), 'a replacement worker');
    expect(templateOf(replacement)).toBe(template);
    expect((await pool.apply<[number, number]>([3]))[0]).toBe(9);
  });

  it('maxTasksPerChild: each fresh worker is forked from the same template', async () => {
    const pool = make({ processes: 1, maxTasksPerChild: 2, target: `${TASKS}:square` });
    const [first] = await startedWorkers(pool);
    const template = templateOf(first);
    const pids = new Set<number>();
    for (let x = 0; x < 6; x += 1) pids.add((await pool.apply<[number, number]>([x]))[1]);
    expect(pids.size).toBe(3);
    for (const pid of pids) {
      const stat = readProcStat(pid);
      // A recycled worker is gone; the one still serving is the template's child.
      if (stat !== null && stat.state !== 'Z') expect(stat.ppid).toBe(template);
    }
    expect(first.exitcode).toBe(0);
  });

  it('a target that cannot be loaded fails the tasks visibly, as with spawned workers', async () => {
    const pool = make({ processes: 1, target: `${TASKS}:nowhere` });
    await expect(pool.apply([1])).rejects.toThrow(/has no attribute 'nowhere'/);
  });

  it(`${PYTHON_TEMPLATE_ENV}=0 in the pool's env spawns each worker from the app`, async () => {
    const pool = make({ processes: 1, target: `${TASKS}:square`, env: { [PYTHON_TEMPLATE_ENV]: '0' } });
    const [worker] = await startedWorkers(pool);
    expect(readProcStat(worker.pid!)!.ppid).toBe(process.pid);
    expect((await pool.apply<[number, number]>([4]))[0]).toBe(16);
  });
});
