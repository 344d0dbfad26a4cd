// Whole multiprocessing programs with only their import line changed (from multiprocessing import … →
// from pooldeck_worker import …), run as commands with the channel: their Queue(), Pipe(), Value()…
// are made in the app, their Process() children started by the helper. Without the app they run on
// multiprocessing itself.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelServer } from '../../main/core/channel-server.js';
import { Process } from '../../main/core/process.js';
import { CHANNEL_TARGETS, openChannel } from '../fixtures/channels-harness.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { until } from '../helpers/until.js';

const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const started: Process[] = [];

afterEach(() => killAndClose(started));

/** Runs `python3 FILE` from test/fixtures/channels (with the channel when `server` is given); its exit code and output. */
async function runProgram(file: string, server: ChannelServer | null): Promise<{ exitcode: number; stdout: string; stderr: string }> {
  const process = new Process({
    command: 'python3',
    args: [file],
    cwd: CHANNEL_TARGETS,
    env: { PYTHONPATH: WORKERS },
    ...(server ? { channelServer: server } : {}),
  });
  started.push(process);
  const output = { stdout: '', stderr: '' };
  process.on('output', (stream, chunk) => {
    output[stream] += chunk.toString('utf8');
  });
  await process.start();
  const exitcode = (await process.join()) ?? -1;
  return { exitcode, ...output };
}

describe('multiprocessing programs with the import line changed', () => {
  it("runs the seeds' Queue program: three Process children put, the parent gets three", async () => {
    const { server, broker } = await openChannel();
    const ran = await runProgram('seed_queue_program.py', server);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe("[['hello', 0], ['hello', 1], ['hello', 2]]\n");
    expect(ran.exitcode).toBe(0);
    // The queue the program made was the app's, and is gone once nobody uses it.
    await until(() => broker.objects.length === 0, 'the queue is removed');
  });

  it("runs the seeds' Pipe program: the child sends, the parent receives", async () => {
    const { server, broker } = await openChannel();
    const ran = await runProgram('seed_pipe_program.py', server);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe("[42, None, 'hello']\n");
    expect(ran.exitcode).toBe(0);
    await until(() => broker.objects.length === 0, 'the pipe is removed');
  });

  it("behaves as multiprocessing.Process (name, pid, join, exit codes, terminate) with the app's Value, Array, Lock, Pipe, Queue, Event", async () => {
    const { server } = await openChannel();
    const ran = await runProgram('process_api.py', server);
    expect(ran.exitcode, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({
      before: ['quiet', null, null, false],
      returns: [0, false, true],
      exitcodes: [1, 3, 1],
      event: true,
      alive_after_join_timeout: true,
      terminated: true,
      value: 400,
      array_pid: true,
      pipe: [2, 'aa'],
      queue: true,
      rlock: true,
      semaphore: [true, true, false],
    });
    // Each child imported the program as __mp_main__ (its __main__ block did not run again).
    const imports = ran.stderr.split('\n').filter((line) => line.startsWith('imported'));
    expect(imports[0]).toBe('imported __main__');
    expect(imports.slice(1).every((line) => line === 'imported __mp_main__')).toBe(true);
    expect(ran.stderr).toMatch(/Process Process-2:\nTraceback[\s\S]*ValueError: boom/);
    expect(ran.stderr).toContain('bye\n');
  }, 60_000);

  it('falls back to multiprocessing itself without the app (no POOLDECK_ADDRESS)', async () => {
    const queue = await runProgram('seed_queue_program.py', null);
    expect([queue.exitcode, queue.stdout]).toEqual([0, "[['hello', 0], ['hello', 1], ['hello', 2]]\n"]);
    const pipe = await runProgram('seed_pipe_program.py', null);
    expect([pipe.exitcode, pipe.stdout]).toEqual([0, "[42, None, 'hello']\n"]);
  });
});
