import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandFailure } from '../../main/protocol/errors.js';
import { until } from '../helpers/until.js';
import { workspaceBackends } from './workspace-backends.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/workspace-store.test.ts', "its workspace's jobs are sleep and true, started for real");

let dir: string;
let dataDir: string;
const { launch, closeAll } = workspaceBackends(() => dataDir);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pooldeck-workspace-'));
  dataDir = join(dir, 'data');
});
afterEach(async () => {
  await closeAll();
  await rm(dir, { recursive: true, force: true });
});

const WORKSPACE = `# Two jobs; only the first starts with the app.
processes:
  - name: server # starts at once
    command: sleep
    args: ["30"]
    autostart: true
  - name: on-demand
    command: sleep
    args: ["30"]
pools:
  - name: squares
    command: sh
    args: [-c, "echo {}"]
    mode: exec
    processes: 1
    tasks: [[a]]
`;

async function failureOf(work: Promise<unknown>): Promise<CommandFailure['error']> {
  const error = await work.then(() => null, (caught: unknown) => caught);
  return (error as CommandFailure).error;
}

describe.skipIf(skipHere)('the workspace at launch', () => {
  it('reopens the last workspace: autostart jobs start (real processes), the others are listed as not started', async () => {
    const path = join(dir, 'jobs.yaml');
    await writeFile(path, WORKSPACE);
    const first = launch();
    await first.handlers.openWorkspace({ path });
    await closeAll();

    const backend = launch();
    const workspace = await backend.handlers.getWorkspace({});
    expect(workspace.path).toBe(path);
    expect(workspace.error).toBeNull();
    const [server, onDemand, squares] = workspace.jobs;
    expect(server).toMatchObject({ name: 'server', kind: 'process', autostart: true, summary: 'sleep 30' });
    expect(server!.rowId).not.toBeNull();
    expect([onDemand!.rowId, squares!.rowId]).toEqual([null, null]);
    expect(squares!.summary).toBe('sh -c echo {} · pool of 1, exec mode');

    const snapshot = await backend.handlers.getSnapshot({});
    expect(snapshot.processes.map((row) => [row.name, row.state])).toEqual([['server', 'running']]);
    expect(snapshot.pools).toEqual([]);
    // A job without a cwd runs in the workspace's folder.
    expect(snapshot.processes[0]!.cwd).toBe(dir);

    const { id } = await backend.handlers.startWorkspaceJob({ name: 'on-demand' });
    await until(() => backend.supervisor.snapshot().processes.find((row) => row.id === id)?.state === 'running', 'on-demand running');
    expect((await backend.handlers.getWorkspace({})).jobs[1]!.rowId).toBe(id);
    expect(await failureOf(backend.handlers.startWorkspaceJob({ name: 'on-demand' }))).toMatchObject({ code: 'conflict', message: 'on-demand is already running' });
    expect(await failureOf(backend.handlers.startWorkspaceJob({ name: 'nope' }))).toMatchObject({ code: 'not_found' });

    // Remove from the Not started list: refused while the job runs; a job not started leaves the file.
    expect(await failureOf(backend.handlers.removeWorkspaceJob({ name: 'server' }))).toMatchObject({ code: 'conflict' });
    const info = await backend.handlers.removeWorkspaceJob({ name: 'squares' });
    expect(info.jobs.map((job) => job.name)).toEqual(['server', 'on-demand']);
    await until(async () => !(await readFile(path, 'utf8')).includes('squares'), 'squares gone from the file');
    expect(await readFile(path, 'utf8')).toContain('# starts at once');
  });

  it('opens the workspace given on the command line, and says why one cannot be read (file:line: field)', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'processes:\n  - name: a\n    command: sleep\n    restart: sometimes\n');
    const backend = launch(path);
    const workspace = await backend.handlers.getWorkspace({});
    expect(workspace.path).toBeNull();
    expect(workspace.error).toBe(`${path}:4: processes[0] (a).restart: restart must be 'no', 'on-failure' or 'always'`);
    expect(await failureOf(backend.handlers.openWorkspace({ path }))).toMatchObject({ code: 'invalid', field: 'path' });
  });
});

describe.skipIf(skipHere)('changes made in the UI', () => {
  it('are saved into the workspace file a moment later, comments kept; a removed job leaves it', async () => {
    const path = join(dir, 'jobs.yaml');
    await writeFile(path, WORKSPACE);
    const backend = launch(path);
    await backend.handlers.getWorkspace({});

    const created = await backend.handlers.createProcess({ command: 'sleep', args: ['1'], name: 'made-in-ui' });
    expect((await backend.handlers.getWorkspace({})).jobs.map((job) => job.name)).toContain('made-in-ui');
    const saved = await until(async () => {
      const text = await readFile(path, 'utf8');
      return text.includes('name: made-in-ui') && text;
    }, 'the new job in the file');
    expect(saved).toContain('# Two jobs; only the first starts with the app.');
    expect(saved).toContain('# starts at once');
    expect((await backend.handlers.getWorkspace({})).unsaved).toBe(false);

    await until(() => backend.supervisor.snapshot().processes.find((row) => row.id === created.id)?.state === 'exited', 'made-in-ui exited');
    await backend.handlers.remove({ id: created.id });
    await until(async () => !(await readFile(path, 'utf8')).includes('made-in-ui'), 'the removed job gone from the file');
    expect((await readFile(path, 'utf8'))).toContain('# starts at once');

    const pool = await backend.handlers.createPool({ processes: 1, command: 'true', mode: 'exec' });
    const poolName = pool.row.name;
    await until(async () => (await readFile(path, 'utf8')).includes(`name: ${poolName}`), 'the new pool in the file');
  });

  it('an untitled workspace asks for Save As; then it is a file, first in the recent list', async () => {
    const backend = launch();
    await backend.handlers.createProcess({ command: 'true', name: 'one' });
    expect((await backend.handlers.getWorkspace({})).unsaved).toBe(true);
    expect(await failureOf(backend.handlers.saveWorkspace({}))).toMatchObject({ code: 'conflict' });
    const path = join(dir, 'saved.yaml');
    const info = await backend.handlers.saveWorkspaceAs({ path });
    expect(info).toMatchObject({ path, unsaved: false });
    expect(await readFile(path, 'utf8')).toContain('name: one');
    expect((await backend.handlers.listRecentWorkspaces({})).paths).toEqual([path]);
  });

  it('imports a Procfile as jobs that are not started', async () => {
    const procfile = join(dir, 'Procfile');
    await writeFile(procfile, 'web: sleep 30\nclock: echo $HOME | tee out.txt\n');
    const backend = launch();
    const result = await backend.handlers.importJobs({ path: procfile, format: 'procfile' });
    expect(result.added).toEqual(['web', 'clock']);
    expect(result.notes).toEqual(['web: split into program and arguments (shell quoting rules)', 'clock: runs through sh -c because it uses shell syntax ($)']);
    expect(result.workspace.jobs.map((job) => [job.name, job.rowId])).toEqual([['web', null], ['clock', null]]);
    expect((await backend.handlers.getSnapshot({})).processes).toEqual([]);
  });
});
