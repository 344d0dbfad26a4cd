import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';

// The worker helpers on their own, over a real channel on fd 3: a task whose argument (or result) is
// nested far deeper than any stack allows must fail as that task, and the worker must keep serving.

const workersDir = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const DEPTH = 100_000;

const helpers = {
  python: ['python3', '-c', `import sys; sys.path.insert(0, ${JSON.stringify(workersDir)}); from pooldeck_worker import serve; serve(lambda x: x)`],
  node: [process.execPath, '-e', `require(${JSON.stringify(workersDir + 'pooldeck-worker.cjs')}).serve((x) => x)`],
} as const;

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startWorker(argv: readonly string[]) {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env, POOLDECK_CHANNEL_FD: '3' } });
  started.push(child);
  const channel = child.stdio[3] as Duplex;
  channel.on('error', () => {});
  const messages: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: channel }).on('line', (line) => messages.push(JSON.parse(line) as Record<string, unknown>));
  return {
    child,
    messages,
    stderr: () => stderr,
    send: (message: string) => channel.write(`${message}\n`),
    answerTo: (type: string, id: number) =>
      until(() => messages.find((message) => message.type === type && message.id === id), () => `answer ${id} (stderr: ${stderr.slice(-300)})`),
  };
}

const deepValue = '['.repeat(DEPTH) + ']'.repeat(DEPTH);

describe.each(Object.entries(helpers))('the %s worker helper', (_language, argv) => {
  it('answers a task nested 100,000 levels deep with an error result and keeps serving', async () => {
    const worker = startWorker(argv);
    await until(() => worker.messages.find((message) => message.type === 'ready'), 'the ready line');
    worker.send(`{"type":"task","id":1,"args":[${deepValue}]}`);
    worker.send(`{"type":"batch","id":2,"items":[1,${deepValue}]}`);
    worker.send('{"type":"task","id":3,"args":[7]}');
    expect(await worker.answerTo('result', 1)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/deep|recursion|call stack/i) } });
    expect(await worker.answerTo('batch_result', 2)).toMatchObject({ ok: false });
    expect(await worker.answerTo('result', 3)).toMatchObject({ ok: true, value: 7 });
    expect(worker.child.exitCode).toBeNull();
  });
});
