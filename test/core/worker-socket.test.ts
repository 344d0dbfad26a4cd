// The worker protocol over a socket (Windows' transport), run here for real by forcing it on Linux with
// POOLDECK_WORKER_TRANSPORT=socket in the pool's env: Python and Node helper workers connect to their own
// listener, prove their authkey, and serve tasks as on fd 3; a worker killed mid-task is replaced; a
// connection without the key is refused; terminate leaves nothing behind.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Process, WorkerLostError } from '../../main/core/index.js';
import { chooseWorkerTransport, WorkerSocketListener } from '../../main/core/worker-socket.js';
import { encodeFrame } from '../../main/core/channel-handshake.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { nodePool, pyPool, startedWorkers, trackPools, until } from '../fixtures/pool-harness.js';

const { make } = trackPools();
const SOCKET = { POOLDECK_WORKER_TRANSPORT: 'socket' };

describe.each([
  ['Python', pyPool],
  ['Node', nodePool],
] as const)('a %s helper pool over sockets', (language, poolOf) => {
  it('maps tasks over each worker’s authenticated socket, with no fd 3', async () => {
    const pool = make(poolOf({ processes: 2, env: SOCKET }));
    const workers = await startedWorkers(pool);
    expect(workers.map((worker) => worker.channelTransport)).toEqual(['socket', 'socket']);
    const doubles = Array.from({ length: 200 }, (_, i) => ['double', i]);
    const expected = doubles.map(([, i]) => (i as number) * 2);
    // In batches (the default chunks), then one task per item.
    expect(await pool.starmap(doubles)).toEqual(expected);
    expect(await pool.starmap(doubles, { chunksize: 1 })).toEqual(expected);
    expect(await pool.starmap([['echo', 1, 'two']])).toEqual([[1, 'two']]);
  });

  it('fails the task of a worker killed mid-task, replaces it, and goes on', async () => {
    const pool = make(poolOf({ processes: 1, env: SOCKET }));
    const [first] = await startedWorkers(pool);
    await expect(pool.apply(['kill-self'])).rejects.toBeInstanceOf(WorkerLostError);
    await until(() => pool.workers.length === 1 && pool.workers[0] !== first, 'a new worker');
    expect(pool.workers[0]!.channelTransport).toBe('socket');
    expect(await pool.apply(['double', 5])).toBe(10);
  });

  it('terminate ends every worker, even one busy with a task', async () => {
    const pool = make(poolOf({ processes: 2, env: SOCKET }));
    await startedWorkers(pool);
    const busy = pool.applyAsync(['sleep', language === 'Python' ? 30 : 30_000]);
    await until(() => pool.counts.running === 1, 'the task to run');
    await pool.terminate();
    expect(pool.workers).toEqual([]);
    await expect(busy.get()).rejects.toThrow();
  });
});

describe('choosing the transport', () => {
  it('uses a socket on Windows and fd 3 elsewhere unless POOLDECK_WORKER_TRANSPORT says otherwise', () => {
    expect(chooseWorkerTransport(undefined, 'win32')).toBe('socket');
    expect(chooseWorkerTransport(undefined, 'linux')).toBe('fd3');
    expect(chooseWorkerTransport(SOCKET, 'linux')).toBe('socket');
    expect(chooseWorkerTransport({ POOLDECK_WORKER_TRANSPORT: 'fd3' }, 'win32')).toBe('fd3');
    expect(() => chooseWorkerTransport({ POOLDECK_WORKER_TRANSPORT: 'pipe' }, 'linux')).toThrow(/must be "fd3" or "socket" \(got "pipe"\)/);
  });

  it('keeps targets on fd 3, and says so on the Process', () => {
    const target = new Process({ target: 'x.py:f', env: SOCKET });
    const worker = new Process({ command: 'true', channel: true, env: SOCKET });
    const plain = new Process({ command: 'true' });
    expect([target.channelTransport, worker.channelTransport, plain.channelTransport]).toEqual(['fd3', 'socket', null]);
  });
});

describe('the worker’s listener', () => {
  it('refuses a connection without the key and still takes the worker’s', async () => {
    const listener = new WorkerSocketListener(Buffer.alloc(32, 7));
    try {
      const stranger = connect(listener.address);
      // Answer the challenge with garbage: refused, and the socket is closed.
      stranger.once('data', () => stranger.write(encodeFrame(Buffer.from('{sha256}' + 'x'.repeat(32)))));
      await new Promise((resolve) => stranger.once('close', resolve));
      const worker = new Process({ command: 'python3', args: ['test/fixtures/py-worker.py'], channel: true, env: SOCKET, authkey: Buffer.alloc(32, 7) });
      const started: Process[] = [worker];
      try {
        await worker.start();
        const channel = await worker.channelReady;
        expect(channel).not.toBeNull();
        channel!.setEncoding('utf8');
        let text = '';
        channel!.on('data', (chunk: string) => (text += chunk));
        channel!.resume();
        channel!.write('{"type":"task","id":1,"args":["double",4]}\n');
        await until(() => text.includes('"id":1'), 'the answer');
        expect(text).toContain('{"type":"ready"');
        expect(text).toContain('{"type":"result","id":1,"ok":true,"value":8}');
      } finally {
        await killAndClose(started);
      }
    } finally {
      listener.close();
    }
  });
});
