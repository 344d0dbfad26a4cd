// The demo's channel examples with real Python processes: the seeds' Queue example (three processes
// put ['hello', n], the app gets three) and Pipe example (the app asks, the child answers).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { channelDemo } from '../../main/app/demo-channels.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const app = useQuietSupervisor('pooldeck-demo-channels-');
const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));

describe("the demo's channel examples", () => {
  it('runs the seeds\' Queue and Pipe examples against real processes', async () => {
    const demo = channelDemo(WORKERS);
    try {
      const ids: Record<string, string> = {};
      for (const spec of demo.processes) ids[spec.name!] = (await app.supervisor.createProcess(spec)).id;
      const { items, answer } = await demo.runParent();
      expect(items.map((item) => JSON.stringify(item)).sort()).toEqual(['["hello",1]', '["hello",2]', '["hello",3]']);
      expect(answer).toEqual([42, null, 'hello', 'how are you?']);
      // The child keeps answering: the Channels view's console talks to it on the app's end.
      await expect(app.supervisor.channelActions.sendOnPipe(demo.appEnd.pipe.name, demo.appEnd.end, 'again', 20_000)).resolves.toEqual({
        replied: true,
        reply: [42, null, 'hello', 'again'],
      });
      // The worker takes what the view puts.
      app.supervisor.channelActions.putQueueItem(demo.jobs.name, ['job', 1]);
      const worker = ids['demo-jobs-worker']!;
      while (!app.supervisor.readLogs(worker).lines.some((line) => line.text === "working on ['job', 1]")) await new Promise((resolve) => setTimeout(resolve, 20));
      while (demo.jobsDone.value !== 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      demo.jobsDone.close();
      demo.jobs.close();
      demo.jobs.broker.remove(demo.jobs);
      demo.queue.close();
      demo.queue.broker.remove(demo.queue);
      demo.appEnd.close();
      demo.appEnd.pipe.broker.remove(demo.appEnd.pipe);
    }
  });
});
