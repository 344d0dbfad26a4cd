// The Channels view's model: at every sampling tick, one row per object the broker serves, with the
// figures that move (queue rates, depths, shared values) kept for a minute of sparklines. The rows are
// built from the objects themselves each tick, so they are never stale by more than one interval;
// listChannels hands out the last ones, at most CHANNEL_LIMITS.maxRows. Ticks read the objects only
// while someone lists them (the Channels view polls while shown): nobody looking costs nothing.

import type { Broker, BrokeredObject, ChannelKind } from '../core/channels/broker.js';
import { Event } from '../core/channels/event.js';
import { Lock, RLock, Semaphore } from '../core/channels/locks.js';
import { APP, partyInfo, type Party, type PartyInfo } from '../core/channels/party.js';
import { PipeChannel } from '../core/channels/pipe.js';
import { Queue } from '../core/channels/queue.js';
import { SharedArray, Value } from '../core/channels/shared-memory.js';
import { CHANNEL_LIMITS } from '../protocol/channel-args.js';
import type { Abandonment, ChannelList, ChannelParty, ChannelRow, PipeEndRow, QueueChannelRow } from '../protocol/channel-rows.js';

/** Ticks keep reading the objects for this many sampling intervals after the last listChannels. */
const WATCHED_FOR_INTERVALS = 3;

/** What stays between ticks for one object: its counters at the last tick and its sparklines. */
interface Memory {
  putCount: number;
  getCount: number;
  putRates: number[];
  getRates: number[];
  history: number[];
}

/** A row as its kind builds it: the broker adds who uses the object. */
type WithoutUsers<Row> = Row extends ChannelRow ? Omit<Row, 'users'> : never;

export interface AbandonedLock {
  kind: ChannelKind;
  name: string;
  holder: PartyInfo;
}

export class ChannelRows {
  readonly #broker: Broker;
  readonly #sampleIntervalMs: number;
  readonly #memory = new Map<BrokeredObject, Memory>();
  readonly #abandoned = new Map<BrokeredObject, Abandonment>();
  readonly #onAbandoned: (event: AbandonedLock) => void;
  readonly #listener: (event: AbandonedLock) => void;
  #rows: ChannelRow[] = [];
  #omitted = 0;
  #lastTick: number | null = null;
  #lastListed: number | null = null;
  #time = Date.now();

  /** `onAbandoned`: a process died holding a lock (the Supervisor writes it to that process's log). */
  constructor(broker: Broker, sampleIntervalMs: number, onAbandoned: (event: AbandonedLock) => void = () => undefined) {
    this.#broker = broker;
    this.#sampleIntervalMs = sampleIntervalMs;
    this.#onAbandoned = onAbandoned;
    this.#listener = (event) => {
      const object = broker.get(event.name);
      if (object) this.#abandoned.set(object, { holder: event.holder, at: Date.now() });
      this.#onAbandoned(event);
    };
    broker.on('abandoned', this.#listener);
  }

  /** The sampling tick: reads the objects when they were listed within the last few intervals. */
  tick(now = Date.now()): void {
    if (this.#lastListed !== null && now - this.#lastListed <= WATCHED_FOR_INTERVALS * this.#sampleIntervalMs) this.sample(now);
  }

  /** Reads every object once. */
  sample(now = Date.now()): void {
    const elapsedSeconds = this.#lastTick === null ? null : Math.max(now - this.#lastTick, 1) / 1000;
    this.#lastTick = now;
    this.#time = now;
    const objects = this.#broker.objects;
    const shown = objects.slice(0, CHANNEL_LIMITS.maxRows);
    this.#omitted = objects.length - shown.length;
    // Objects no longer served leave no memory behind.
    const live = new Set(shown);
    for (const object of this.#memory.keys()) if (!live.has(object)) this.#memory.delete(object);
    for (const object of this.#abandoned.keys()) if (!live.has(object)) this.#abandoned.delete(object);
    this.#rows = shown.map((object) => ({ ...this.#row(object, elapsedSeconds), users: this.#broker.users(object) }));
  }

  list(now = Date.now()): ChannelList {
    // Not read for a tick (nobody was looking, or the app just started): read now rather than show old rows.
    if (this.#lastTick === null || now - this.#lastTick > this.#sampleIntervalMs) this.sample(now);
    this.#lastListed = now;
    return { time: this.#time, sampleIntervalMs: this.#sampleIntervalMs, channels: this.#rows, omitted: this.#omitted };
  }

  dispose(): void {
    this.#broker.off('abandoned', this.#listener);
  }

  #row(object: BrokeredObject, elapsedSeconds: number | null): WithoutUsers<ChannelRow> {
    const memory = this.#memoryOf(object);
    if (object instanceof Queue) return this.#queueRow(object, memory, elapsedSeconds);
    if (object instanceof PipeChannel) {
      return { kind: 'pipe', name: object.name, history: [], duplex: object.duplex, ends: [pipeEnd(object, 0), pipeEnd(object, 1)] };
    }
    if (object instanceof Value || object instanceof SharedArray) {
      const values = readShared(object);
      if (values.length > 0) remember(memory.history, values[0]!);
      return { kind: object.kind, name: object.name, history: [...memory.history], typecode: object.typecode, length: object.length, values };
    }
    if (object instanceof Lock || object instanceof RLock || object instanceof Semaphore) {
      const holders = object.holders().map(({ holder, count, since }) => ({ ...holder, count, since }));
      // A warning lasts until someone holds it again: then the next holder has been told.
      if (holders.length > 0) this.#abandoned.delete(object);
      const free = object instanceof Semaphore ? object.getValue() : null;
      remember(memory.history, free ?? holders.length);
      return { kind: object.kind, name: object.name, history: [...memory.history], holders, waiting: object.waiting(), free, abandoned: this.#abandoned.get(object) ?? null };
    }
    if (object instanceof Event) return { kind: 'event', name: object.name, history: [], isSet: object.isSet(), waiting: object.waiting() };
    throw new TypeError(`the Channels view does not know a ${object.kind}`);
  }

  #queueRow(queue: Queue, memory: Memory, elapsedSeconds: number | null): WithoutUsers<QueueChannelRow> {
    const putRate = elapsedSeconds === null ? 0 : (queue.putCount - memory.putCount) / elapsedSeconds;
    const getRate = elapsedSeconds === null ? 0 : (queue.getCount - memory.getCount) / elapsedSeconds;
    memory.putCount = queue.putCount;
    memory.getCount = queue.getCount;
    remember(memory.putRates, putRate);
    remember(memory.getRates, getRate);
    remember(memory.history, queue.qsize());
    const waiting = queue.waiting();
    return {
      kind: 'queue',
      name: queue.name,
      history: [...memory.history],
      size: queue.qsize(),
      maxsize: queue.maxsize,
      closed: queue.closed,
      putRate,
      getRate,
      putRateHistory: [...memory.putRates],
      getRateHistory: [...memory.getRates],
      blockedPutting: waiting.putting.map(channelParty),
      blockedGetting: waiting.getting.map(channelParty),
      oldest: queue.peek(CHANNEL_LIMITS.peekedItems).map(peekText),
    };
  }

  #memoryOf(object: BrokeredObject): Memory {
    let memory = this.#memory.get(object);
    if (!memory) {
      const counts = object instanceof Queue ? { putCount: object.putCount, getCount: object.getCount } : { putCount: 0, getCount: 0 };
      memory = { ...counts, putRates: [], getRates: [], history: [] };
      this.#memory.set(object, memory);
    }
    return memory;
  }
}

function remember(history: number[], value: number): void {
  history.push(value);
  if (history.length > CHANNEL_LIMITS.historyLength) history.splice(0, history.length - CHANNEL_LIMITS.historyLength);
}

function channelParty(party: Party): ChannelParty {
  return partyInfo(party);
}

function pipeEnd(pipe: PipeChannel, index: 0 | 1): PipeEndRow {
  const end = pipe.ends[index];
  const holders = pipe.holders(index);
  return {
    index,
    readable: end.readable,
    writable: end.writable,
    closed: end.closed,
    heldByApp: holders.includes(APP),
    holders: holders.filter((party) => party !== APP).map(channelParty),
    received: end.received,
    waiting: end.inbox.length,
  };
}

/** A value or the first numbers of an array; none when its file was closed meanwhile. */
function readShared(object: Value | SharedArray): number[] {
  try {
    if (object instanceof Value) return [object.value];
    return Array.from({ length: Math.min(object.length, CHANNEL_LIMITS.arrayValuesShown) }, (_, index) => object.get(index));
  } catch {
    return [];
  }
}

function peekText(item: unknown): string {
  const text = JSON.stringify(item) ?? 'null';
  return text.length > CHANNEL_LIMITS.peekedChars ? `${text.slice(0, CHANNEL_LIMITS.peekedChars - 1)}…` : text;
}
