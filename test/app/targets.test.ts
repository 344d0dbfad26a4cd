// The app's Function mode over real Python and Node processes: rows of function targets (return
// values, errors with tracebacks, restarts), pools of a target, and the helper's list of a file's targets.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listTargets } from '../../main/app/target-list.js';
import type { ProcessRow } from '../../main/protocol/rows.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/targets.test.ts', 'Python targets start python3 (the core default), which Windows installs do not name');

const TARGETS = fileURLToPath(new URL('../fixtures/app-targets/', import.meta.url));
const context = useQuietSupervisor('pooldeck-targets-');

function endedRow(id: string): Promise<ProcessRow> {
  return until(() => {
    const row = context.supervisor.snapshot().processes.find((candidate) => candidate.id === id);
    return row?.state === 'exited' ? row : null;
  }, `process ${id} to end`);
}

describe.skipIf(skipHere)('function targets in the Supervisor', () => {
  it("shows a Python function's target, arguments and return value on its row", async () => {
    const created = await context.supervisor.createProcess({ target: 'jobs.py:square', args: [7], kwargs: { scale: 2 }, cwd: TARGETS });
    expect(created).toMatchObject({ target: 'jobs.py:square', targetArgs: [7], kwargs: { scale: 2 }, returnValue: null, targetError: null });
    const ended = await endedRow(created.id);
    expect(ended).toMatchObject({ exitcode: 0, returnValue: '98', targetError: null, error: null });
  });

  it("shows a raising target's error with its traceback, and exit code 1", async () => {
    const created = await context.supervisor.createProcess({ target: 'jobs.py:fail', args: ['no luck'], cwd: TARGETS });
    const ended = await endedRow(created.id);
    expect(ended.exitcode).toBe(1);
    expect(ended.returnValue).toBeNull();
    expect(ended.targetError).toMatchObject({ type: 'ValueError', message: 'no luck' });
    expect(ended.targetError?.traceback).toMatch(/Traceback[\s\S]*jobs\.py[\s\S]*raise ValueError\(message\)/);
  });

  it('runs a Node function and a Node class target', async () => {
    const square = await context.supervisor.createProcess({ target: 'jobs.mjs:square', args: [5], cwd: TARGETS });
    const greeter = await context.supervisor.createProcess({ target: 'jobs.mjs:Greeter', args: ['pool'], cwd: TARGETS });
    expect((await endedRow(square.id)).returnValue).toBe('25');
    expect(await endedRow(greeter.id)).toMatchObject({ exitcode: 0, returnValue: '"hello pool"' });
  });

  it('reruns the same target when a target row is restarted', async () => {
    const created = await context.supervisor.createProcess({ target: 'jobs.py:Counter', args: [3], cwd: TARGETS });
    const first = await endedRow(created.id);
    expect(first.returnValue).toBe('[0,1,2]');
    await context.supervisor.restart(created.id);
    const second = await until(() => {
      const row = context.supervisor.snapshot().processes.find((candidate) => candidate.id === created.id);
      return row?.restarts === 1 && row.state === 'exited' ? row : null;
    }, 'the restarted row to end');
    expect(second).toMatchObject({ target: 'jobs.py:Counter', targetArgs: [3], returnValue: '[0,1,2]', exitcode: 0 });
    expect(second.pid).not.toBe(first.pid);
  });

  it('serves a target in a pool with an initializer, recycling workers after maxTasksPerChild', async () => {
    const pool = context.supervisor.createPool({
      processes: 2,
      target: 'jobs.py:tagged',
      initializer: 'jobs.py:init',
      initargs: ['ready'],
      maxTasksPerChild: 1,
      cwd: TARGETS,
      tasks: [[1], [2], [3], [4]],
    });
    expect(pool).toMatchObject({ target: 'jobs.py:tagged', initializer: 'jobs.py:init', mode: 'worker', maxTasksPerChild: 1 });
    context.supervisor.closePool(pool.id);
    await context.supervisor.joinPool(pool.id);
    const page = context.supervisor.listTasks(pool.id);
    expect(page.tasks.map((task) => task.state)).toEqual(['done', 'done', 'done', 'done']);
    const results = page.tasks.map((task) => JSON.parse(task.result!) as [string, number, number]);
    expect(results.map(([prefix, square]) => [prefix, square])).toEqual([['ready', 1], ['ready', 4], ['ready', 9], ['ready', 16]]);
    // One task per child: every task ran in a worker of its own.
    expect(new Set(results.map(([, , pid]) => pid)).size).toBe(4);
  });
});

describe.skipIf(skipHere)('listTargets', () => {
  it("lists a Python file's own top-level functions and classes, not what it imports", async () => {
    const list = await listTargets({ file: 'jobs.py', cwd: TARGETS });
    expect(list).toMatchObject({ file: `${TARGETS}jobs.py`, language: 'python' });
    expect(list.targets).toEqual([
      { name: 'square', kind: 'function', signature: '(x, scale=1)', doc: 'Square x, then scale it.' },
      { name: 'fail', kind: 'function', signature: '(message)', doc: null },
      { name: 'init', kind: 'function', signature: '(prefix)', doc: null },
      { name: 'tagged', kind: 'function', signature: '(x)', doc: null },
      { name: 'Counter', kind: 'class', signature: '(n)', doc: 'Counts to n in run().' },
    ]);
  });

  it("lists a Node file's exported functions and classes", async () => {
    const list = await listTargets({ file: `${TARGETS}jobs.mjs` });
    expect(list.language).toBe('node');
    expect(list.targets).toEqual([
      { name: 'Greeter', kind: 'class', signature: '(name)', doc: null },
      { name: 'square', kind: 'function', signature: '(x, { scale = 1 } = {})', doc: null },
    ]);
  });

  it('fails for a missing file with a message naming it', async () => {
    await expect(listTargets({ file: 'nowhere.py', cwd: TARGETS })).rejects.toMatchObject({
      error: { code: 'not_found', field: 'file', message: expect.stringMatching(/cannot load nowhere\.py: no such file .*nowhere\.py/) },
    });
  });

  it('fails for a syntax error with the file and the line', async () => {
    await expect(listTargets({ file: 'broken.py', cwd: TARGETS })).rejects.toMatchObject({
      error: { code: 'invalid', field: 'file', message: expect.stringMatching(/cannot load broken\.py: syntax error in .*broken\.py line 3/) },
    });
    await expect(listTargets({ file: 'broken.mjs', cwd: TARGETS })).rejects.toMatchObject({
      error: { code: 'invalid', field: 'file', message: expect.stringMatching(/cannot load broken\.mjs: syntax error in .*broken\.mjs:3/) },
    });
  });

  it('refuses a file no helper runs, and an interpreter that does not exist, naming the field', async () => {
    await expect(listTargets({ file: 'notes.txt', cwd: TARGETS })).rejects.toMatchObject({ error: { field: 'file', message: expect.stringMatching(/notes\.txt is not a \.py/) } });
    await expect(listTargets({ file: 'jobs.py', cwd: TARGETS, python: 'pooldeck-no-such-python' })).rejects.toMatchObject({
      error: { code: 'start_failed', field: 'python', message: expect.stringMatching(/cannot list jobs\.py: cannot run pooldeck-no-such-python/) },
    });
  });
});
