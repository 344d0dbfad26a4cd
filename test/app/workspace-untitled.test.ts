// The untitled workspace (no file opened or saved yet) with real processes: kept in the data folder,
// so a SIGKILL of the app loses none of its jobs; Save As moves it to the chosen file; the demo stays out.
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { workspaceBackends } from './workspace-backends.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/workspace-untitled.test.ts', 'its app (test/fixtures/untitled-workspace-app.ts) starts sleep');

const WORKERS_DIR = new URL('../../resources/workers/', import.meta.url).pathname;
const UNTITLED_APP = new URL('../fixtures/untitled-workspace-app.ts', import.meta.url).pathname;

let dir = '';
let dataDir = '';
let untitledPath = '';
const { launch, closeAll } = workspaceBackends(() => dataDir);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pooldeck-untitled-'));
  dataDir = join(dir, 'data');
  untitledPath = join(dataDir, 'workspaces', 'untitled.yaml');
});
afterEach(async () => {
  await closeAll();
  await rm(dir, { recursive: true, force: true });
});

const untitledText = () => readFile(untitledPath, 'utf8').catch(() => '');
const exists = (path: string) => access(path).then(() => true, () => false);

describe.skipIf(skipHere)('the untitled workspace', () => {
  it('keeps a job made in the UI after the app was SIGKILLed: the next launch lists it, not started', async () => {
    const app = spawn(process.execPath, ['--import', 'tsx', UNTITLED_APP, dataDir, WORKERS_DIR], { stdio: ['ignore', 'pipe', 'inherit'] });
    let jobPid: number | undefined;
    try {
      const lines = createInterface({ input: app.stdout! });
      jobPid = await new Promise<number>((resolve) => lines.once('line', (line) => resolve(Number(line))));
      // The debounced save: the kill comes once the job is on disk, not before it could be.
      await until(async () => (await untitledText()).includes('name: made-before-the-kill'), 'the job in untitled.yaml', { timeoutMs: 15_000 });
      app.kill('SIGKILL');
      await until(() => app.signalCode !== null, 'the app to end');
    } finally {
      if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
      // The app's child outlives a SIGKILL of the app until the orphan watchdog sees it; this test started it.
      try {
        if (jobPid !== undefined) process.kill(jobPid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }

    const next = launch();
    const workspace = await next.handlers.getWorkspace({});
    expect(workspace).toMatchObject({ path: null, error: null });
    expect(workspace.jobs).toEqual([{ name: 'made-before-the-kill', kind: 'process', autostart: false, summary: 'sleep 1000', rowId: null }]);
    expect((await next.handlers.getSnapshot({})).processes).toEqual([]);
    const started = await next.handlers.startWorkspaceJob({ name: 'made-before-the-kill' });
    const row = (await next.handlers.getSnapshot({})).processes.find((process) => process.id === started.id);
    expect(row).toMatchObject({ name: 'made-before-the-kill', command: 'sleep' });
  });

  it('moves to the chosen file on Save As: the untitled file is removed, and the next launch opens the chosen one', async () => {
    const first = launch();
    await first.handlers.getWorkspace({});
    await first.handlers.createProcess({ name: 'kept', command: 'true' });
    await until(async () => (await untitledText()).includes('name: kept'), 'kept in untitled.yaml');
    const path = join(dir, 'mine.yaml');
    expect(await first.handlers.saveWorkspaceAs({ path })).toMatchObject({ path, unsaved: false });
    expect(await exists(untitledPath)).toBe(false);
    await first.handlers.createProcess({ name: 'after-save-as', command: 'true' });
    await until(async () => (await readFile(path, 'utf8')).includes('name: after-save-as'), 'the later job in mine.yaml');
    await closeAll();
    expect(await exists(untitledPath)).toBe(false);

    const next = launch();
    const workspace = await next.handlers.getWorkspace({});
    expect(workspace.path).toBe(path);
    expect(workspace.jobs.map((job) => job.name)).toEqual(['kept', 'after-save-as']);
  });

  it('is still there, not overwritten, when the last workspace opened cannot be read at launch', async () => {
    await mkdir(join(dataDir, 'workspaces'), { recursive: true });
    await writeFile(untitledPath, 'processes:\n  - name: from-last-time\n    command: sleep\n    args: ["1"]\n');
    const broken = join(dir, 'gone.yaml');
    const next = launch(broken);
    const workspace = await next.handlers.getWorkspace({});
    expect(workspace.path).toBeNull();
    expect(workspace.error).toContain(broken);
    expect(workspace.jobs.map((job) => job.name)).toEqual(['from-last-time']);
    await next.handlers.createProcess({ name: 'another', command: 'true' });
    await until(async () => (await untitledText()).includes('name: another'), 'another in untitled.yaml');
    expect(await untitledText()).toContain('name: from-last-time');
  });

  it('leaves the demo out: its jobs go to the supervisor, not into the untitled workspace', async () => {
    const backend = launch();
    await backend.handlers.getWorkspace({});
    const demo = await backend.handlers.runDemo({});
    expect(demo.processIds.length).toBeGreaterThan(0);
    await backend.handlers.createProcess({ name: 'mine', command: 'true' });
    await until(async () => (await untitledText()).includes('name: mine'), 'mine in untitled.yaml');
    expect(await untitledText()).not.toContain('demo-');
    expect((await backend.handlers.getWorkspace({})).jobs.map((job) => job.name)).toEqual(['mine']);
  });
});
