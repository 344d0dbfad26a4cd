// The demo workspace's channel examples, the seeds' two: three processes put ['hello', n] into one
// queue and the app gets three; a process answers what the app sends on a pipe. They open the app's
// objects by name, as a program launched as a command does, so the Channels view shows them live.
// A third queue has a worker blocked getting from it: the view's Put feeds it work, and it counts
// what it did in a shared Value under the Value's lock.

import { join } from 'node:path';
import { defaultBroker, type Broker } from '../core/channels/broker.js';
import { Pipe, type Connection } from '../core/channels/pipe.js';
import { Queue } from '../core/channels/queue.js';
import { Value } from '../core/channels/shared-memory.js';
import { defaultPythonCommand } from '../core/python-command.js';
import type { ProcessSpec } from '../protocol/schemas.js';

export interface ChannelDemo {
  queue: Queue;
  /** The worker's queue: what the Channels view puts into it, the worker prints. */
  jobs: Queue;
  /** How many jobs the worker did. */
  jobsDone: Value;
  /** The end the app holds: the Channels view's console sends on it. */
  appEnd: Connection;
  /** Started at once. */
  processes: ProcessSpec[];
  /** The seeds' parent side: get three items, ask once on the pipe. Resolves with what came back. */
  runParent(): Promise<{ items: unknown[]; answer: unknown }>;
}

/** `preferred` when free, else the broker's next default name (`Queue-3`): a second demo run gets its own objects. */
function freeName(broker: Broker, preferred: string): string | undefined {
  return broker.get(preferred) === undefined ? preferred : undefined;
}

export function channelDemo(workersDir: string, broker?: Broker): ChannelDemo {
  const queue = new Queue({ name: freeName(broker ?? defaultBroker(), 'demo-queue'), broker });
  const jobs = new Queue({ name: freeName(queue.broker, 'demo-jobs'), broker: queue.broker });
  const jobsDone = new Value('i', 0, { name: freeName(queue.broker, 'demo-jobs-done'), broker: queue.broker });
  const [appEnd, childEnd] = Pipe({ name: freeName(queue.broker, 'demo-pipe'), broker: queue.broker });
  const python = (name: string, lines: string[], daemon = false): ProcessSpec => ({
    name,
    daemon,
    command: defaultPythonCommand(process.platform),
    args: ['-u', '-c', [`import sys; sys.path.insert(0, ${JSON.stringify(join(workersDir))})`, ...lines].join('\n')],
  });
  const producers = [1, 2, 3].map((n) =>
    python(`demo-queue-put-${n}`, ['from pooldeck_worker import queue', `q = queue(${JSON.stringify(queue.name)})`, `q.put(['hello', ${n}])`]),
  );
  const answerer = python(
    'demo-pipe-child',
    [
      'from pooldeck_worker import pipe',
      `conn = pipe(${JSON.stringify(childEnd.pipe.name)}, ${childEnd.end})`,
      // The seed answers once; this one answers every message, so the Channels view's console can talk to it.
      'while True:',
      '    try:',
      '        question = conn.recv()',
      '    except EOFError:',
      '        break',
      "    conn.send([42, None, 'hello', question])",
    ],
    true,
  );
  const worker = python(
    'demo-jobs-worker',
    [
      'from pooldeck_worker import queue, value',
      `jobs = queue(${JSON.stringify(jobs.name)})`,
      `done = value(${JSON.stringify(jobsDone.name)})`,
      'while True:',
      "    print('working on', jobs.get())",
      '    with done.get_lock():',
      '        done.value += 1',
    ],
    true,
  );
  return {
    queue,
    jobs,
    jobsDone,
    appEnd,
    processes: [...producers, answerer, worker],
    async runParent() {
      const items: unknown[] = [];
      for (let i = 0; i < 3; i += 1) items.push(await queue.get({ timeoutMs: 60_000 }));
      appEnd.send('how are you?');
      const answer = await appEnd.recv({ timeoutMs: 60_000 });
      return { items, answer };
    },
  };
}
