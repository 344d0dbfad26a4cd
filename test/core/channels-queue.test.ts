// Queue: the app's side, and Python and Node processes putting and getting through the broker.
import { describe, expect, it } from 'vitest';
import { QueueClosedError, QueueEmptyError, QueueFullError } from '../../main/core/channels/errors.js';
import { Queue } from '../../main/core/channels/queue.js';
import { Broker } from '../../main/core/channels/broker.js';
import { Event } from '../../main/core/channels/event.js';
import { Pool } from '../../main/core/pool.js';
import { Process } from '../../main/core/process.js';
import { CHANNEL_TARGETS, openChannel, runTarget, startTarget } from '../fixtures/channels-harness.js';

describe('Queue in the app', () => {
  it('puts and gets in order, with every method and error', async () => {
    const q = new Queue({ maxsize: 2, broker: new Broker() });
    expect(q.name).toBe('Queue-1');
    expect(q.empty()).toBe(true);
    expect(() => q.getNowait()).toThrow(QueueEmptyError);
    await expect(q.get({ block: false })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get({ timeoutMs: 20 })).rejects.toThrow(/stayed empty for 20 ms/);
    await q.put('a');
    q.putNowait({ b: [1] });
    expect([q.qsize(), q.full(), q.empty()]).toEqual([2, true, false]);
    expect(() => q.putNowait('c')).toThrow(QueueFullError);
    await expect(q.put('c', { block: false })).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put('c', { timeoutMs: 20 })).rejects.toThrow(/stayed full \(maxsize 2\) for 20 ms/);
    const blockedPut = q.put('c');
    expect(await q.get()).toBe('a');
    await blockedPut;
    expect(q.getNowait()).toEqual({ b: [1] });
    expect(await q.get()).toBe('c');
  });

  it('wakes a blocked get with the next put, and ends it with QueueClosedError on close()', async () => {
    const q = new Queue({ broker: new Broker() });
    const first = q.get();
    await q.put(1);
    expect(await first).toBe(1);
    const blocked = q.get();
    await q.put(2);
    await q.put(3);
    expect(await blocked).toBe(2);
    const waiting = q.get();
    const secondWaiting = q.get();
    expect(await waiting).toBe(3);
    q.close();
    await expect(secondWaiting).rejects.toBeInstanceOf(QueueClosedError);
    await expect(q.put(4)).rejects.toBeInstanceOf(QueueClosedError);
    await expect(q.get()).rejects.toThrow(/closed and empty/);
  });

  it('refuses bad options and values, naming the field', async () => {
    const broker = new Broker();
    expect(() => new Queue({ maxsize: -1, broker })).toThrow(/`maxsize` must be an integer ≥ 0/);
    expect(() => new Queue({ name: '', broker })).toThrow(/`name` must be a non-empty string/);
    new Queue({ name: 'jobs', broker });
    expect(() => new Queue({ name: 'jobs', broker })).toThrow(/"jobs" is taken by a queue/);
    const q = new Queue({ broker });
    await expect(q.put(1, { timeoutMs: -5 })).rejects.toThrow(/Queue.put: `timeoutMs` must be a number of milliseconds ≥ 0/);
    await expect(q.get({ block: 'yes' as unknown as boolean })).rejects.toThrow(/Queue.get: `block` must be true or false/);
    await expect(q.put(Number.NaN)).rejects.toThrow(/Queue.put: the value is NaN, which JSON can't carry/);
    expect(() => q.putNowait(new Map())).toThrow(/the value is a Map/);
  });
});

describe('Queue between processes (Python)', () => {
  it("runs the seeds' example: three processes put ['hello', n], the app gets three", async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ broker });
    const runs = [0, 1, 2].map((n) => runTarget(server, 'seed_queue.py:f', [q, n]));
    const got = [await q.get(), await q.get(), await q.get()];
    await Promise.all(runs);
    expect(got.sort()).toEqual([
      ['hello', 0],
      ['hello', 1],
      ['hello', 2],
    ]);
  });

  it('behaves as multiprocessing.Queue: every method, queue.Full and queue.Empty', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ maxsize: 2, broker });
    expect(await runTarget(server, 'py_channels.py:queue_methods', [q])).toEqual({
      empty_at_start: true,
      get_nowait_empty: 'queue.Empty',
      get_timeout_empty: 'queue.Empty',
      qsize: 2,
      full: true,
      put_nowait_full: 'queue.Full',
      put_timeout_full: 'queue.Full',
      put_block_false_full: 'queue.Full',
      got: ['a', { b: [1, 2] }],
      empty_at_end: true,
      put_after_local_close: 'ValueError',
    });
  });

  it('fails the target with a clear error when its process was started without the channel', async () => {
    const q = new Queue({ broker: new Broker() });
    const process = new Process({ target: 'seed_queue.py:f', args: [q, 1], cwd: CHANNEL_TARGETS });
    try {
      await process.start();
      expect(await process.join()).toBe(1);
      expect(process.error?.message).toMatch(/no channel \(POOLDECK_ADDRESS and POOLDECK_AUTHKEY are not both set\)/);
    } finally {
      process.close();
    }
  });

  it('opens a queue by name', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ name: 'jobs', broker });
    await q.put('first');
    expect(await runTarget(server, 'py_channels.py:open_queue_by_name', ['jobs', 'second'])).toBe(2);
    expect([q.getNowait(), q.getNowait()]).toEqual(['first', 'second']);
    await expect(runTarget(server, 'py_channels.py:open_queue_by_name', ['nope', 1])).rejects.toThrow(/LookupError: there is no channel object named "nope"/);
  });

  it("wakes a process's blocked get with QueueClosedError when the app closes the queue", async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ broker });
    const run = runTarget(server, 'py_channels.py:wait_on_get', [q]);
    await waitFor(() => q.waiting().getting.length === 1);
    q.close();
    expect(await run).toMatch(/^QueueClosedError: queue Queue-1 was closed/);
  });

  it('leaves the broker once closed, and reports a pipelined put the closed queue refused', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ broker });
    const closed = new Event({ broker });
    const ran = await startTarget(server, 'py_channels.py:put_after_close', [q, closed]);
    expect(await q.get()).toBe('first');
    q.close();
    expect(broker.objects).not.toContain(q);
    closed.set();
    expect(await ran.process.join()).toBe(0);
    expect(ran.process.returnValue).toMatch(/^QueueClosedError: the app refused a put on queue 'Queue-1' sent earlier: queue Queue-1 is closed/);
    expect(ran.stderr()).toMatch(/^pooldeck: the app refused a put on queue 'Queue-1' sent earlier/m);
    // Nobody uses it any more: not even its name answers.
    const unused = new Queue({ broker });
    unused.close();
    expect(broker.get(unused.name)).toBeUndefined();
  });

  it('drops the blocked get of a process that ended, so that no item goes to it', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ broker });
    const ran = await startTarget(server, 'py_channels.py:consume', [q, 1]);
    await waitFor(() => q.waiting().getting.length === 1);
    ran.process.kill();
    await ran.process.join();
    await waitFor(() => q.waiting().getting.length === 0);
    await q.put('kept');
    expect(q.getNowait()).toBe('kept');
  });
});

describe('Queue under load', () => {
  it('many producers and consumers on one bounded queue: every item once, in order per producer', async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ maxsize: 5, broker });
    const producers = 3;
    const perProducer = 200;
    const consumers = 3;
    const consuming = Array.from({ length: consumers }, () => runTarget(server, 'py_channels.py:consume_until_none', [q]));
    const producing = Array.from({ length: producers }, (_, p) => runTarget(server, p === 0 ? 'node_channels.cjs:produce' : 'py_channels.py:produce', [q, p, perProducer]));
    await Promise.all(producing);
    for (let c = 0; c < consumers; c += 1) await q.put(null);
    const got = (await Promise.all(consuming)) as [number, number][][];
    const all = got.flat();
    expect(all).toHaveLength(producers * perProducer);
    for (let p = 0; p < producers; p += 1) {
      expect(all.filter(([producer]) => producer === p).map(([, i]) => i).sort((a, b) => a - b)).toEqual(Array.from({ length: perProducer }, (_, i) => i));
      for (const consumed of got) {
        const mine = consumed.filter(([producer]) => producer === p).map(([, i]) => i);
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
    }
  });

  it("reaches a pool's workers in a task's arguments (Python and Node)", async () => {
    const { server, broker } = await openChannel();
    const q = new Queue({ broker });
    for (const target of ['py_channels.py:produce', 'node_channels.cjs:produce']) {
      const pool = new Pool({ processes: 1, target, cwd: CHANNEL_TARGETS, channelServer: server });
      try {
        expect(await pool.apply([q, target, 2])).toBe(2);
      } finally {
        await pool.terminate();
      }
    }
    expect([q.getNowait(), q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([
      ['py_channels.py:produce', 0],
      ['py_channels.py:produce', 1],
      ['node_channels.cjs:produce', 0],
      ['node_channels.cjs:produce', 1],
    ]);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  const { until } = await import('../helpers/until.js');
  await until(check, 'the condition');
}
