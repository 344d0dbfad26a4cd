import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppBackend, type AppBackend } from '../../main/app/backend.js';
import { workspaceArgument } from '../../main/electron/launch-workspace.js';
import { createWorkspaceActions } from '../../main/electron/workspace-actions.js';

// File › Open / Save / Save As against a real backend; the native dialogs are answered by the test
// (Electron's binary cannot run here).

let dir: string;
let backend: AppBackend;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pooldeck-menu-workspace-'));
  backend = createAppBackend({ dataDir: join(dir, 'data'), workersDir: new URL('../../resources/workers/', import.meta.url).pathname, sampleIntervalMs: 60_000 });
});
afterEach(async () => {
  await backend.shutdown({ terminateAll: true, graceMs: 500 });
  await backend.dispose();
  await rm(dir, { recursive: true, force: true });
});

function actions(answers: { open?: string | null; save?: string | null }) {
  const events: string[] = [];
  const workspace = createWorkspaceActions({
    handlers: backend.handlers,
    pickToOpen: async () => answers.open ?? null,
    pickToSave: async () => answers.save ?? null,
    changed: () => events.push('changed'),
    showError: (title, message) => events.push(`${title}: ${message}`),
  });
  return { workspace, events };
}

describe('the workspace menu actions', () => {
  it('Open opens the chosen file; a cancelled dialog changes nothing; a bad file shows an error box naming its line', async () => {
    const path = join(dir, 'jobs.yaml');
    await writeFile(path, 'processes:\n  - name: a\n    command: "true"\n');
    const { workspace, events } = actions({ open: path });
    workspace.open();
    await workspace.done();
    expect(events).toEqual(['changed']);
    expect((await backend.handlers.getWorkspace({})).path).toBe(path);

    const cancelled = actions({ open: null });
    cancelled.workspace.open();
    await cancelled.workspace.done();
    expect(cancelled.events).toEqual([]);

    await writeFile(join(dir, 'bad.yaml'), 'processes:\n  - name: a\n    command: 3\n');
    workspace.openPath(join(dir, 'bad.yaml'));
    await workspace.done();
    expect(events[1]).toBe(`Could not open the workspace: ${join(dir, 'bad.yaml')}:3: processes[0] (a).command: command must be text`);
  });

  it('Save on an untitled workspace asks where (Save As), then writes the file', async () => {
    await backend.handlers.createProcess({ command: 'true', name: 'made-here' });
    const target = join(dir, 'saved.yaml');
    const { workspace, events } = actions({ save: target });
    workspace.save();
    await workspace.done();
    expect(events).toEqual(['changed']);
    expect(await readFile(target, 'utf8')).toContain('name: made-here');
    expect((await backend.handlers.listRecentWorkspaces({})).paths).toEqual([target]);
  });
});

describe('workspaceArgument', () => {
  it('finds the .yaml given after the executable, from where npm was started', () => {
    expect(workspaceArgument(['/opt/electron', '.', 'jobs.yaml'], { INIT_CWD: '/home/u/project' })).toBe('/home/u/project/jobs.yaml');
    expect(workspaceArgument(['/opt/pooldeck', '--smoke-test', '/abs/w.yml'], {})).toBe('/abs/w.yml');
    expect(workspaceArgument(['/opt/electron', '.'], {})).toBeNull();
  });
});
