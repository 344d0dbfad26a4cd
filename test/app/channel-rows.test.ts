// The Channels view's model over real processes: a Python process blocked in a get shows as a blocked
// getter until the app puts an item for it; a Python process killed while holding a lock shows as the
// lock's dead holder, and its log says so. Ticks read the objects only while the rows are listed.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelRows } from '../../main/app/channel-rows.js';
import { Broker } from '../../main/core/channels/broker.js';
import { Lock } from '../../main/core/channels/locks.js';
import { Pipe } from '../../main/core/channels/pipe.js';
import { Queue } from '../../main/core/channels/queue.js';
import { Event } from '../../main/core/channels/event.js';
import { Value } from '../../main/core/channels/shared-memory.js';
import type { ChannelRow, LockChannelRow, QueueChannelRow } from '../../main/protocol/channel-rows.js';
import { python } from '../helpers/platform.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const app = useQuietSupervisor('pooldeck-channel-rows-');
const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const made: { close(): void; broker: { remove(object: never): void } }[] = [];

afterEach(() => {
  for (const object of made.splice(0)) {
    object.close();
    object.broker.remove(object as never);
  }
});

function pythonProgram(lines: string[]): string {
  return [`import sys; sys.path.insert(0, ${JSON.stringify(WORKERS)})`, 'import pooldeck_worker', ...lines].join('\n');
}

/** Samples until `row` (the object named `name`) passes `check`: the test's only wait. */
async function rowWhen<T extends ChannelRow>(name: string, check: (row: T) => boolean): Promise<T> {
  for (;;) {
    app.supervisor.channels.sample();
    const row = app.supervisor.channels.list().channels.find((candidate) => candidate.name === name) as T | undefined;
    if (row && check(row)) return row;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Channels view model', () => {
  it('shows a process blocked getting from a queue, and the item the app puts reaches it', async () => {
    const queue = new Queue({ name: `jobs-${process.pid}-blocked`, maxsize: 3 });
    made.push(queue);
    const row = await app.supervisor.createProcess({
      name: 'consumer',
      command: python,
      args: ['-c', pythonProgram([`item = pooldeck_worker.queue(${JSON.stringify(queue.name)}).get()`, 'print("got", item, flush=True)'])],
    });
    const blocked = await rowWhen<QueueChannelRow>(queue.name, (candidate) => candidate.blockedGetting.length === 1);
    expect(blocked).toMatchObject({ kind: 'queue', size: 0, maxsize: 3, blockedGetting: [{ pid: row.pid, name: 'consumer' }], blockedPutting: [], users: [{ pid: row.pid, name: 'consumer' }] });

    app.supervisor.channelActions.putQueueItem(queue.name, ['hello', 1]);
    expect(await app.supervisor.processOf(row.id).join()).toBe(0);
    expect(app.supervisor.readLogs(row.id).lines.map((line) => line.text)).toContain("got ['hello', 1]");
    const after = await rowWhen<QueueChannelRow>(queue.name, (candidate) => candidate.blockedGetting.length === 0);
    expect(after.putRateHistory.some((rate) => rate > 0) || after.putRate > 0).toBe(true);
  });

  it('peeks at the oldest items, cut short, and drains them', () => {
    const queue = new Queue({ name: `jobs-${process.pid}-peek` });
    made.push(queue);
    queue.putNowait({ text: 'x'.repeat(1000) });
    queue.putNowait([1, 2]);
    app.supervisor.channels.sample();
    const row = app.supervisor.channels.list().channels.find((candidate) => candidate.name === queue.name) as QueueChannelRow;
    expect(row.size).toBe(2);
    expect(row.oldest[0]!.length).toBeLessThanOrEqual(300);
    expect(row.oldest[0]!.endsWith('…')).toBe(true);
    expect(row.oldest[1]).toBe('[1,2]');
    expect(app.supervisor.channelActions.drainQueue(queue.name)).toEqual({ drained: 2 });
    expect(queue.qsize()).toBe(0);
  });

  it('names the process that died holding a lock, and writes it to that process\'s log', async () => {
    const lock = new Lock({ name: `lock-${process.pid}-killed` });
    const row = await app.supervisor.createProcess({
      name: 'holder',
      command: python,
      args: ['-c', pythonProgram([`lock = pooldeck_worker.lock(${JSON.stringify(lock.name)})`, 'lock.acquire()', 'print("holding", flush=True)', 'import time', 'time.sleep(600)'])],
    });
    const held = await rowWhen<LockChannelRow>(lock.name, (candidate) => candidate.holders.length === 1);
    expect(held.holders[0]).toMatchObject({ pid: row.pid, name: 'holder', count: 1 });
    expect(held.holders[0]!.since).toBeLessThanOrEqual(Date.now());

    app.supervisor.kill(row.id);
    const abandoned = await rowWhen<LockChannelRow>(lock.name, (candidate) => candidate.abandoned !== null);
    expect(abandoned).toMatchObject({ holders: [], users: [], abandoned: { holder: { pid: row.pid, name: 'holder' } } });
    expect(app.supervisor.readLogs(row.id).lines.map((line) => line.text)).toContain(`ended holding lock ${lock.name}: the app released it`);
    expect(await lock.acquire({ block: false })).toBe(true);
    lock.release();
    lock.broker.remove(lock);
  });

  it('shows pipe ends, shared values and events, and acts on them with errors naming the field', async () => {
    const [mine, theirs] = Pipe({ name: `pipe-${process.pid}-rows` });
    const counter = new Value('i', 7, { name: `value-${process.pid}-rows` });
    const ready = new Event({ name: `event-${process.pid}-rows` });
    made.push(counter);
    try {
      app.supervisor.channelActions.setSharedValue(counter.name, undefined, 41);
      expect(counter.value).toBe(41);
      expect(() => app.supervisor.channelActions.setSharedValue(counter.name, undefined, 1.5)).toThrow(expect.objectContaining({ error: expect.objectContaining({ field: 'value' }) }));
      expect(app.supervisor.channelActions.setEvent(ready.name, true)).toEqual({ isSet: true });
      expect(() => app.supervisor.channelActions.putQueueItem(ready.name, 1)).toThrow(expect.objectContaining({ error: expect.objectContaining({ field: 'name', message: expect.stringMatching(/is not a queue \(its kind: event\)/) }) }));
      const answer = theirs.recv().then((value) => theirs.send({ echo: value }));
      await expect(app.supervisor.channelActions.sendOnPipe(mine.pipe.name, 0, 'ping', 5_000)).resolves.toEqual({ replied: true, reply: { echo: 'ping' } });
      await answer;
      app.supervisor.channels.sample();
      const rows = app.supervisor.channels.list().channels;
      expect(rows.find((candidate) => candidate.name === counter.name)).toMatchObject({ kind: 'value', values: [41], typecode: 'i' });
      expect(rows.find((candidate) => candidate.name === ready.name)).toMatchObject({ kind: 'event', isSet: true, waiting: [] });
      expect(rows.find((candidate) => candidate.name === mine.pipe.name)).toMatchObject({
        kind: 'pipe',
        ends: [{ index: 0, heldByApp: true, received: 1 }, { index: 1, heldByApp: true, received: 1 }],
      });
    } finally {
      mine.pipe.broker.remove(mine.pipe);
      ready.broker.remove(ready);
    }
  });
});

describe('sampling the channel objects', () => {
  it('reads them at a tick only while someone lists them (within 3 intervals), and at once when listed after a pause', () => {
    const broker = new Broker();
    const rows = new ChannelRows(broker, 1000);
    const queue = new Queue({ broker, name: 'watched' });
    rows.tick(0);
    expect(rows.list(0).channels).toMatchObject([{ name: 'watched', size: 0 }]);
    queue.putNowait(1);
    rows.tick(500);
    expect(rows.list(600)).toMatchObject({ time: 500, channels: [{ size: 1 }] });
    queue.putNowait(2);
    rows.tick(3601); // 3 intervals after the last list: nobody looks, nothing is read
    expect(rows.list(3602)).toMatchObject({ time: 3602, channels: [{ size: 2 }] });
    rows.dispose();
  });
});
