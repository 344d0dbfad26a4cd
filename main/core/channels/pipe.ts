// Pipe: multiprocessing.Pipe, brokered by the app. Each end has an inbox (what the other end sent)
// and holders: the app at first, then the processes that opened it (given it in their arguments, or
// by name). An end with no holder left, because each closed it or its process ended, is closed, and
// the other end's recv gets ConnectionClosedError once its inbox is empty (Python hangs when the
// peer dies without closing; so do its users).
//
// An end held by one process that asked for it (`"push": true` when it opens the end) gets each
// message pushed as it arrives, `{"type":"pipe","name","end","value"}`, and the helper keeps them
// until recv: a round trip with a process is one line each way, with no recv request. The broker
// first says whether it pushes (`"push": true|false`), stops (`"push": false`) when a second process
// opens the end, and says `"eof": true` when nothing more can come.

import { TimeoutError } from '../errors.js';
import { jsonProblem } from '../json-values.js';
import { Deque } from '../pool-task.js';
import { CARRIED_AS_TAG, channelTag, checkTimeout, defaultBroker, type Broker, type BrokeredObject, type ChannelRequest, type Respond } from './broker.js';
import { ConnectionClosedError } from './errors.js';
import { APP, type Party } from './party.js';
import { WaitList } from './wait-list.js';

export interface PipeOptions {
  /** Both ends send and receive (default). With false, the first end only receives and the second only sends, as in Python. */
  duplex?: boolean;
  /** Unique among the broker's objects; a process opens an end as `pipe(name, end)`. Default `Pipe-1`, … */
  name?: string;
  broker?: Broker;
}

type EndIndex = 0 | 1;

interface PipeEnd {
  readonly readable: boolean;
  readonly writable: boolean;
  readonly inbox: Deque<unknown>;
  /** recv and poll calls waiting for a message: poll waiters carry `'poll'` as their payload. */
  readonly receivers: WaitList<unknown>;
  readonly holders: Set<Party>;
  /** Closed: by every holder, or because their processes ended. */
  closed: boolean;
  /** Messages received through this end: for the Channels view. */
  received: number;
  /** The one process this end's messages are pushed to, if any. */
  pushTo: Party | null;
  /** Messages pushed to `pushTo`: a poll from it that says it saw fewer is answered true at once. */
  pushed: number;
  /** A pushed message's line up to its value, encoded once: a round trip's push stringifies only the value. */
  readonly pushPrefix: string;
}

const POLL = 'poll';

/** Both ends of one pipe: the object the broker serves. */
export class PipeChannel implements BrokeredObject {
  readonly kind = 'pipe';
  readonly name: string;
  readonly duplex: boolean;
  readonly broker: Broker;
  readonly ends: readonly [PipeEnd, PipeEnd];

  constructor(options: PipeOptions) {
    const { duplex = true } = options;
    if (typeof duplex !== 'boolean') throw new TypeError(`Pipe: \`duplex\` must be true or false, not ${JSON.stringify(duplex) ?? String(duplex)}`);
    this.broker = options.broker ?? defaultBroker();
    this.name = this.broker.nameFor('pipe', 'Pipe', options.name);
    this.duplex = duplex;
    const end = (index: EndIndex, readable: boolean, writable: boolean): PipeEnd => ({
      readable,
      writable,
      inbox: new Deque(),
      receivers: new WaitList(),
      holders: new Set([APP]),
      closed: false,
      received: 0,
      pushTo: null,
      pushed: 0,
      pushPrefix: `${JSON.stringify({ type: 'pipe', name: this.name, end: index }).slice(0, -1)},"value":`,
    });
    this.ends = [end(0, true, duplex), end(1, duplex, true)];
    this.broker.add(this);
  }

  /** Who holds end `index` now (the app until a process opens it). */
  holders(index: EndIndex): Party[] {
    return [...this.ends[index].holders];
  }

  open(party: Party, request: ChannelRequest): Record<string, unknown> {
    const index = endIndex(request.end);
    const end = this.ends[index];
    if (end.closed) throw new ConnectionClosedError(`end ${index} of pipe ${this.name} is closed`);
    // The end moves to the process: the app no longer keeps it open, so the process's end is the end's end.
    end.holders.delete(APP);
    end.holders.add(party);
    if (request.push === true) this.#startPushing(party, index);
    else if (end.pushTo !== null && end.pushTo !== party) this.#stopPushing(index);
    return { kind: 'pipe', name: this.name, end: index, readable: end.readable, writable: end.writable };
  }

  serve(party: Party, request: ChannelRequest, respond: Respond): void {
    const index = endIndex(request.end);
    switch (request.op) {
      case 'send':
        if (!('value' in request)) throw new TypeError('send needs "value"');
        this.send(index, request.value);
        return respond(null);
      case 'recv':
        return this.recv(party, index, checkTimeout(request.timeoutMs, 'recv'), respond);
      case 'poll':
        // No timeoutMs: do not wait; null: wait until there is something (Python's poll(None)).
        if (this.#pushedUnseen(party, index, request.seen)) return respond(null, true);
        return this.poll(party, index, request.timeoutMs === undefined ? 0 : checkTimeout(request.timeoutMs, 'poll'), respond);
      case 'close':
        this.close(party, index);
        return respond(null);
      default:
        throw new TypeError(`a pipe has no op ${JSON.stringify(request.op)} (send, recv, poll, close)`);
    }
  }

  partyGone(party: Party): void {
    for (const index of [0, 1] as const) {
      const end = this.ends[index];
      if (end.pushTo === party) end.pushTo = null;
      end.receivers.dropParty(party);
      if (end.holders.delete(party) && end.holders.size === 0) this.#closeEnd(index);
    }
  }

  send(index: EndIndex, value: unknown): void {
    const end = this.ends[index];
    if (!end.writable) throw new TypeError(`end ${index} of pipe ${this.name} only receives (Pipe({ duplex: false }): the second end sends)`);
    if (end.closed) throw new ConnectionClosedError(`end ${index} of pipe ${this.name} is closed`);
    const peer = this.ends[1 - index]!;
    // Sending to an end nobody holds any more goes nowhere, as writing to a pipe whose reader died.
    if (peer.closed) throw new ConnectionClosedError(`the other end of pipe ${this.name} is closed`);
    const polls = [];
    let receiver = peer.receivers.shift();
    while (receiver?.payload === POLL) {
      polls.push(receiver);
      receiver = peer.receivers.shift();
    }
    peer.received += 1;
    if (receiver) receiver.settle(null, value);
    else if (peer.pushTo) this.#push(peer, 1 - index, value);
    else {
      peer.received -= 1;
      peer.inbox.push(value);
    }
    // After the push: a poll answered true finds the message already on its way.
    for (const poll of polls) poll.settle(null, true);
  }

  recv(party: Party, index: EndIndex, timeoutMs: number | undefined, done: Respond): void {
    const end = this.ends[index];
    if (!end.readable) return done(new TypeError(`end ${index} of pipe ${this.name} only sends (Pipe({ duplex: false }): the first end receives)`));
    if (end.inbox.length > 0) {
      end.received += 1;
      return done(null, end.inbox.shift());
    }
    if (end.closed) return done(new ConnectionClosedError(`end ${index} of pipe ${this.name} is closed`));
    if (this.ends[1 - index]!.closed) return done(this.#eof());
    end.receivers.add(party, undefined, timeoutMs, () => ({ error: new TimeoutError(`nothing arrived on pipe ${this.name} within ${timeoutMs} ms`) }), done);
  }

  /** true once a message waits or the other end closed (recv would not block), as Python's poll; `timeoutMs` undefined waits forever. */
  poll(party: Party, index: EndIndex, timeoutMs: number | undefined, done: Respond): void {
    const end = this.ends[index];
    if (!end.readable) return done(new TypeError(`end ${index} of pipe ${this.name} only sends`));
    if (end.inbox.length > 0 || end.closed || this.ends[1 - index]!.closed) return done(null, true);
    if (timeoutMs !== undefined && timeoutMs <= 0) return done(null, false);
    end.receivers.add(party, POLL, timeoutMs, () => ({ error: null, value: false }), done);
  }

  /** `party` lets go of end `index`; the end closes once nobody holds it (the app's close closes it outright). */
  close(party: Party, index: EndIndex): void {
    const end = this.ends[index];
    if (end.closed) return;
    if (party === APP) end.holders.clear();
    else end.holders.delete(party);
    if (end.pushTo === party) end.pushTo = null;
    if (end.holders.size === 0) this.#closeEnd(index);
  }

  #closeEnd(index: EndIndex): void {
    const end = this.ends[index];
    end.closed = true;
    end.receivers.rejectAll(() => new ConnectionClosedError(`end ${index} of pipe ${this.name} was closed`));
    this.#pushEof(index);
    // Whoever waits on the other end will get nothing more.
    const peer = this.ends[1 - index]!;
    for (let receiver = peer.receivers.shift(); receiver; receiver = peer.receivers.shift()) {
      if (receiver.payload === POLL) receiver.settle(null, true);
      else receiver.settle(this.#eof());
    }
    this.#pushEof((1 - index) as EndIndex);
    if (peer.closed) this.broker.retire(this);
  }

  /**
   * Pushes end `index`'s messages to `party` from now on, when it is the end's only holder (else
   * says it does not): first what waits in the inbox, then each message as it comes.
   */
  #startPushing(party: Party, index: EndIndex): void {
    const end = this.ends[index];
    if (end.pushTo !== null && end.pushTo !== party) this.#stopPushing(index);
    const pushes = party.sendLine !== undefined && end.readable && end.holders.size === 1 && !end.closed;
    this.#tell(party, index, { push: pushes });
    if (!pushes) return;
    end.pushTo = party;
    while (end.inbox.length > 0) {
      end.received += 1;
      this.#push(end, index, end.inbox.shift());
    }
    if (this.ends[1 - index]!.closed) this.#pushEof(index);
  }

  #stopPushing(index: EndIndex): void {
    const end = this.ends[index];
    if (end.pushTo) this.#tell(end.pushTo, index, { push: false });
    end.pushTo = null;
  }

  #push(end: PipeEnd, index: number, value: unknown): void {
    end.pushed += 1;
    end.pushTo!.sendLine!(`${end.pushPrefix}${JSON.stringify(value)}}\n`);
  }

  /** Tells the process end `index` is pushed to that nothing more will come. */
  #pushEof(index: EndIndex): void {
    const pushTo = this.ends[index].pushTo;
    if (pushTo) this.#tell(pushTo, index, { eof: true });
  }

  /** A line about end `index` to the process it is (or is not) pushed to. */
  #tell(party: Party, index: EndIndex, fields: Record<string, unknown>): void {
    party.sendLine?.(`${JSON.stringify({ type: 'pipe', name: this.name, end: index, ...fields })}\n`);
  }

  #pushedUnseen(party: Party, index: EndIndex, seen: unknown): boolean {
    const end = this.ends[index];
    return end.pushTo === party && typeof seen === 'number' && end.pushed > seen;
  }

  #eof(): ConnectionClosedError {
    return new ConnectionClosedError(`the other end of pipe ${this.name} was closed or its process ended, and nothing is left to receive`);
  }
}

function endIndex(value: unknown): EndIndex {
  if (value === 0 || value === 1) return value;
  throw new TypeError(`"end" must be 0 or 1 (which end of the pipe), not ${JSON.stringify(value) ?? String(value)}`);
}

/** One end of a Pipe, as the app holds it (Python's multiprocessing.connection.Connection). */
export class Connection {
  readonly [CARRIED_AS_TAG] = true;

  constructor(
    readonly pipe: PipeChannel,
    readonly end: EndIndex,
  ) {}

  get readable(): boolean {
    return this.pipe.ends[this.end].readable;
  }

  get writable(): boolean {
    return this.pipe.ends[this.end].writable;
  }

  get closed(): boolean {
    return this.pipe.ends[this.end].closed;
  }

  /** Sends a JSON value to the other end; throws ConnectionClosedError when either end is closed. */
  send(value: unknown): void {
    const problem = jsonProblem(value, 'the value');
    if (problem) throw new TypeError(`Connection.send: ${problem}`);
    this.pipe.send(this.end, value);
  }

  /** The next message; rejects with ConnectionClosedError when none is left and the other end is closed, with a TimeoutError after `timeoutMs`. */
  recv(options: { timeoutMs?: number } = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timeoutMs = checkTimeout(options.timeoutMs, 'Connection.recv');
      this.pipe.recv(APP, this.end, timeoutMs, (error, value) => (error ? reject(error) : resolve(value)));
    });
  }

  /** Whether recv would return at once (a message waits, or the other end closed), waiting up to `timeoutMs` (default 0). */
  poll(timeoutMs = 0): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const wait = checkTimeout(timeoutMs, 'Connection.poll') ?? 0;
      this.pipe.poll(APP, this.end, wait, (error, value) => (error ? reject(error) : resolve(value as boolean)));
    });
  }

  close(): void {
    this.pipe.close(APP, this.end);
  }

  toJSON(): Record<string, unknown> {
    return channelTag('pipe', this.pipe.name, { end: this.end, readable: this.readable, writable: this.writable });
  }
}

/** A pipe's two ends, as Python's Pipe(duplex): `[Connection, Connection]`. */
export function Pipe(options: PipeOptions = {}): [Connection, Connection] {
  const pipe = new PipeChannel(options);
  return [new Connection(pipe, 0), new Connection(pipe, 1)];
}
