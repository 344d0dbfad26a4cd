// Queue: multiprocessing.Queue, brokered by the app. The items live here, in the app; a process's put
// and get are one line each way (a put on an unbounded queue needs no answer, so a producer never
// waits for the app). FIFO across everyone; a get that waits is served in the order gets came.

import { jsonProblem } from '../json-values.js';
import { Deque } from '../pool-task.js';
import { CARRIED_AS_TAG, channelTag, checkBlocking, defaultBroker, type BlockingOptions, type Broker, type BrokeredObject, type ChannelRequest, type Respond } from './broker.js';
import { QueueClosedError, QueueEmptyError, QueueFullError } from './errors.js';
import { APP, type Party } from './party.js';
import { WaitList } from './wait-list.js';

export interface QueueOptions {
  /** Most items held at once; 0 (the default) means no limit, as in Python. */
  maxsize?: number;
  /** Unique among the broker's objects; processes open it by this name. Default `Queue-1`, `Queue-2`, … */
  name?: string;
  /** Default: the process-wide defaultBroker(). */
  broker?: Broker;
}

export class Queue implements BrokeredObject {
  readonly kind = 'queue';
  readonly name: string;
  readonly maxsize: number;
  readonly broker: Broker;
  readonly [CARRIED_AS_TAG] = true;
  readonly #items = new Deque<unknown>();
  readonly #getters = new WaitList<unknown>();
  /** Puts waiting for room; each one's value is its payload. */
  readonly #putters = new WaitList<undefined>();
  #closed = false;
  /** Items ever put and got: the Channels view turns them into rates. */
  putCount = 0;
  getCount = 0;

  constructor(options: QueueOptions = {}) {
    const { maxsize = 0 } = options;
    if (typeof maxsize !== 'number' || !Number.isSafeInteger(maxsize) || maxsize < 0) {
      throw new TypeError(`Queue: \`maxsize\` must be an integer ≥ 0 (0: no limit), not ${JSON.stringify(maxsize) ?? String(maxsize)}`);
    }
    this.broker = options.broker ?? defaultBroker();
    this.name = this.broker.nameFor('queue', 'Queue', options.name);
    this.maxsize = maxsize;
    this.broker.add(this);
  }

  /** Puts `value` (a JSON value); waits for room when full and `block` (default true), up to `timeoutMs`. */
  put(value: unknown, options: BlockingOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const { block, timeoutMs } = checkBlocking(options, 'Queue.put');
      this.#checkValue(value, 'Queue.put');
      this.#put(APP, value, block, timeoutMs, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Takes the oldest item; waits for one when empty and `block` (default true), up to `timeoutMs`. */
  get(options: BlockingOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const { block, timeoutMs } = checkBlocking(options, 'Queue.get');
      this.#get(APP, block, timeoutMs, (error, value) => (error ? reject(error) : resolve(value)));
    });
  }

  /** put without waiting: throws QueueFullError when full. */
  putNowait(value: unknown): void {
    this.#checkValue(value, 'Queue.putNowait');
    this.#put(APP, value, false, undefined, (error) => {
      if (error) throw error;
    });
  }

  /** get without waiting: throws QueueEmptyError when empty. */
  getNowait(): unknown {
    let result: unknown;
    this.#get(APP, false, undefined, (error, value) => {
      if (error) throw error;
      result = value;
    });
    return result;
  }

  qsize(): number {
    return this.#items.length;
  }

  empty(): boolean {
    return this.#items.length === 0;
  }

  full(): boolean {
    return this.maxsize > 0 && this.#items.length >= this.maxsize;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The oldest `count` items, left in place (for the Channels view). */
  peek(count: number): unknown[] {
    const items: unknown[] = [];
    this.#items.forEach((item) => {
      if (items.length < count) items.push(item);
    });
    return items;
  }

  /** The processes blocked in a get, and in a put, oldest first. */
  waiting(): { getting: Party[]; putting: Party[] } {
    return { getting: this.#getters.parties(), putting: this.#putters.parties() };
  }

  /**
   * Closes the queue for everyone: puts throw QueueClosedError from now on, blocked gets and puts
   * end with it, and gets take what is left, then throw it too. It leaves the broker's list (the
   * Channels view); the processes that use it still reach it until they end.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#getters.rejectAll(() => new QueueClosedError(`queue ${this.name} was closed`));
    this.#putters.rejectAll(() => new QueueClosedError(`queue ${this.name} was closed`));
    this.broker.retire(this);
  }

  toJSON(): Record<string, unknown> {
    return channelTag('queue', this.name, { maxsize: this.maxsize });
  }

  open(): Record<string, unknown> {
    return { kind: 'queue', name: this.name, maxsize: this.maxsize };
  }

  serve(party: Party, request: ChannelRequest, respond: Respond): void {
    switch (request.op) {
      case 'put': {
        const { block, timeoutMs } = checkBlocking(request, 'put');
        if (!('value' in request)) throw new TypeError('put needs "value"');
        return this.#put(party, request.value, block, timeoutMs, respond);
      }
      case 'get': {
        const { block, timeoutMs } = checkBlocking(request, 'get');
        if (request.prefetch === undefined) return this.#get(party, block, timeoutMs, respond);
        const prefetch = request.prefetch;
        if (typeof prefetch !== 'number' || !Number.isSafeInteger(prefetch) || prefetch < 1) {
          throw new TypeError(`"prefetch" must be an integer ≥ 1, how many items the answer may carry, not ${JSON.stringify(prefetch)}`);
        }
        return this.#get(party, block, timeoutMs, (error, value) => (error ? respond(error) : respond(null, { items: this.#prefetched(value, prefetch) })));
      }
      case 'qsize':
        return respond(null, this.qsize());
      case 'empty':
        return respond(null, this.empty());
      case 'full':
        return respond(null, this.full());
      case 'close':
        this.close();
        return respond(null);
      default:
        throw new TypeError(`a queue has no op ${JSON.stringify(request.op)} (put, get, qsize, empty, full, close)`);
    }
  }

  partyGone(party: Party): void {
    this.#getters.dropParty(party);
    this.#putters.dropParty(party);
  }

  #checkValue(value: unknown, label: string): void {
    const problem = jsonProblem(value, 'the value');
    if (problem) throw new TypeError(`${label}: ${problem}`);
  }

  #put(party: Party, value: unknown, block: boolean, timeoutMs: number | undefined, done: (error: Error | null) => void): void {
    if (this.#closed) return done(new QueueClosedError(`queue ${this.name} is closed`));
    this.putCount += 1;
    const getter = this.#getters.shift();
    if (getter) {
      this.getCount += 1;
      getter.settle(null, value);
      return done(null);
    }
    if (!this.full()) {
      this.#items.push(value);
      return done(null);
    }
    this.putCount -= 1;
    if (!block) return done(new QueueFullError(`queue ${this.name} is full (maxsize ${this.maxsize})`));
    this.#putters.add(party, value, timeoutMs, () => ({ error: new QueueFullError(`queue ${this.name} stayed full (maxsize ${this.maxsize}) for ${timeoutMs} ms`) }), (error) => done(error));
  }

  #get(party: Party, block: boolean, timeoutMs: number | undefined, done: (error: Error | null, value?: unknown) => void): void {
    if (this.#items.length > 0) {
      const value = this.#items.shift();
      this.getCount += 1;
      this.#admitPutter();
      return done(null, value);
    }
    if (this.#closed) return done(new QueueClosedError(`queue ${this.name} is closed and empty`));
    if (!block) return done(new QueueEmptyError(`queue ${this.name} is empty`));
    this.#getters.add(party, undefined, timeoutMs, () => ({ error: new QueueEmptyError(`queue ${this.name} stayed empty for ${timeoutMs} ms`) }), done);
  }

  /**
   * `first` and, on an unbounded queue that nobody else waits on, up to `prefetch - 1` more items at
   * once: a consumer then gets most items from its own buffer, without a round trip each.
   */
  #prefetched(first: unknown, prefetch: number): unknown[] {
    const items = [first];
    while (this.maxsize === 0 && items.length < prefetch && this.#items.length > 0 && this.#getters.length === 0) {
      items.push(this.#items.shift());
      this.getCount += 1;
    }
    return items;
  }

  /** An item left a full queue: the oldest blocked put gets its place. */
  #admitPutter(): void {
    const putter = this.#putters.shift();
    if (!putter) return;
    this.#items.push(putter.payload);
    this.putCount += 1;
    putter.settle(null);
  }
}
