import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookUpProgram } from '../../main/app/program-lookup.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

// Which file starting a job would run, on real folders: Windows' lookup given as parameters (it runs
// on every platform, over files named as Windows installs name them), Unix's for real where it runs.

const root = mkdtempSync(join(tmpdir(), 'pooldeck-program-lookup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folderWith(name: string, files: string[]): string {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  for (const file of files) writeFileSync(join(folder, file), '');
  return folder;
}

describe('lookUpProgram on Windows', () => {
  const cwd = folderWith('work', ['tool.exe', 'job.py']);
  const python = folderWith('Python312', ['python.EXE', 'python3.12.exe', 'pythonw.exe']);
  const tools = folderWith('tools', ['tool.exe', 'both.exe', 'both.COM', 'build.CMD', 'only.ps1', 'only.exe.txt']);
  const empty = folderWith('empty', []);
  mkdirSync(join(tools, 'folder.exe'));
  const windows = (command: string, env: Record<string, string | undefined>) => lookUpProgram(command, { platform: 'win32', env, cwd });

  it('reads PATH under any spelling of its name, split on `;`, quotes and empty entries skipped', () => {
    expect(windows('python', { Path: `;"${empty}";${python}` })).toEqual({ kind: 'program', path: join(python, 'python.EXE') });
    expect(windows('python', { path: python })).toEqual({ kind: 'program', path: join(python, 'python.EXE') });
    expect(windows('python', { PATH: `${empty}:${python}` }).kind).toBe('missing');
  });

  it('takes, of PATH and Path, the first in sorted order, as Node passes the child', () => {
    expect(windows('python', { Path: python, PATH: empty }).kind).toBe('missing');
    expect(windows('python', { Path: empty, PATH: python }).kind).toBe('program');
  });

  it('looks in the working directory before PATH', () => {
    expect(windows('tool', { PATH: tools })).toEqual({ kind: 'program', path: join(cwd, 'tool.exe') });
  });

  it('appends .com before .exe, and tries an extension given first as it is', () => {
    expect(windows('both', { PATH: tools })).toEqual({ kind: 'program', path: join(tools, 'both.COM') });
    expect(windows('python.exe', { PATH: python })).toEqual({ kind: 'program', path: join(python, 'python.EXE') });
    expect(windows('python3.12', { PATH: python })).toEqual({ kind: 'program', path: join(python, 'python3.12.exe') });
  });

  it('skips a folder named like a program', () => {
    expect(windows('folder', { PATH: tools })).toEqual({ kind: 'missing', path: null, shellOnly: null });
  });

  it('names what only cmd.exe would find through PATHEXT, which spawn does not run', () => {
    expect(windows('build', { PATH: tools })).toEqual({ kind: 'missing', path: null, shellOnly: join(tools, 'build.CMD') });
    expect(windows('only', { PATH: tools, PATHEXT: '.COM;.EXE;.PS1' })).toEqual({ kind: 'missing', path: null, shellOnly: join(tools, 'only.ps1') });
    // Without PATHEXT, cmd.exe's own list: .COM;.EXE;.BAT;.CMD.
    expect(windows('only', { PATH: tools })).toEqual({ kind: 'missing', path: null, shellOnly: null });
  });

  it('stops at a file that is no .exe or .com, as spawn would, which then cannot start it', () => {
    expect(windows('job.py', { PATH: tools })).toEqual({ kind: 'not-a-program', path: join(cwd, 'job.py') });
  });

  it('takes a command with a separator as a path, in its own folder only', () => {
    expect(windows(join(python, 'python'), { PATH: empty })).toEqual({ kind: 'program', path: join(python, 'python.EXE') });
    expect(windows(join(tools, 'python'), { PATH: python })).toEqual({ kind: 'missing', path: join(tools, 'python'), shellOnly: null });
  });
});

describe.skipIf(skipUnless(unixLike, 'test/app/program-lookup.test.ts', 'Unix lookups need executable bits (chmod)'))('lookUpProgram on Unix', () => {
  const cwd = folderWith('unix-work', ['run.sh', 'plain.sh']);
  const bin = folderWith('unix-work/bin', ['tool', 'notes']);
  const early = folderWith('unix-early', ['tool']);
  chmodSync(join(cwd, 'run.sh'), 0o755);
  chmodSync(join(bin, 'tool'), 0o755);
  const unix = (command: string, path: string) => lookUpProgram(command, { platform: process.platform, env: { PATH: path }, cwd });

  it('finds an executable on PATH, skipping a file that is not, and counts relative folders from the working directory', () => {
    expect(unix('tool', `${early}:bin`)).toEqual({ kind: 'program', path: join(bin, 'tool') });
    expect(unix('notes', bin)).toEqual({ kind: 'missing', path: null, shellOnly: null });
    expect(unix('sh', process.env.PATH ?? '').kind).toBe('program');
  });

  it('takes a command with a slash from the working directory', () => {
    expect(unix('./run.sh', '')).toEqual({ kind: 'program', path: join(cwd, 'run.sh') });
    expect(unix('./plain.sh', '')).toEqual({ kind: 'not-a-program', path: join(cwd, 'plain.sh') });
    expect(unix('./bin', '')).toEqual({ kind: 'folder', path: bin });
    expect(unix('./gone', '')).toEqual({ kind: 'missing', path: join(cwd, 'gone'), shellOnly: null });
  });
});
