// Pipe: both ends in the app, and an end given to a Python process (the seeds' example, every method,
// a peer that is killed).
import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/core/channels/broker.js';
import { ConnectionClosedError } from '../../main/core/channels/errors.js';
import { Pipe } from '../../main/core/channels/pipe.js';
import { Queue } from '../../main/core/channels/queue.js';
import { TimeoutError } from '../../main/core/errors.js';
import { openChannel, runTarget, startTarget } from '../fixtures/channels-harness.js';
import { until } from '../helpers/until.js';

describe('Pipe in the app', () => {
  it('sends both ways on a duplex pipe, polls, and ends in ConnectionClosedError once the other end closed', async () => {
    const [a, b] = Pipe({ broker: new Broker() });
    expect(await a.poll()).toBe(false);
    a.send({ n: 1 });
    b.send('back');
    expect(await b.poll()).toBe(true);
    expect(await b.recv()).toEqual({ n: 1 });
    expect(await a.recv()).toBe('back');
    const waiting = a.recv();
    expect(await a.poll(10)).toBe(false);
    b.send(2);
    expect(await waiting).toBe(2);
    await expect(a.recv({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    b.send('last');
    b.close();
    expect(await a.poll()).toBe(true);
    expect(await a.recv()).toBe('last');
    await expect(a.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(() => a.send(1)).toThrow(ConnectionClosedError);
  });

  it('wakes a blocked recv with ConnectionClosedError when the other end closes', async () => {
    const [a, b] = Pipe({ broker: new Broker() });
    const waiting = a.recv();
    b.close();
    await expect(waiting).rejects.toThrow(/the other end of pipe Pipe-1 was closed or its process ended/);
  });

  it('leaves the broker once both ends are closed', () => {
    const broker = new Broker();
    const [a, b] = Pipe({ broker });
    a.close();
    expect(broker.objects).toContain(a.pipe);
    b.close();
    expect(broker.objects).toEqual([]);
  });

  it('with duplex: false, the first end only receives and the second only sends', async () => {
    const [reader, writer] = Pipe({ duplex: false, broker: new Broker() });
    expect([reader.readable, reader.writable, writer.readable, writer.writable]).toEqual([true, false, false, true]);
    expect(() => reader.send(1)).toThrow(/end 0 of pipe Pipe-1 only receives/);
    await expect(writer.recv()).rejects.toThrow(/end 1 of pipe Pipe-1 only sends/);
    writer.send('x');
    expect(await reader.recv()).toBe('x');
    expect(() => Pipe({ duplex: 'no' as unknown as boolean, broker: new Broker() })).toThrow(/`duplex` must be true or false/);
  });
});

describe('Pipe between the app and a process (Python)', () => {
  it("runs the seeds' example: the app sends, the child receives and answers", async () => {
    const { server, broker } = await openChannel();
    const [parentConn, childConn] = Pipe({ broker });
    const run = runTarget(server, 'seed_pipe.py:f', [childConn]);
    parentConn.send('how are you?');
    expect(await parentConn.recv()).toEqual([42, null, 'hello', 'how are you?']);
    await run;
    // The child closed its end: nothing more will come.
    await expect(parentConn.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('behaves as multiprocessing.Connection: poll, recv raising EOFError, close', async () => {
    const { server, broker } = await openChannel();
    const [mine, theirs] = Pipe({ broker });
    const run = runTarget(server, 'py_channels.py:pipe_methods', [theirs]);
    expect(await mine.recv()).toBe('ready');
    mine.send({ answer: 42 });
    mine.close();
    expect(await run).toEqual({
      poll_empty: false,
      poll_wait: false,
      poll_later: true,
      got: { answer: 42 },
      after_close: 'EOFError',
      send_after_close: 'OSError',
    });
  });

  it('pushes the messages of an end one process reads, those that waited before its first recv first', async () => {
    const { server, broker } = await openChannel();
    const [mine, theirs] = Pipe({ broker });
    mine.send('early');
    const ran = await startTarget(server, 'py_channels.py:pipe_echo', [theirs, 3]);
    expect(await mine.recv()).toBe('early');
    expect(theirs.pipe.ends[1].pushTo?.pid).toBe(ran.process.pid);
    mine.send('a');
    mine.send('b');
    expect([await mine.recv(), await mine.recv()]).toEqual(['a', 'b']);
    expect(await ran.process.join()).toBe(0);
  });

  it('stops pushing when a second process opens the end: each message still reaches one of them', async () => {
    const { server, broker } = await openChannel();
    const [mine, theirs] = Pipe({ broker });
    const first = await startTarget(server, 'py_channels.py:pipe_echo', [theirs, 2]);
    mine.send('a');
    expect(await mine.recv()).toBe('a');
    const second = await startTarget(server, 'py_channels.py:pipe_echo_by_name', [theirs.pipe.name, 1, 1]);
    await until(() => theirs.pipe.holders(1).length === 2, 'the second process opened the end');
    expect(theirs.pipe.ends[1].pushTo).toBeNull();
    mine.send('b');
    mine.send('c');
    expect([await mine.recv(), await mine.recv()].sort()).toEqual(['b', 'c']);
    expect([await first.process.join(), await second.process.join()]).toEqual([0, 0]);
  });

  it('serves threads of one process that wait at once: each gets its own message, in any order of arrival', async () => {
    const { server, broker } = await openChannel();
    const [firstMine, firstTheirs] = Pipe({ broker });
    const [secondMine, secondTheirs] = Pipe({ broker });
    const q = new Queue({ broker });
    const ran = await startTarget(server, 'py_channels.py:threads_wait_at_once', [firstTheirs, secondTheirs, q]);
    await until(() => firstTheirs.pipe.ends[1].pushTo !== null && secondTheirs.pipe.ends[1].pushTo !== null, 'both threads wait on their pipes');
    secondMine.send('to the second');
    expect(await secondMine.recv()).toBe('second done');
    await q.put('to the main thread');
    firstMine.send('to the first');
    expect(await firstMine.recv()).toBe('first done');
    expect(await ran.process.join()).toBe(0);
    expect(ran.process.returnValue).toEqual({ first: 'to the first', second: 'to the second', queue: 'to the main thread' });
  });

  it('ends a recv with ConnectionClosedError when the process holding the other end is killed', async () => {
    const { server, broker } = await openChannel();
    const [mine, theirs] = Pipe({ broker });
    const ran = await startTarget(server, 'py_channels.py:pipe_echo', [theirs, 1000]);
    mine.send('ping');
    expect(await mine.recv()).toBe('ping');
    expect(theirs.pipe.holders(1).map((party) => party.pid)).toEqual([ran.process.pid]);
    const waiting = mine.recv();
    globalThis.process.kill(ran.process.pid!, 'SIGKILL');
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    await until(() => ran.process.exitcode !== null, 'the process ended');
  });
});
