import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../main/server/options.js';
import { startServedApp, type ServedApp } from '../e2e/harness.js';
import { until } from '../helpers/until.js';

// `npm run serve -- path/to/workspace.yaml` (and `npm start -- …`, which runs the same server when
// Electron is missing): the positional argument opens that workspace.

const started: ServedApp[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const app of started.splice(0)) await app.stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function workspaceFile(text: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'pooldeck-cli-workspace-'));
  folders.push(folder);
  const path = join(folder, 'jobs.yaml');
  writeFileSync(path, text);
  return path;
}

describe('the workspace argument', () => {
  it('is resolved from where npm was started (npm runs scripts in the package folder)', () => {
    expect(parseCliArgs(['jobs.yaml'], { INIT_CWD: '/home/u/project' })).toMatchObject({ workspace: '/home/u/project/jobs.yaml' });
    expect(parseCliArgs(['--port', '0', '/abs/w.yaml'], {})).toMatchObject({ port: 0, workspace: '/abs/w.yaml' });
    expect(parseCliArgs([], {})).toMatchObject({ workspace: null });
  });

  it('opens the workspace in the real server: its autostart job runs, the other waits', async () => {
    const path = workspaceFile('processes:\n  - name: ticker\n    command: sleep\n    args: ["30"]\n    autostart: true\n  - name: later\n    command: sleep\n    args: ["30"]\n');
    const app = await startServedApp({ args: ['--port', '0', path] });
    started.push(app);
    const workspace = await app.command<{ path: string; jobs: { name: string; rowId: string | null }[] }>('getWorkspace');
    expect(workspace.value?.path).toBe(path);
    expect(workspace.value?.jobs.map((job) => [job.name, job.rowId !== null])).toEqual([['ticker', true], ['later', false]]);
    await until(async () => {
      const snapshot = await app.command<{ processes: { name: string; state: string }[] }>('getSnapshot');
      return snapshot.value?.processes.some((row) => row.name === 'ticker' && row.state === 'running');
    }, 'ticker running');
  });

  it('says on stderr, with file and line, why a workspace cannot be opened, and serves anyway', async () => {
    const path = workspaceFile('processes:\n  - name: a\n    command: sleep\n    daemon: maybe\n');
    const app = await startServedApp({ args: ['--port', '0', path] });
    started.push(app);
    expect(app.stderr()).toContain(`warning: ${path}:4: processes[0] (a).daemon: daemon must be true or false`);
  });
});
