// The Supervisor serves the default broker's objects on its channel: a program it starts as a plain
// command (not a target) opens a queue by name and puts into it, and the app gets what it put.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Queue } from '../../main/core/channels/queue.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const app = useQuietSupervisor('pooldeck-channel-objects-');
const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));

describe("the supervisor's channel objects", () => {
  it('lets a command open a queue by name', async () => {
    const jobs = new Queue({ name: `jobs-${process.pid}` });
    try {
      const program = `import sys; sys.path.insert(0, ${JSON.stringify(WORKERS)}); import pooldeck_worker; pooldeck_worker.queue(${JSON.stringify(jobs.name)}).put(["hello", 1])`;
      const row = await app.supervisor.createProcess({ command: 'python3', args: ['-c', program] });
      expect(await jobs.get({ timeoutMs: 20_000 })).toEqual(['hello', 1]);
      expect(await app.supervisor.processOf(row.id).join()).toBe(0);
    } finally {
      jobs.close();
      jobs.broker.remove(jobs);
    }
  });
});
