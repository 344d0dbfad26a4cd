// The app's file descriptors stay flat however many processes have ended: an ended process's log
// file is closed (its tail stays in memory), and log files are private to the user.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { hasProcfs, skipUnless } from '../helpers/platform.js';

const skipHere = skipUnless(hasProcfs, 'test/app/open-files.test.ts', "counts the app's open files in /proc/self/fd");

const app = useQuietSupervisor('pooldeck-fds-');

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Slack for fds the runtime opens on its own (libuv, vitest's worker channel). */
const SLACK = 20;

describe.skipIf(skipHere)('open files', () => {
  it('closes the log file of every process that ended: 300 processes leave the fd count near where it was', async () => {
    // Warm up: the first log creates the folder, the first spawn opens what libuv keeps.
    const warm = await app.supervisor.createProcess({ command: 'sh', args: ['-c', 'echo warm'] });
    await until(() => app.supervisor.snapshot().processes.find((row) => row.id === warm.id)?.state === 'exited', 'the warm-up process to end');
    await until(() => app.supervisor.readLogs(warm.id).lines.some((line) => line.text === 'exited with 0'), 'its exit line');
    const baseline = openFds();
    const ids: string[] = [];
    for (let i = 0; i < 300; i += 1) ids.push((await app.supervisor.createProcess({ command: 'sh', args: ['-c', `echo line ${i}`] })).id);
    await until(() => app.supervisor.snapshot().processes.filter((row) => row.state === 'exited').length === 301, 'all 300 to end', { timeoutMs: 60_000 });
    // Log writes trail the exits: wait for every file, so an fd not yet opened cannot pass for one closed.
    await until(() => readdirSync(join(app.dataDir, 'logs')).length === 301, 'the 300 log files', { timeoutMs: 30_000 });
    await until(() => (openFds() <= baseline + SLACK ? true : null), () => `the fd count back near ${baseline} (it is ${openFds()})`, { timeoutMs: 10_000 });
    // The tail stays readable after the file closed, and the file holds the output.
    expect(app.supervisor.readLogs(ids[299]).lines.map((line) => line.text)).toContain('line 299');
  }, 90_000);

  it('an exec pool of 500 echo tasks leaves the fd count near where it was', async () => {
    const baseline = openFds();
    const pool = app.supervisor.createPool({ processes: 4, command: 'echo', mode: 'exec' });
    app.supervisor.submitTasks(pool.id, Array.from({ length: 500 }, (_, i) => [String(i)]));
    await until(() => (app.supervisor.snapshot().pools[0].counts.done === 500 ? true : null), 'the 500 tasks to finish', { timeoutMs: 60_000 });
    await until(() => readdirSync(join(app.dataDir, 'logs')).length === 500, 'the 500 log files', { timeoutMs: 30_000 });
    await until(() => (openFds() <= baseline + SLACK ? true : null), () => `the fd count back near ${baseline} (it is ${openFds()})`, { timeoutMs: 10_000 });
  }, 90_000);

  it('writes log files readable by the user only, in folders of the user only', async () => {
    const created = await app.supervisor.createProcess({ command: 'sh', args: ['-c', 'echo secret'] });
    await until(() => app.supervisor.snapshot().processes.find((row) => row.id === created.id)?.state === 'exited', 'the process to end');
    const file = app.supervisor.readLogs(created.id).filePath!;
    await until(() => {
      try {
        return statSync(file).size > 0;
      } catch {
        return false;
      }
    }, 'the log file to be written');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(app.dataDir, 'logs')).mode & 0o777).toBe(0o700);
  });
});
