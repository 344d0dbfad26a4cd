// The Supervisor serves the default broker's objects on its channel: a program it starts as a plain
// command (not a target) opens a queue by name and puts into it, and the app gets what it put; the
// seeds' multiprocessing programs, only their import line changed, run as commands.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultBroker } from '../../main/core/channels/broker.js';
import { Queue } from '../../main/core/channels/queue.js';
import { python } from '../helpers/platform.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const app = useQuietSupervisor('pooldeck-channel-objects-');
const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const CHANNEL_PROGRAMS = fileURLToPath(new URL('../fixtures/channels/', import.meta.url));

describe("the supervisor's channel objects", () => {
  it('lets a command open a queue by name', async () => {
    const jobs = new Queue({ name: `jobs-${process.pid}` });
    try {
      const program = `import sys; sys.path.insert(0, ${JSON.stringify(WORKERS)}); import pooldeck_worker; pooldeck_worker.queue(${JSON.stringify(jobs.name)}).put(["hello", 1])`;
      const row = await app.supervisor.createProcess({ command: python, args: ['-c', program] });
      expect(await jobs.get({ timeoutMs: 20_000 })).toEqual(['hello', 1]);
      expect(await app.supervisor.processOf(row.id).join()).toBe(0);
    } finally {
      jobs.close();
      jobs.broker.remove(jobs);
    }
  });

  it.each([
    ['seed_queue_program.py', "[['hello', 0], ['hello', 1], ['hello', 2]]"],
    ['seed_pipe_program.py', "[42, None, 'hello']"],
  ])("runs the seeds' %s as a command job: its Queue()/Pipe() is made in the app, and removed after", async (file, printed) => {
    const broker = defaultBroker();
    const before = new Set(broker.objects);
    const made = new Set<string>();
    const noteMade = (): void => broker.objects.filter((object) => !before.has(object)).forEach((object) => made.add(object.kind));
    broker.on('objects', noteMade);
    try {
      const row = await app.supervisor.createProcess({ command: python, args: [file], cwd: CHANNEL_PROGRAMS, env: { PYTHONPATH: WORKERS } });
      expect(await app.supervisor.processOf(row.id).join()).toBe(0);
      expect(app.supervisor.readLogs(row.id).lines.map((line) => line.text)).toContain(printed);
      expect([...made]).toEqual([file.includes('queue') ? 'queue' : 'pipe']);
      await until(() => broker.objects.length === before.size, 'what the program made is removed');
    } finally {
      broker.off('objects', noteMade);
    }
  });
});
