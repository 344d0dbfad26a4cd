// The Node helper's channel objects: the same objects as Python's, camelCase, promises where they block.
import { describe, expect, it } from 'vitest';
import { Event } from '../../main/core/channels/event.js';
import { Lock, Semaphore } from '../../main/core/channels/locks.js';
import { Pipe } from '../../main/core/channels/pipe.js';
import { Queue } from '../../main/core/channels/queue.js';
import { ConnectionClosedError } from '../../main/core/channels/errors.js';
import { openChannel, runTarget, startTarget } from '../fixtures/channels-harness.js';

describe('channel objects in Node processes', () => {
  it('Queue: every method and error', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ maxsize: 2, broker });
    expect(await runTarget(server, 'node_channels.cjs:queueMethods', [q])).toEqual({
      emptyAtStart: true,
      getNowaitEmpty: 'QueueEmptyError',
      getTimeoutEmpty: 'QueueEmptyError',
      qsize: 2,
      full: true,
      putNowaitFull: 'QueueFullError',
      putTimeoutFull: 'QueueFullError',
      got: ['a', { b: [1, 2] }],
      putAfterClose: 'QueueClosedError',
    });
  });

  it('Queue: three producers and the app, and a queue opened by name', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ name: 'jobs', broker });
    await Promise.all([0, 1, 2].map((n) => runTarget(server, 'node_channels.cjs:produce', [q, n, 2])));
    expect(await runTarget(server, 'node_channels.cjs:openByName', ['jobs', 'last'])).toBe(7);
    const got = Array.from({ length: 7 }, () => q.getNowait());
    expect(got.at(-1)).toBe('last');
    expect(got.slice(0, 6).sort()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
  });

  it('Pipe: poll, recv, close; a killed peer gives ConnectionClosedError', async () => {
    const { server, broker } = await openChannel();
    const [mine, theirs] = Pipe({ broker });
    const run = runTarget(server, 'node_channels.cjs:pipeMethods', [theirs]);
    expect(await mine.recv()).toBe('ready');
    mine.send({ answer: 42 });
    mine.close();
    expect(await run).toEqual({ pollEmpty: false, pollWait: false, pollLater: true, got: { answer: 42 }, afterClose: 'ConnectionClosedError', recvAfterClose: 'ConnectionClosedError' });

    const [a, b] = Pipe({ broker });
    const echo = await startTarget(server, 'node_channels.cjs:pipeEcho', [b, 1000]);
    a.send('ping');
    expect(await a.recv()).toBe('ping');
    const waiting = a.recv();
    globalThis.process.kill(echo.process.pid!, 'SIGKILL');
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('Lock, Semaphore and Event', async () => {
    const { server, broker } = await openChannel();
    expect(await runTarget(server, 'node_channels.cjs:lockMethods', [new Lock({ broker }), new Semaphore(1, { broker })])).toEqual({
      acquire: true,
      nonblocking: false,
      timeout: false,
      releaseUnlocked: 'RangeError',
      sem: [true, false],
    });
    const event = new Event({ broker });
    const other = new Event({ broker });
    const run = runTarget(server, 'node_channels.cjs:eventMethods', [event, other]);
    expect(await other.wait()).toBe(true);
    event.set();
    expect(await run).toEqual({ isSet: false, waitTimeout: false, wait: true, cleared: false });
  });

  it('two processes incrementing one counter under a lock lose no increment', async () => {
    const { server, broker } = await openChannel();
    const lock = new Lock({ broker });
    const counter = new Queue({ broker });
    await counter.put(0);
    await Promise.all([0, 1].map(() => runTarget(server, 'node_channels.cjs:lockedIncrements', [lock, counter, 200])));
    expect(await counter.get()).toBe(400);
  });
});
