import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProcessSpec } from '../../main/app/spec-check.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/spec-check.test.ts', 'checks executable bits (chmod) and finds sh on PATH, as Unix resolves a command');

// What would keep a New process spec from starting, found on the real file system and PATH before
// starting, so the form can say it at the field.

const folder = mkdtempSync(join(tmpdir(), 'pooldeck-spec-check-'));
writeFileSync(join(folder, 'script.sh'), '#!/bin/sh\necho hi\n');
writeFileSync(join(folder, 'run.sh'), '#!/bin/sh\necho hi\n');
chmodSync(join(folder, 'run.sh'), 0o755);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const check = (spec: Parameters<typeof checkProcessSpec>[0]) => checkProcessSpec(spec, { cwd: folder, env: process.env, platform: process.platform });

describe.skipIf(skipHere)('checkProcessSpec', () => {
  it('passes a program on PATH and an executable file relative to the working directory', () => {
    expect(check({ command: 'sh', args: ['-c', 'true'] })).toEqual([]);
    expect(check({ command: './run.sh', cwd: folder })).toEqual([]);
  });

  it('says a whole command line typed into Command belongs in two fields', () => {
    expect(check({ command: 'python3 x.py' })).toEqual([
      {
        field: 'command',
        message: 'Command is the program alone, and no program is named “python3 x.py”: to run `python3 x.py`, put `python3` in Command and `x.py` in Arguments',
      },
    ]);
  });

  it('names a program that is on no PATH folder', () => {
    expect(check({ command: 'pyhton3-not-here' })).toEqual([
      { field: 'command', message: 'no program named “pyhton3-not-here” on PATH: check the spelling, install it, or give its full path' },
    ]);
  });

  it('names a missing working directory, and a file given as one', () => {
    expect(check({ command: 'sh', cwd: 'nowhere' })).toEqual([
      { field: 'cwd', message: `no folder ${join(folder, 'nowhere')}: create it first, or leave the working directory empty for Pooldeck's own (${folder})` },
    ]);
    expect(check({ command: 'sh', cwd: 'run.sh' })[0]?.message).toMatch(/is a file, not a folder/);
  });

  it('says how to run a script that is not executable', () => {
    expect(check({ command: './script.sh' })[0]?.message).toMatch(/script\.sh is not executable: make it so \(chmod \+x\), or put its interpreter in Command/);
  });
});

// Windows, as parameters: the same check with Windows' lookup (PATH or Path split on `;`, .com and .exe
// appended, PATHEXT only to name what cmd.exe would run) over real folders holding Windows-named files.
describe('checkProcessSpec on Windows', () => {
  const bin = join(folder, 'win-bin');
  mkdirSync(bin);
  for (const file of ['python.EXE', 'tool.CMD', 'report.PS1']) writeFileSync(join(bin, file), '');
  writeFileSync(join(folder, 'job.py'), '');
  const onWindows = (spec: Parameters<typeof checkProcessSpec>[0]) =>
    checkProcessSpec(spec, { cwd: folder, env: { Path: bin, PATHEXT: '.COM;.EXE;.BAT;.CMD;.PS1' }, platform: 'win32' });

  it('passes python.EXE found through Path', () => {
    expect(onWindows({ command: 'python', args: ['job.py'] })).toEqual([]);
  });

  it('says a batch file runs through cmd.exe, and a script through its interpreter', () => {
    expect(onWindows({ command: 'tool' })).toEqual([
      { field: 'command', message: `“tool” is ${join(bin, 'tool.CMD')}, a batch file, which only cmd.exe runs: put cmd.exe in Command and /c tool.CMD (then its arguments) in Arguments` },
    ]);
    expect(onWindows({ command: 'report' })[0]?.message).toBe(
      `“report” is ${join(bin, 'report.PS1')}, which Windows opens by its file type, not as a program: put its interpreter in Command and the file in Arguments`,
    );
  });

  it('says a file that is no .exe or .com needs its interpreter', () => {
    expect(onWindows({ command: 'job.py' })).toEqual([
      {
        field: 'command',
        message: `${join(folder, 'job.py')} is not a program Windows starts by itself (an .exe or .com): put its interpreter in Command (python, node, or cmd.exe with /c for a .bat or .cmd) and the file in Arguments`,
      },
    ]);
  });

  it('names a missing program, a missing path, and a whole command line', () => {
    expect(onWindows({ command: 'python3' })[0]?.message).toBe('no program named “python3” on PATH: check the spelling, install it, or give its full path');
    expect(onWindows({ command: join(folder, 'nothing.exe') })[0]?.message).toBe(`no file ${join(folder, 'nothing.exe')}: check the path, or that it is relative to the working directory (${folder})`);
    expect(onWindows({ command: 'python job.py' })[0]?.message).toMatch(/^Command is the program alone/);
  });
});
