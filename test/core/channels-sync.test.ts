// Lock, RLock, Semaphore and Event: in the app, in Python processes, and a holder killed with SIGKILL.
import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/core/channels/broker.js';
import { Event } from '../../main/core/channels/event.js';
import { Lock, RLock, Semaphore } from '../../main/core/channels/locks.js';
import { Queue } from '../../main/core/channels/queue.js';
import { openChannel, runTarget, startTarget } from '../fixtures/channels-harness.js';
import { until } from '../helpers/until.js';

describe('locks in the app', () => {
  it('Lock: acquire, block, timeout, release in order, release while unlocked throws', async () => {
    const lock = new Lock({ broker: new Broker() });
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire({ block: false })).toBe(false);
    expect(await lock.acquire({ timeoutMs: 10 })).toBe(false);
    const order: number[] = [];
    const first = lock.acquire().then(() => order.push(1));
    const second = lock.acquire().then(() => order.push(2));
    lock.release();
    await first;
    lock.release();
    await second;
    expect(order).toEqual([1, 2]);
    lock.release();
    expect(() => lock.release()).toThrow(/lock Lock-1 released while unlocked/);
  });

  it('RLock is re-entrant for its owner; Semaphore counts permits', async () => {
    const broker = new Broker();
    const rlock = new RLock({ broker });
    expect([await rlock.acquire(), await rlock.acquire()]).toEqual([true, true]);
    expect(rlock.holders()[0]!.count).toBe(2);
    rlock.release();
    rlock.release();
    expect(() => rlock.release()).toThrow(/does not hold it/);
    const semaphore = new Semaphore(2, { broker });
    expect([await semaphore.acquire(), await semaphore.acquire(), await semaphore.acquire({ block: false })]).toEqual([true, true, false]);
    semaphore.release();
    expect(semaphore.getValue()).toBe(1);
    expect(() => new Semaphore(-1, { broker })).toThrow(/Semaphore: the value must be an integer ≥ 0/);
  });

  it('Event: wait resolves on set, times out with false, clear resets', async () => {
    const event = new Event({ broker: new Broker() });
    expect(event.isSet()).toBe(false);
    expect(await event.wait(10)).toBe(false);
    const waiting = [event.wait(), event.wait()];
    event.set();
    expect(await Promise.all(waiting)).toEqual([true, true]);
    expect(await event.wait()).toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
    await expect(event.wait(-1)).rejects.toThrow(/Event.wait: `timeoutMs` must be a number of milliseconds ≥ 0/);
  });
});

describe('locks and events in Python processes', () => {
  it('behave as multiprocessing.Lock, RLock and Semaphore', async () => {
    const { server, broker } = await openChannel();
    const seen = await runTarget(server, 'py_channels.py:lock_methods', [new Lock({ broker }), new RLock({ broker }), new Semaphore(2, { broker })]);
    expect(seen).toEqual({
      acquire: true,
      acquire_nonblocking_held: false,
      acquire_timeout_held: false,
      release_unlocked: 'ValueError',
      with: true,
      reacquire: true,
      rlock_twice: [true, true],
      rlock_release_unowned: 'ValueError',
      rlock_with_nested: true,
      sem: [true, true, false],
      sem_value: 0,
      sem_value_after: 2,
    });
  });

  it('behave as multiprocessing.Event', async () => {
    const { server, broker } = await openChannel();
    const event = new Event({ broker });
    const other = new Event({ broker });
    const run = runTarget(server, 'py_channels.py:event_methods', [event, other]);
    expect(await other.wait()).toBe(true);
    event.set();
    expect(await run).toEqual({ is_set: false, wait_timeout: false, wait: true, is_set_after: true, cleared: false });
  });

  it('releases a lock whose holder was killed with SIGKILL: the next acquire succeeds and is told who died', async () => {
    const { server, broker } = await openChannel();
    const lock = new Lock({ broker });
    const started = new Event({ broker });
    const abandoned: unknown[] = [];
    lock.on('abandoned', (holder) => abandoned.push(holder));
    const holder = await startTarget(server, 'py_channels.py:hold_lock_and_report', [lock, started]);
    await started.wait();
    expect(lock.holders().map(({ holder: info }) => info.pid)).toEqual([holder.process.pid]);
    const waiter = await startTarget(server, 'py_channels.py:try_lock', [lock, 30]);
    await until(() => lock.waiting().length === 1, 'a second process waiting for the lock');
    globalThis.process.kill(holder.process.pid!, 'SIGKILL');
    expect(await waiter.process.join()).toBe(0);
    expect(waiter.process.returnValue).toBe(true);
    expect(abandoned).toEqual([{ pid: holder.process.pid, name: holder.process.name }]);
    expect(waiter.stderr()).toContain(`lock 'Lock-1' was free because process ${holder.process.name} (pid ${holder.process.pid}) ended holding it`);
    expect(lock.locked()).toBe(false);
  });

  it('four processes incrementing one counter under a lock lose no increment', async () => {
    const { server, broker } = await openChannel();
    const lock = new Lock({ broker });
    const counter = new Queue({ broker });
    await counter.put(0);
    await Promise.all([0, 1, 2, 3].map(() => runTarget(server, 'py_channels.py:locked_increments', [lock, counter, 250])));
    expect(await counter.get()).toBe(1000);
  });
});
