// Lock, RLock and Semaphore, brokered by the app. Each remembers who holds it, so that when a
// process ends holding it the permits come back, the next acquire succeeds and an `abandoned` event
// names the process (multiprocessing deadlocks instead).

import { EventEmitter } from 'node:events';
import { channelTag, CARRIED_AS_TAG, checkBlocking, defaultBroker, type BlockingOptions, type Broker, type BrokeredObject, type ChannelKind, type ChannelRequest, type Respond } from './broker.js';
import { APP, partyInfo, type Party, type PartyInfo } from './party.js';
import { WaitList } from './wait-list.js';

export interface LockOptions {
  /** Unique among the broker's objects; processes open it by this name. Default `Lock-1`, `RLock-1`, `Semaphore-1`, … */
  name?: string;
  broker?: Broker;
}

export interface LockEvents {
  /** A process ended holding it: its permits were released. */
  abandoned: [holder: PartyInfo];
}

/** An acquire's answer to a process: acquired or not, and who died holding it if that is why it is free. */
interface Acquired {
  acquired: boolean;
  abandonedBy?: PartyInfo;
}

/**
 * Permits handed out to holders, with waiting acquirers served in order. A holder is a party and,
 * for an RLock, an owner token within it (a thread).
 */
abstract class PermitLock extends EventEmitter<LockEvents> implements BrokeredObject {
  abstract readonly kind: ChannelKind;
  readonly name: string;
  readonly broker: Broker;
  readonly [CARRIED_AS_TAG] = true;
  /** Permits each party holds (for an RLock: its recursion depth). */
  protected readonly held = new Map<Party, number>();
  /** When each holder took its first permit: the Channels view shows how long it has held it. */
  readonly #heldSince = new Map<Party, number>();
  protected readonly waiters = new WaitList<Acquired>();
  /** The process that died holding it, told to the next acquirer. */
  #abandonedBy: PartyInfo | null = null;

  constructor(kind: ChannelKind, label: string, options: LockOptions) {
    super();
    this.broker = options.broker ?? defaultBroker();
    this.name = this.broker.nameFor(kind, label, options.name);
  }

  /** Takes a permit: true once taken; false when `block` is false and none is free, or after `timeoutMs`. */
  acquire(options: BlockingOptions = {}): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const { block, timeoutMs } = checkBlocking(options, `${this.constructor.name}.acquire`);
      this.acquireFor(APP, null, block, timeoutMs, (error, value) => (error ? reject(error) : resolve((value as Acquired).acquired)));
    });
  }

  /** Gives a permit back; throws when nothing is held (as Python's release of an unlocked lock). */
  release(): void {
    this.releaseFor(APP, null);
  }

  /** Who holds it now, with how many permits (an RLock: its depth) and since when (ms since the epoch). */
  holders(): { holder: PartyInfo; count: number; since: number }[] {
    return [...this.held].map(([party, count]) => ({ holder: partyInfo(party), count, since: this.#heldSince.get(party) ?? Date.now() }));
  }

  /** Who waits to acquire, oldest first. */
  waiting(): PartyInfo[] {
    return this.waiters.parties().map(partyInfo);
  }

  toJSON(): Record<string, unknown> {
    return channelTag(this.kind, this.name);
  }

  open(): Record<string, unknown> {
    return { kind: this.kind, name: this.name };
  }

  serve(party: Party, request: ChannelRequest, respond: Respond): void {
    const owner = request.owner === undefined ? null : String(request.owner);
    switch (request.op) {
      case 'acquire': {
        const { block, timeoutMs } = checkBlocking(request, 'acquire');
        return this.acquireFor(party, owner, block, timeoutMs, respond);
      }
      case 'release':
        this.releaseFor(party, owner);
        return respond(null);
      default:
        throw new TypeError(`a ${this.kind} has no op ${JSON.stringify(request.op)} (acquire, release)`);
    }
  }

  partyGone(party: Party): void {
    this.waiters.dropParty(party);
    const count = this.held.get(party);
    if (count === undefined) return;
    this.held.delete(party);
    this.#heldSince.delete(party);
    this.returnPermits(count, party);
    const holder = partyInfo(party);
    this.#abandonedBy = holder;
    this.emit('abandoned', holder);
    this.broker.emit('abandoned', { kind: this.kind, name: this.name, holder });
    this.wake();
  }

  protected acquireFor(party: Party, owner: string | null, block: boolean, timeoutMs: number | undefined, done: Respond): void {
    if (this.waiters.length === 0 && this.tryTake(party, owner)) return done(null, this.#grant());
    if (!block) return done(null, { acquired: false });
    this.waiters.add(party, owner, timeoutMs, () => ({ error: null, value: { acquired: false } }), done);
  }

  protected releaseFor(party: Party, owner: string | null): void {
    this.give(party, owner);
    this.wake();
  }

  /** Serves waiting acquirers, oldest first, while permits are free. */
  protected wake(): void {
    for (let first = this.waiters.first(); first && this.tryTake(first.party, first.payload as string | null); first = this.waiters.first()) {
      this.waiters.shift();
      first.settle(null, this.#grant());
    }
  }

  #grant(): Acquired {
    const abandonedBy = this.#abandonedBy;
    this.#abandonedBy = null;
    return abandonedBy ? { acquired: true, abandonedBy } : { acquired: true };
  }

  protected count(party: Party, delta: number): void {
    const next = (this.held.get(party) ?? 0) + delta;
    if (next > 0 && !this.held.has(party)) this.#heldSince.set(party, Date.now());
    if (next > 0) this.held.set(party, next);
    else {
      this.held.delete(party);
      this.#heldSince.delete(party);
    }
  }

  /** Takes a permit for `party` (and `owner`) if one is free. */
  protected abstract tryTake(party: Party, owner: string | null): boolean;
  /** Gives one back; throws (a RangeError, as Python's ValueError) when it is not held. */
  protected abstract give(party: Party, owner: string | null): void;
  /** `count` permits a dead party held come back. */
  protected abstract returnPermits(count: number, party: Party): void;
}

/** multiprocessing.Lock: one holder; any process may release it, as in Python. */
export class Lock extends PermitLock {
  readonly kind = 'lock';
  #holder: Party | null = null;

  constructor(options: LockOptions = {}) {
    super('lock', 'Lock', options);
    this.broker.add(this);
  }

  locked(): boolean {
    return this.#holder !== null;
  }

  protected tryTake(party: Party): boolean {
    if (this.#holder !== null) return false;
    this.#holder = party;
    this.count(party, 1);
    return true;
  }

  protected give(): void {
    if (this.#holder === null) throw new RangeError(`lock ${this.name} released while unlocked`);
    this.count(this.#holder, -1);
    this.#holder = null;
  }

  protected returnPermits(): void {
    this.#holder = null;
  }
}

/** multiprocessing.RLock: its owner (a process's thread) may acquire it again; only the owner releases. */
export class RLock extends PermitLock {
  readonly kind = 'rlock';
  #owner: { party: Party; token: string | null } | null = null;
  #depth = 0;

  constructor(options: LockOptions = {}) {
    super('rlock', 'RLock', options);
    this.broker.add(this);
  }

  protected tryTake(party: Party, owner: string | null): boolean {
    if (this.#owner !== null && (this.#owner.party !== party || this.#owner.token !== owner)) return false;
    this.#owner ??= { party, token: owner };
    this.#depth += 1;
    this.count(party, 1);
    return true;
  }

  protected give(party: Party, owner: string | null): void {
    if (this.#owner === null || this.#owner.party !== party || this.#owner.token !== owner) {
      throw new RangeError(`rlock ${this.name} released by a process or thread that does not hold it`);
    }
    this.#depth -= 1;
    this.count(party, -1);
    if (this.#depth === 0) this.#owner = null;
  }

  protected returnPermits(): void {
    this.#owner = null;
    this.#depth = 0;
  }
}

/** multiprocessing.Semaphore(value): `value` permits; release adds one (beyond the start, as Python's). */
export class Semaphore extends PermitLock {
  readonly kind = 'semaphore';
  #value: number;

  constructor(value = 1, options: LockOptions = {}) {
    super('semaphore', 'Semaphore', options);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`Semaphore: the value must be an integer ≥ 0, the permits at the start, not ${JSON.stringify(value) ?? String(value)}`);
    }
    this.#value = value;
    this.broker.add(this);
  }

  /** Free permits now (Python's get_value). */
  getValue(): number {
    return this.#value;
  }

  override open(): Record<string, unknown> {
    return { kind: this.kind, name: this.name, value: this.#value };
  }

  override serve(party: Party, request: ChannelRequest, respond: Respond): void {
    if (request.op === 'getValue') return respond(null, this.#value);
    super.serve(party, request, respond);
  }

  protected tryTake(party: Party): boolean {
    if (this.#value === 0) return false;
    this.#value -= 1;
    this.count(party, 1);
    return true;
  }

  protected give(party: Party): void {
    this.#value += 1;
    this.count(party, -1);
  }

  protected returnPermits(count: number): void {
    this.#value += count;
  }
}
