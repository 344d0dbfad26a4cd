import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WorkspaceFile, WorkspaceFileError } from '../../main/app/workspace/workspace-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pooldeck-workspace-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXAMPLE = `# My jobs: kept by hand, rewritten by Pooldeck.
processes:
  # The web server starts with the app.
  - name: web
    command: python3
    args: [-m, http.server, "8000"] # the port
    autostart: true
    restart: on-failure
  - name: tail
    command: tail
    args: [-f, /dev/null]

pools:
  - name: squares # four workers
    target: tasks.py:square
    processes: 4
    tasks: [[1], [2], [3]]

display:
  hideExited: false
`;

async function fileWith(text: string, name = 'workspace.yaml'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function errorOf(text: string): Promise<WorkspaceFileError> {
  const path = await fileWith(text);
  const error = await WorkspaceFile.load(path).then((file) => file.content()).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(WorkspaceFileError);
  return error as WorkspaceFileError;
}

describe('a workspace file', () => {
  it('reads processes, pools and display settings, checked with the protocol schemas', async () => {
    const file = await WorkspaceFile.load(await fileWith(EXAMPLE));
    const content = await file.content();
    expect(content.jobs.map((job) => [job.kind, job.name, job.autostart])).toEqual([
      ['process', 'web', true],
      ['process', 'tail', false],
      ['pool', 'squares', false],
    ]);
    expect(content.jobs[0]!.spec).toMatchObject({ command: 'python3', args: ['-m', 'http.server', '8000'], restart: 'on-failure' });
    expect(content.jobs[2]!.spec).toMatchObject({ target: 'tasks.py:square', processes: 4, tasks: [[1], [2], [3]] });
    expect(content.display).toEqual({ hideExited: false });
  });

  it('keeps every comment and the layout when the app adds and removes jobs and saves', async () => {
    const path = await fileWith(EXAMPLE);
    const file = await WorkspaceFile.load(path);
    file.addJob({ kind: 'process', name: 'worker', autostart: false, spec: { command: 'sleep', args: ['30'], env: { A: '1' } } });
    expect(file.removeJob('process', 'tail')).toBe(true);
    expect(file.removeJob('process', 'no-such-job')).toBe(false);
    await file.save();

    const text = await readFile(path, 'utf8');
    for (const comment of ['# My jobs: kept by hand, rewritten by Pooldeck.', '# The web server starts with the app.', '# the port', '# four workers']) {
      expect(text).toContain(comment);
    }
    expect(text).toContain('args: [ -m, http.server, "8000" ]');
    expect(text).toContain('  - name: worker\n    command: sleep\n    args: [ "30" ]\n    env:\n      A: "1"\n    autostart: false\n');
    expect(text).not.toContain('name: tail');

    const reread = await (await WorkspaceFile.load(path)).content();
    expect(reread.jobs.map((job) => job.name)).toEqual(['web', 'worker', 'squares']);
    expect(parse(text)).toMatchObject({ display: { hideExited: false } });
  });

  it('creates the section a first job of its kind needs', async () => {
    const path = join(dir, 'new.yaml');
    const file = WorkspaceFile.empty(path);
    file.addJob({ kind: 'pool', name: 'convert', autostart: true, spec: { processes: 2, command: 'echo', mode: 'exec', tasks: [['a'], ['b']] } });
    await file.save();
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^# A Pooldeck workspace/);
    const content = await (await WorkspaceFile.load(path)).content();
    expect(content.jobs).toEqual([{ kind: 'pool', name: 'convert', autostart: true, spec: { name: 'convert', processes: 2, command: 'echo', mode: 'exec', tasks: [['a'], ['b']] } }]);
  });

  it('reads a pool task file beside the workspace: JSON lists, or a line as one argument', async () => {
    await writeFile(join(dir, 'tasks.txt'), '[1, "a"]\n\nphoto 2.jpg\n');
    const file = await WorkspaceFile.load(await fileWith('pools:\n  - name: p\n    command: echo\n    mode: exec\n    processes: 1\n    taskFile: tasks.txt\n'));
    const [pool] = (await file.content()).jobs;
    expect(pool!.spec).toMatchObject({ tasks: [[1, 'a'], ['photo 2.jpg']] });
  });
});

describe('a workspace file error names the file, the line and the field', () => {
  it('a schema error at a nested field', async () => {
    const error = await errorOf(EXAMPLE.replace('restart: on-failure', 'restart: sometimes'));
    expect(error.message).toBe(`${join(dir, 'workspace.yaml')}:8: processes[0] (web).restart: restart must be 'no', 'on-failure' or 'always'`);
    expect(error.line).toBe(8);
  });

  it('an argument that is not text, in a block list', async () => {
    const error = await errorOf('processes:\n  - name: a\n    command: sleep\n    args:\n      - ok\n      - [2]\n');
    expect(error.line).toBe(6);
    expect(error.field).toBe('processes[0] (a).args[1]');
    expect(error.reason).toMatch(/arguments of a command are text/);
  });

  it('a field the forms do not have, at its key', async () => {
    const error = await errorOf('processes:\n  - name: a\n    command: sleep\n    user: www-data\n');
    expect([error.line, error.field, error.reason]).toEqual([4, 'processes[0] (a).user', 'unknown field user']);
  });

  it('neither command nor target, a missing name, a duplicate name, autostart not a boolean', async () => {
    expect((await errorOf('processes:\n  - name: a\n    args: [x]\n')).message).toMatch(/:2: processes\[0\] \(a\)\.command: give exactly one of command/);
    expect((await errorOf('processes:\n  - command: a\n')).message).toMatch(/:2: processes\[0\]: name is required/);
    expect((await errorOf('processes:\n  - {name: a, command: x}\npools:\n  - {name: a, command: y, processes: 1}\n')).message).toMatch(/:4: pools\[0\] \(a\)\.name: another job is already named a/);
    expect((await errorOf('pools:\n  - name: p\n    command: y\n    processes: 2\n    autostart: yes please\n')).message).toMatch(/:5: pools\[0\] \(p\)\.autostart: autostart must be true or false/);
  });

  it('display settings, unknown sections, YAML syntax and task files', async () => {
    expect((await errorOf('display:\n  theme: purple\n')).message).toMatch(/:2: display\.theme: theme must be 'system', 'light' or 'dark'/);
    expect((await errorOf('jobs:\n  - a\n')).message).toMatch(/:1: jobs: unknown section jobs/);
    expect((await errorOf('processes:\n  - name: a\n   command: [x\n')).message).toMatch(/workspace\.yaml:\d+: not valid YAML/);
    await writeFile(join(dir, 'bad.txt'), 'ok\n[1, 2\n');
    const taskFileError = await errorOf('pools:\n  - {name: p, command: echo, mode: exec, processes: 1, taskFile: bad.txt}\n');
    expect(taskFileError.message).toBe(`${join(dir, 'bad.txt')}:2: a line starting with [ must be a JSON list of arguments, e.g. [1, "a"]`);
  });

  it('a missing file', async () => {
    const error = await WorkspaceFile.load(join(dir, 'nope.yaml')).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/nope\.yaml: cannot read it: ENOENT/);
  });
});
