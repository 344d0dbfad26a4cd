// Event: multiprocessing.Event, brokered by the app. set() wakes every waiter at once.

import { CARRIED_AS_TAG, channelTag, checkTimeout, defaultBroker, type Broker, type BrokeredObject, type ChannelRequest, type Respond } from './broker.js';
import { APP, partyInfo, type Party, type PartyInfo } from './party.js';
import { WaitList } from './wait-list.js';

export interface EventOptions {
  /** Unique among the broker's objects; processes open it by this name. Default `Event-1`, … */
  name?: string;
  broker?: Broker;
}

export class Event implements BrokeredObject {
  readonly kind = 'event';
  readonly name: string;
  readonly broker: Broker;
  readonly [CARRIED_AS_TAG] = true;
  readonly #waiters = new WaitList<boolean>();
  #flag = false;

  constructor(options: EventOptions = {}) {
    this.broker = options.broker ?? defaultBroker();
    this.name = this.broker.nameFor('event', 'Event', options.name);
    this.broker.add(this);
  }

  isSet(): boolean {
    return this.#flag;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    this.#flag = true;
    for (let waiter = this.#waiters.shift(); waiter; waiter = this.#waiters.shift()) waiter.settle(null, true);
  }

  clear(): void {
    this.#flag = false;
  }

  /** true once the flag is set (at once if it is); false after `timeoutMs` without it. */
  wait(timeoutMs?: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#wait(APP, checkTimeout(timeoutMs, 'Event.wait'), (error, value) => (error ? reject(error) : resolve(value as boolean)));
    });
  }

  /** Who waits, oldest first. */
  waiting(): PartyInfo[] {
    return this.#waiters.parties().map(partyInfo);
  }

  toJSON(): Record<string, unknown> {
    return channelTag('event', this.name);
  }

  open(): Record<string, unknown> {
    return { kind: 'event', name: this.name };
  }

  serve(party: Party, request: ChannelRequest, respond: Respond): void {
    switch (request.op) {
      case 'set':
        this.set();
        return respond(null);
      case 'clear':
        this.clear();
        return respond(null);
      case 'isSet':
        return respond(null, this.#flag);
      case 'wait':
        return this.#wait(party, checkTimeout(request.timeoutMs, 'wait'), respond);
      default:
        throw new TypeError(`an event has no op ${JSON.stringify(request.op)} (set, clear, isSet, wait)`);
    }
  }

  partyGone(party: Party): void {
    this.#waiters.dropParty(party);
  }

  #wait(party: Party, timeoutMs: number | undefined, done: Respond): void {
    if (this.#flag) return done(null, true);
    this.#waiters.add(party, undefined, timeoutMs, () => ({ error: null, value: false }), done);
  }
}
