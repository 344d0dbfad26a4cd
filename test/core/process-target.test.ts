// Process({ target }): functions and classes run through the Python and Node helpers, against real
// interpreters. Every process a test starts is killed (its whole group) and joined in afterEach.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Pool } from '../../main/core/pool.js';
import { Process, type ProcessOptions } from '../../main/core/process.js';
import { startedWorkers, trackPools, until } from '../fixtures/pool-harness.js';
import { TaskFailedError } from '../../main/core/errors.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const TARGETS = fileURLToPath(new URL('../fixtures/targets/', import.meta.url));

const started: Process[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await killAndClose(started);
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function make(options: ProcessOptions): Process {
  const process = new Process(options);
  started.push(process);
  return process;
}

interface Finished {
  process: Process;
  exitcode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `target` in the fixtures folder to its end. */
async function run(target: string, options: Partial<ProcessOptions> = {}): Promise<Finished> {
  const process = make({ target, cwd: TARGETS, ...options } as ProcessOptions);
  const output = { stdout: '', stderr: '' };
  process.on('output', (stream, chunk) => {
    output[stream] += chunk.toString('utf8');
  });
  await process.start();
  const exitcode = await process.join();
  return { process, exitcode, ...output };
}

const skipTargets = skipUnless(unixLike, 'test/core/process-target.test.ts', 'targets answer over fd 3, which a child on Windows does not get');

describe('Process options', () => {
  it('takes exactly one of command and target, naming both', () => {
    expect(() => new Process({} as ProcessOptions)).toThrow(/exactly one of `command`.*`target`/);
    expect(() => new Process({ command: 'true', target: 'tasks.py:square' } as unknown as ProcessOptions)).toThrow(
      /exactly one of `command`.*`target`.*not both/,
    );
  });

  it('refuses a target without FILE:ATTR form, naming target', () => {
    expect(() => new Process({ target: 'tasks.py' })).toThrow(/`target` must be FILE:ATTR or MODULE:ATTR/);
    expect(() => new Process({ target: 'tasks.py:' })).toThrow(/`target`/);
  });

  it('refuses arguments JSON cannot carry before starting, naming the position', () => {
    expect(() => new Process({ target: 'tasks.py:square', args: [1, Number.NaN] })).toThrow(/args\[1\] is NaN/);
    expect(() => new Process({ target: 'tasks.py:square', args: [new Set([1])] })).toThrow(/args\[0\] is a Set/);
    expect(() => new Process({ target: 'tasks.py:square', kwargs: { when: new Date(0) } })).toThrow(/kwargs\.when is a Date/);
  });

  it('refuses undefined, a function, a BigInt and a Map, in Python and Node targets alike, naming type and position', () => {
    for (const target of ['tasks.py:square', 'tasks.mjs:square']) {
      expect(() => new Process({ target, args: [undefined] })).toThrow(/Process: args\[0\] is undefined, which JSON can't carry/);
      expect(() => new Process({ target, args: [1, [() => 1]] })).toThrow(/Process: args\[1\]\[0\] is a function, which JSON can't carry/);
      expect(() => new Process({ target, kwargs: { n: 1n } })).toThrow(/Process: kwargs\.n is a bigint, which JSON can't carry/);
      expect(() => new Process({ target, kwargs: { deep: { table: new Map() } } })).toThrow(/Process: kwargs\.deep\.table is a Map, which JSON can't carry/);
    }
  });
});

describe.skipIf(skipTargets)('Python targets', () => {
  it('calls a function in FILE.py with args and returns its value', async () => {
    const { process, exitcode } = await run('tasks.py:square', { args: [7] });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toBe(49);
    expect(process.error).toBeNull();
    expect(process.target).toBe('tasks.py:square');
  });

  it('passes kwargs as keyword arguments', async () => {
    const { process, exitcode } = await run('tasks.py:scaled', { args: [3], kwargs: { scale: 10, offset: 2 } });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toEqual({ value: 32, pid: process.pid });
  });

  it('gives null for None and leaves returnValue undefined until the end', async () => {
    const process = make({ target: 'tasks.py:nothing', cwd: TARGETS });
    expect(process.returnValue).toBeUndefined();
    await process.start();
    await process.join();
    expect(process.returnValue).toBeNull();
    expect(process.exitcode).toBe(0);
  });

  it('keeps returnValue undefined and error null while the target runs, and sets them before join() resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-target-'));
    tempDirs.push(dir);
    const go = join(dir, 'go');
    const process = make({ target: 'tasks.py:wait_for_file', args: [go], cwd: TARGETS });
    let stdout = '';
    process.on('output', (_stream, chunk) => {
      stdout += chunk.toString('utf8');
    });
    await process.start();
    await until(() => stdout.includes('waiting'), 'the target to say it is waiting');
    expect(process.isAlive()).toBe(true);
    expect(process.returnValue).toBeUndefined();
    expect(process.error).toBeNull();
    writeFileSync(go, '');
    const joined = process.join().then((exitcode) => ({ exitcode, returnValue: process.returnValue, error: process.error }));
    expect(await joined).toEqual({ exitcode: 0, returnValue: 'go', error: null });
  });

  it('shows how values round-trip: a tuple becomes a list, int keys become strings, ints past 2^53 lose precision', async () => {
    const args = [null, true, 1.5, 'text', [1, [2]], { nested: { list: [] } }];
    const { process, exitcode } = await run('tasks.py:pass_through', { args, kwargs: { flag: false } });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toEqual({
      args,
      kwargs: { flag: false },
      tuple: [1, 2],
      big: 2 ** 53,
      int_key: { '1': 'one' },
    });
  });

  it('instantiates a class with args and kwargs and returns what run() returns', async () => {
    const { process, exitcode } = await run('tasks.py:Worker', { args: [5], kwargs: { step: 2 } });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toEqual([5, 7]);
  });

  it('runs MODULE:ATTR with cwd first on sys.path, and a multiprocessing.Process subclass', async () => {
    const area = await run('pkg.shapes:area', { args: [3, 4] });
    expect(area.exitcode).toBe(0);
    expect(area.process.returnValue).toBe(12);
    const greeter = await run('pkg.shapes:Greeter', { args: ['you'] });
    expect(greeter.exitcode).toBe(0);
    expect(greeter.process.returnValue).toBe('hello you');
  });

  it('resolves FILE.py against cwd, in a subfolder too', async () => {
    const { process, exitcode } = await run('pkg/shapes.py:area', { args: [2, 5] });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toBe(10);
  });

  it('runs a class from a file in a subfolder: pkg/shapes.py:Greeter, a multiprocessing.Process subclass', async () => {
    const { process, exitcode } = await run('pkg/shapes.py:Greeter', { args: ['file'] });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toBe('hello file');
  });

  it("puts cwd first on sys.path: MODULE:ATTR finds cwd's module, not the helper's namesake beside it", async () => {
    // resources/workers has a demo_square.py too, with no `which`: loading it would be an AttributeError.
    const { process, exitcode } = await run('demo_square:which');
    expect(process.error).toBeNull();
    expect(exitcode).toBe(0);
    expect(process.returnValue).toBe("the working folder's");
  });

  it('exits 1 on an uncaught exception, with Process <name>: and the traceback on stderr', async () => {
    const { process, exitcode, stderr } = await run('tasks.py:fail', { args: ['boom'], name: 'cruncher' });
    expect(exitcode).toBe(1);
    expect(stderr).toMatch(/^Process cruncher:\nTraceback \(most recent call last\):\n[\s\S]*ValueError: boom\n$/);
    expect(process.returnValue).toBeUndefined();
    expect(process.error).toMatchObject({ type: 'ValueError', message: 'boom' });
    expect(process.error?.traceback).toMatch(/Traceback[\s\S]*in fail\n[\s\S]*ValueError: boom/);
    // It starts at the user's code: the helper's own frames say nothing about it.
    expect(process.error?.traceback).toMatch(/^Traceback \(most recent call last\):\n {2}File "[^"]*tasks\.py"/);
    expect(process.error?.traceback).not.toContain('pooldeck_worker.py');
  });

  it('exits n on sys.exit(n), 0 on sys.exit(None), and 1 with the message on sys.exit("msg")', async () => {
    const three = await run('tasks.py:exit_with', { args: [3] });
    expect(three.exitcode).toBe(3);
    expect(three.process.error).toBeNull();
    expect(three.process.returnValue).toBeUndefined();
    const none = await run('tasks.py:exit_with', { args: [null] });
    expect(none.exitcode).toBe(0);
    const message = await run('tasks.py:exit_with', { args: ['no more'] });
    expect(message.exitcode).toBe(1);
    expect(message.stderr).toBe('no more\n');
    expect(message.process.error).toBeNull();
  });

  it('reports a signal as -N', async () => {
    const { process, exitcode } = await run('tasks.py:kill_self', { args: [15] });
    expect(exitcode).toBe(-15);
    expect(process.returnValue).toBeUndefined();
    expect(process.error).toBeNull();
  });

  it('exits 1 with an error naming the file for a missing file', async () => {
    const { process, exitcode, stderr } = await run('nowhere.py:square');
    expect(exitcode).toBe(1);
    expect(process.error?.type).toBe('FileNotFoundError');
    expect(process.error?.message).toContain('nowhere.py:square');
    expect(process.error?.message).toContain(join(TARGETS, 'nowhere.py'));
    expect(stderr).toContain('nowhere.py');
  });

  it('exits 1 with an error naming the file and attribute for a missing attribute', async () => {
    const { process, exitcode } = await run('tasks.py:cube');
    expect(exitcode).toBe(1);
    expect(process.error?.type).toBe('AttributeError');
    expect(process.error?.message).toMatch(/tasks\.py:cube.*tasks\.py has no attribute 'cube'/);
  });

  it('exits 1 with an error naming the file, line and attribute for a syntax error', async () => {
    const { process, exitcode } = await run('broken.py:square');
    expect(exitcode).toBe(1);
    expect(process.error?.type).toBe('SyntaxError');
    expect(process.error?.message).toMatch(/broken\.py:square.*broken\.py line 2/);
  });

  it('exits 1 with an error naming the file and attribute when the module raises while it is imported', async () => {
    const { process, exitcode, stderr } = await run('raises_on_import.py:square');
    expect(exitcode).toBe(1);
    expect(process.error?.type).toBe('RuntimeError');
    expect(process.error?.message).toBe('cannot load raises_on_import.py:square: importing raises_on_import.py raised not today');
    expect(stderr).toContain('raises_on_import.py:square');
  });

  it('exits 1 for a missing module and for an attribute that is not callable', async () => {
    const module = await run('nosuchpkg.tasks:square');
    expect(module.exitcode).toBe(1);
    expect(module.process.error?.type).toBe('ModuleNotFoundError');
    expect(module.process.error?.message).toMatch(/nosuchpkg\.tasks:square.*nosuchpkg/);
    const value = await run('tasks.py:NOT_CALLABLE');
    expect(value.exitcode).toBe(1);
    expect(value.process.error?.message).toMatch(/NOT_CALLABLE in tasks\.py is a int/);
  });

  it('turns a returned value JSON cannot carry into an error naming its type', async () => {
    const { process, exitcode, stderr } = await run('tasks.py:make_set');
    expect(exitcode).toBe(1);
    expect(process.returnValue).toBeUndefined();
    expect(process.error?.type).toBe('TypeError');
    expect(process.error?.message).toMatch(/tasks\.py:make_set returned a value that JSON can't carry \(set\)/);
    expect(stderr).toContain('(set)');
  });

  for (const [kind, type, what] of [
    ['datetime', 'datetime', 'a datetime'],
    ['bytes', 'bytes', 'bytes'],
    ['object', 'Point', 'an object of its own class'],
    ['nan', 'float', 'NaN'],
  ] as const) {
    it(`exits 1 with an error naming the type when the target returns ${what}`, async () => {
      const { process, exitcode } = await run('tasks.py:make_value', { args: [kind] });
      expect(exitcode).toBe(1);
      expect(process.returnValue).toBeUndefined();
      expect(process.error?.message).toContain(`tasks.py:make_value returned a value that JSON can't carry (${type})`);
    });
  }

  it('uses the python option as the interpreter', async () => {
    const process = make({ target: 'tasks.py:square', cwd: TARGETS, python: 'no-such-python-here' });
    expect(process.command).toBe('no-such-python-here');
    await expect(process.start()).rejects.toThrow(/Cannot start no-such-python-here/);
  });
});

describe.skipIf(skipTargets)('Node targets', () => {
  /** A folder with `files` written in it, removed after the test. */
  function folderWith(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-target-'));
    tempDirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it('calls an export of FILE.mjs with args and returns its value', async () => {
    const { process, exitcode } = await run('tasks.mjs:square', { args: [9] });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toBe(81);
    expect(process.error).toBeNull();
  });

  it('passes kwargs as one more, last argument only when given', async () => {
    const scaled = await run('tasks.mjs:scaled', { args: [3], kwargs: { scale: 10, offset: 2 } });
    expect(scaled.process.returnValue).toEqual({ value: 32, pid: scaled.process.pid });
    const without = await run('tasks.mjs:argumentCount', { args: [1, 2] });
    expect(without.process.returnValue).toBe(2);
    const withEmpty = await run('tasks.mjs:argumentCount', { args: [1, 2], kwargs: {} });
    expect(withEmpty.process.returnValue).toBe(3);
  });

  it('awaits a promise, gives null for undefined, and ends even with a timer left running', async () => {
    const slow = await run('tasks.mjs:slowSquare', { args: [4] });
    expect(slow.process.returnValue).toBe(16);
    const nothing = await run('tasks.mjs:nothing');
    expect(nothing.exitcode).toBe(0);
    expect(nothing.process.returnValue).toBeNull();
    const timer = await run('tasks.mjs:leaveTimer');
    expect(timer.exitcode).toBe(0);
    expect(timer.process.returnValue).toBe('done');
  });

  it('constructs a class with args and kwargs and returns what run() resolves to', async () => {
    const { process, exitcode } = await run('tasks.mjs:Worker', { args: [5], kwargs: { step: 2 } });
    expect(exitcode).toBe(0);
    expect(process.returnValue).toEqual([5, 7]);
  });

  it('exits 1 on a rejection, with Process <name>: and the stack on stderr', async () => {
    const { process, exitcode, stderr } = await run('tasks.mjs:fail', { args: ['boom'], name: 'cruncher' });
    expect(exitcode).toBe(1);
    expect(stderr).toMatch(/^Process cruncher:\nRangeError: boom\n\s+at fail /);
    expect(process.returnValue).toBeUndefined();
    expect(process.error).toMatchObject({ type: 'RangeError', message: 'boom' });
    expect(process.error?.traceback).toContain('tasks.mjs');
  });

  it('exits n on process.exit(n) and -N on a signal', async () => {
    const three = await run('tasks.mjs:exitWith', { args: [3] });
    expect(three.exitcode).toBe(3);
    expect(three.process.error).toBeNull();
    expect(three.process.returnValue).toBeUndefined();
    const killed = await run('tasks.mjs:killSelf', { args: ['SIGTERM'] });
    expect(killed.exitcode).toBe(-15);
  });

  it('exits 1 with errors naming the file and export when the target cannot be loaded', async () => {
    const missingFile = await run('nowhere.mjs:square');
    expect(missingFile.exitcode).toBe(1);
    expect(missingFile.process.error?.type).toBe('FileNotFoundError');
    expect(missingFile.process.error?.message).toContain(`nowhere.mjs:square: no such file ${join(TARGETS, 'nowhere.mjs')}`);
    const missingExport = await run('tasks.mjs:cube');
    expect(missingExport.exitcode).toBe(1);
    expect(missingExport.process.error?.type).toBe('AttributeError');
    expect(missingExport.process.error?.message).toMatch(/tasks\.mjs:cube.*tasks\.mjs has no export 'cube'/);
    const cwd = folderWith({ 'broken.mjs': 'export function square(x) {\n  return x * ;\n}\n' });
    const syntax = await run('broken.mjs:square', { cwd });
    expect(syntax.exitcode).toBe(1);
    expect(syntax.process.error?.type).toBe('SyntaxError');
    expect(syntax.process.error?.message).toMatch(/broken\.mjs:square.*syntax error in .*broken\.mjs/);
  });

  it('exits 1 with an error naming the file and export when the module throws while it is imported', async () => {
    const { process, exitcode } = await run('throws-on-import.mjs:square');
    expect(exitcode).toBe(1);
    expect(process.error?.type).toBe('RangeError');
    expect(process.error?.message).toBe('cannot load throws-on-import.mjs:square: importing throws-on-import.mjs threw not today');
  });

  for (const [kind, what] of [
    ['set', 'a Set'],
    ['date', 'a Date'],
    ['bigint', 'a bigint'],
  ] as const) {
    it(`exits 1 with an error naming the type when the export returns ${what}`, async () => {
      const { process, exitcode } = await run('tasks.mjs:makeValue', { args: [kind] });
      expect(exitcode).toBe(1);
      expect(process.returnValue).toBeUndefined();
      expect(process.error?.message).toContain(`tasks.mjs:makeValue returned a value that JSON can't carry: the value is ${what}`);
    });
  }

  it('turns a returned value JSON cannot carry into an error naming its type', async () => {
    const map = await run('tasks.mjs:makeMap');
    expect(map.exitcode).toBe(1);
    expect(map.process.returnValue).toBeUndefined();
    expect(map.process.error?.type).toBe('TypeError');
    expect(map.process.error?.message).toMatch(/tasks\.mjs:makeMap returned a value that JSON can't carry: the value is a Map/);
    const nan = await run('tasks.mjs:makeNaN');
    expect(nan.process.error?.message).toMatch(/the value\[1\] is NaN/);
  });

  it('runs .cjs and CommonJS .js exports', async () => {
    const cwd = folderWith({
      'tasks.cjs': 'exports.square = (x) => x * x;\n',
      'lib.js': 'module.exports = { cube: (x) => x * x * x };\n',
      'package.json': '{ "type": "commonjs" }\n',
    });
    const cjs = await run('tasks.cjs:square', { cwd, args: [6] });
    expect(cjs.exitcode).toBe(0);
    expect(cjs.process.returnValue).toBe(36);
    const js = await run('lib.js:cube', { cwd, args: [2] });
    expect(js.exitcode).toBe(0);
    expect(js.process.returnValue).toBe(8);
  });

  it('uses the node option as the interpreter', async () => {
    const process = make({ target: 'tasks.mjs:square', cwd: TARGETS, node: 'no-such-node-here' });
    expect(process.command).toBe('no-such-node-here');
    await expect(process.start()).rejects.toThrow(/Cannot start no-such-node-here/);
  });
});

describe.skipIf(skipTargets)('Pool({ target }): the helpers serve a function, with no worker program to write', () => {
  const { make: makePool } = trackPools();

  for (const [language, file] of [
    ['Python', 'tasks.py'],
    ['Node', 'tasks.mjs'],
  ] as const) {
    it(`${language}: runs the initializer once per worker with initargs, and replaces workers after maxTasksPerChild`, async () => {
      const pool = makePool({
        processes: 2,
        target: `${file}:tagged`,
        initializer: `${file}:init`,
        initargs: ['ready'],
        cwd: TARGETS,
        maxTasksPerChild: 2,
      });
      expect(pool.target).toBe(`${file}:tagged`);
      const results = await pool.map<[string, number, number]>([1, 2, 3, 4, 5, 6], { chunksize: 1 });
      expect(results.map(([prefix, square]) => [prefix, square])).toEqual([1, 2, 3, 4, 5, 6].map((x) => ['ready', x * x]));
      const tasksPerPid = new Map<number, number>();
      for (const [, , pid] of results) tasksPerPid.set(pid, (tasksPerPid.get(pid) ?? 0) + 1);
      expect(Math.max(...tasksPerPid.values())).toBeLessThanOrEqual(2);
      expect(tasksPerPid.size).toBeGreaterThanOrEqual(3);
    });
  }

  it('Python: serves a class target, each task making an instance with args and kwargs and answering with run()', async () => {
    const pool = makePool({ processes: 1, target: 'pkg.shapes:area', cwd: TARGETS });
    expect(await pool.apply([3, 4])).toBe(12);
    const workers = makePool({ processes: 1, target: 'tasks.py:Worker', cwd: TARGETS });
    expect(await workers.apply([10], { step: 5 })).toEqual([10, 15]);
  });

  for (const [language, target] of [
    ['Python', 'tasks.py:set_for_odd'],
    ['Node', 'tasks.mjs:mapForOdd'],
  ] as const) {
    it(`${language}: answers a result JSON cannot carry with an error naming the type, and keeps serving`, async () => {
      const pool = makePool({ processes: 1, target, cwd: TARGETS });
      const error = await pool.apply([1]).then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).message).toMatch(language === 'Python' ? /\(set\)/ : /the value is a Map/);
      expect(await pool.apply([2])).toBe(2);
      const worker = (await startedWorkers(pool))[0]!;
      expect(worker.exitcode).toBeNull();
    });
  }

  it('fails a task with the helper\'s load error, naming the file, when the target cannot be loaded', async () => {
    const pool = makePool({ processes: 1, target: 'nowhere.py:square', cwd: TARGETS });
    await expect(pool.apply([1])).rejects.toThrow(/cannot load nowhere\.py:square: no such file/);
  });

  it('refuses bad target options, naming them', () => {
    expect(() => new Pool({ processes: 1 })).toThrow(/exactly one of `command`.*`target`/);
    expect(() => new Pool({ processes: 1, command: 'python3', target: 'tasks.py:square' })).toThrow(/exactly one of `command`.*`target`/);
    expect(() => new Pool({ processes: 1, target: 'tasks.py:square', mode: 'exec' })).toThrow(/worker mode/);
    expect(() => new Pool({ processes: 1, target: 'tasks.py' })).toThrow(/Pool: `target` must be FILE:ATTR/);
    expect(() => new Pool({ processes: 1, target: 'tasks.py:square', initializer: 'tasks.mjs:init' })).toThrow(/`initializer` must be a Python target/);
    expect(() => new Pool({ processes: 1, target: 'tasks.py:square', initializer: 'tasks.py:init', initargs: [Number.NaN] })).toThrow(
      /initargs\[0\] is NaN/,
    );
    expect(() => new Pool({ processes: 1, target: 'tasks.py:square', initargs: [1] })).toThrow(/`initargs` needs an `initializer`/);
  });
});
