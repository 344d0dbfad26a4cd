import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceFile } from '../../main/app/workspace/workspace-file.js';
import { until } from '../helpers/until.js';

const SAVER = fileURLToPath(new URL('../fixtures/workspace-saver.ts', import.meta.url));

let saver: ChildProcess | null = null;
let dir = '';
afterEach(async () => {
  if (saver?.pid !== undefined && saver.exitCode === null && saver.signalCode === null) {
    saver.kill('SIGKILL');
    await new Promise((resolve) => saver!.once('exit', resolve));
  }
  saver = null;
  await rm(dir, { recursive: true, force: true });
});

describe('a workspace saved atomically', () => {
  it('is never corrupt when the app is SIGKILLed while saving it (three kills at different moments)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pooldeck-workspace-crash-'));
    const path = join(dir, 'workspace.yaml');
    await writeFile(path, '# kept across every save\nprocesses:\n  - name: web\n    command: sleep\n    args: ["30"]\n');
    for (let kill = 1; kill <= 3; kill++) {
      const child = spawn(process.execPath, ['--import', 'tsx', SAVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      saver = child;
      let saves = 0;
      child.stdout!.on('data', (chunk: Buffer) => {
        saves += chunk.toString().split('\n').filter((line) => line.startsWith('saved')).length;
      });
      // Kill after a different number of saves each time: the moment in the write differs too.
      await until(() => saves >= kill * 2, `${kill * 2} saves`, { timeoutMs: 30_000 });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const content = await (await WorkspaceFile.load(path)).content();
      expect(content.jobs[0]!.name).toBe('web');
      // A whole save only: the file's own job and the 50 of one round, never a part of a round.
      expect(content.jobs.length).toBe(51);
    }
    // A kill between writing and renaming leaves a temporary file beside it at most, never in its place.
    expect((await readdir(dir)).filter((name) => !name.startsWith('.'))).toEqual(['workspace.yaml']);
  });
});
