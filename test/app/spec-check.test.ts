import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const check = (spec: Parameters<typeof checkProcessSpec>[0]) => checkProcessSpec(spec, folder);

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
