// The broker: serves the app's channel objects (queues, pipes, locks, events, shared values) to the
// processes connected to its channel servers. A process names an object and an operation in one JSON
// line; the broker runs it on the same object the app holds and answers by id (see "Channel objects"
// in docs/worker-protocol.md):
//   process → app  {"type":"open","id":1,"kind":"queue","name":"jobs"}
//   process → app  {"type":"op","id":2,"kind":"queue","name":"jobs","op":"get","block":true,"timeoutMs":500}
//   app → process  {"type":"reply","id":2,"ok":true,"value":…} | {"type":"reply","id":2,"ok":false,"error":{"type":"Empty","message":…}}
// A line without an id gets no answer (a put on an unbounded queue, a send on a pipe: pipelined).
// When a process's connection ends, every object drops its waiting calls and releases what it held.
// A process can make an object too (Python's `Queue()` in a program the app started):
//   process → app  {"type":"create","id":3,"kind":"queue","maxsize":0}  → reply with the object's tag
// Such an object is removed once no connected process uses it any more.
// A line without an id that fails (a put to a closed queue) is not dropped silently: the process is told
//   app → process  {"type":"dropped","kind":"queue","name":"jobs","op":"put","error":{"type":"Closed","message":…}}
// and `{"type":"sync","id":4}` is answered once every line before it was handled (a producer's check).
// A closed queue, or a pipe with both ends closed, is retired: no longer listed, still answering the
// processes that use it (a get takes what is left) until none is connected.

import { EventEmitter } from 'node:events';
import type { ChannelConnection, ChannelServer } from '../channel-server.js';
import { CARRIED_AS_TAG } from '../json-values.js';
import { toWireError } from './errors.js';
import { partyInfo, type Party, type PartyInfo } from './party.js';

export type ChannelKind = 'queue' | 'pipe' | 'lock' | 'rlock' | 'semaphore' | 'event' | 'value' | 'array';

const KINDS: readonly ChannelKind[] = ['queue', 'pipe', 'lock', 'rlock', 'semaphore', 'event', 'value', 'array'];

/** One operation a process asked for: `op` and its fields (block, timeoutMs, value, …). */
export interface ChannelRequest {
  readonly op: string;
  readonly [field: string]: unknown;
}

/** Ends an operation: with a value for the process, or an error. Called once. */
export type Respond = (error: Error | null, value?: unknown) => void;

/** What the broker needs of a channel object. */
export interface BrokeredObject {
  readonly kind: ChannelKind;
  readonly name: string;
  /** A process opened the object (by name, or from a tag in its arguments): what it needs to know of it. */
  open(party: Party, request: ChannelRequest): Record<string, unknown>;
  /** Runs `request.op` for `party`; throws a TypeError for an op or a field it does not know. */
  serve(party: Party, request: ChannelRequest, respond: Respond): void;
  /** `party`'s process ended: drop its waiting calls, release what it held. */
  partyGone(party: Party): void;
}

export interface BrokerEvents {
  /** A process ended holding a lock (or permits of a semaphore): they were released. */
  abandoned: [event: { kind: ChannelKind; name: string; holder: PartyInfo }];
  /** An object was added or removed. */
  objects: [];
}

/** The JSON tag a channel object travels as in a target's args: `{"$pooldeck":{"kind":"queue","name":"Queue-1",…}}`. */
const TAG_KEY = '$pooldeck';

export { CARRIED_AS_TAG };

export function channelTag(kind: ChannelKind, name: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { [TAG_KEY]: { kind, name, ...fields } };
}

export class Broker extends EventEmitter<BrokerEvents> {
  readonly #objects = new Map<string, BrokeredObject>();
  readonly #counters = new Map<ChannelKind, number>();
  readonly #served = new Map<ChannelServer, () => void>();
  readonly #parties = new Set<ChannelConnection>();
  /** The processes that opened or used each object, while they are connected: the Channels view's "used by". */
  readonly #users = new Map<BrokeredObject, Set<Party>>();
  /** The objects processes made, each with how to let it go once no connected process uses it. */
  readonly #made = new Map<BrokeredObject, () => void>();
  /** Objects closed in the app: not listed, still found by the processes that used them. */
  readonly #retired = new Map<string, BrokeredObject>();

  /** The objects served, oldest first. */
  get objects(): BrokeredObject[] {
    return [...this.#objects.values()];
  }

  get(name: string): BrokeredObject | undefined {
    return this.#objects.get(name);
  }

  /** The connected processes that opened `object` or asked it for something, in the order they first did. */
  users(object: BrokeredObject): PartyInfo[] {
    return [...(this.#users.get(object) ?? [])].map(partyInfo);
  }

  /**
   * The name for a new object: `name` when given (a TypeError if taken or not a non-empty string),
   * else `Queue-1`, `Lock-2`… numbered per kind, as multiprocessing names processes.
   */
  nameFor(kind: ChannelKind, label: string, name: unknown): string {
    if (name !== undefined) {
      if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
        throw new TypeError(`${label}: \`name\` must be a non-empty string of at most 200 characters, not ${JSON.stringify(name) ?? String(name)}`);
      }
      if (this.#objects.has(name)) throw new TypeError(`${label}: the name ${JSON.stringify(name)} is taken by a ${this.#objects.get(name)!.kind}; names are unique across channel objects`);
      return name;
    }
    for (;;) {
      const count = (this.#counters.get(kind) ?? 0) + 1;
      this.#counters.set(kind, count);
      const candidate = `${label}-${count}`;
      if (!this.#objects.has(candidate)) return candidate;
    }
  }

  add(object: BrokeredObject): void {
    this.#objects.set(object.name, object);
    this.#retired.delete(object.name);
    this.emit('objects');
  }

  /**
   * `object` was closed: it is no longer listed, but the processes that use it still reach it (and get
   * QueueClosedError, ConnectionClosedError, or what is left) until none of them is connected.
   */
  retire(object: BrokeredObject): void {
    if (this.#objects.get(object.name) !== object) return;
    this.#objects.delete(object.name);
    if ((this.#users.get(object)?.size ?? 0) > 0) this.#retired.set(object.name, object);
    else this.#users.delete(object);
    this.emit('objects');
  }

  /** Stops serving `object` (processes that open its name are told there is none). */
  remove(object: BrokeredObject): void {
    if (this.#objects.get(object.name) !== object) return;
    this.#objects.delete(object.name);
    this.#users.delete(object);
    this.emit('objects');
  }

  /** Serves the objects to `server`'s connections until the returned function is called. */
  serve(server: ChannelServer): () => void {
    const existing = this.#served.get(server);
    if (existing) return existing;
    const onConnection = (connection: ChannelConnection): void => this.#attach(connection);
    server.on('connection', onConnection);
    for (const connection of server.connections) this.#attach(connection);
    const stop = (): void => {
      server.off('connection', onConnection);
      this.#served.delete(server);
    };
    this.#served.set(server, stop);
    return stop;
  }

  #attach(connection: ChannelConnection): void {
    if (this.#parties.has(connection)) return;
    this.#parties.add(connection);
    connection.on('message', (message) => {
      if (message.type === 'op' || message.type === 'open' || message.type === 'create' || message.type === 'sync') this.#handle(connection, message);
    });
    connection.once('close', () => {
      this.#parties.delete(connection);
      for (const users of this.#users.values()) users.delete(connection);
      for (const object of this.#objects.values()) object.partyGone(connection);
      for (const object of this.#retired.values()) {
        object.partyGone(connection);
        if ((this.#users.get(object)?.size ?? 0) > 0) continue;
        this.#retired.delete(object.name);
        this.#users.delete(object);
      }
      for (const [object, dispose] of this.#made) {
        if ((this.#users.get(object)?.size ?? 0) > 0) continue;
        this.#made.delete(object);
        dispose();
      }
    });
  }

  /** A process's create request: the object is made, and the reply is its tag. */
  async #create(connection: ChannelConnection, message: Record<string, unknown>, respond: Respond): Promise<void> {
    try {
      // Imported when first needed: the kinds' modules import this one.
      const { makeChannelObject } = await import('./makers.js');
      const { object, tag, dispose } = makeChannelObject(this, message);
      this.#made.set(object, dispose ?? (() => this.remove(object)));
      this.#noteUser(object, connection);
      respond(null, tag);
    } catch (error) {
      respond(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #handle(connection: ChannelConnection, message: Record<string, unknown>): void {
    // Passed straight to the call, not kept in a variable: tsx (the tests', the benches') names every
    // function kept in one with a defineProperty, on a path taken once per message.
    this.#serveMessage(connection, message, (error, value) => answer(connection, message, error, value));
  }

  #serveMessage(connection: ChannelConnection, message: Record<string, unknown>, respond: Respond): void {
    try {
      if (message.type === 'create') return void this.#create(connection, message, respond);
      if (message.type === 'sync') return respond(null);
      const object = this.#find(message.kind, message.name);
      this.#noteUser(object, connection);
      if (message.type === 'open') respond(null, object.open(connection, message as unknown as ChannelRequest));
      else if (typeof message.op !== 'string') throw new TypeError('an "op" message needs "op", the operation\'s name (a string)');
      else object.serve(connection, message as unknown as ChannelRequest, respond);
    } catch (error) {
      respond(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #noteUser(object: BrokeredObject, party: Party): void {
    let users = this.#users.get(object);
    if (users === undefined) this.#users.set(object, (users = new Set()));
    users.add(party);
  }

  #find(kind: unknown, name: unknown): BrokeredObject {
    if (typeof kind !== 'string' || !KINDS.includes(kind as ChannelKind)) {
      throw new TypeError(`"kind" must be one of ${KINDS.join(', ')}, not ${JSON.stringify(kind) ?? String(kind)}`);
    }
    if (typeof name !== 'string') throw new TypeError('"name" must be the object\'s name (a string)');
    const object = this.#objects.get(name) ?? this.#retired.get(name);
    if (!object) throw new LookupError(`there is no channel object named ${JSON.stringify(name)}`);
    if (object.kind !== kind) throw new LookupError(`${JSON.stringify(name)} is a ${object.kind}, not a ${kind}`);
    return object;
  }
}

/** Ends a process's request: a reply to its id, or, for a line without one, a word only when it failed. */
function answer(connection: ChannelConnection, message: Record<string, unknown>, error: Error | null, value: unknown): void {
  const id = message.id;
  if (typeof id !== 'number' && typeof id !== 'string') {
    if (error) connection.send({ type: 'dropped', kind: message.kind, name: message.name, op: message.op, error: toWireError(error) });
    return;
  }
  if (error) connection.send({ type: 'reply', id, ok: false, error: toWireError(error) });
  else connection.send({ type: 'reply', id, ok: true, value: value ?? null });
}

/** No object has that name (Python's LookupError / KeyError family in the helpers). */
export class LookupError extends Error {
  override readonly name = 'LookupError';
}

let defaultInstance: Broker | null = null;

/** The broker objects join when given none: one per Node process, like multiprocessing's default context. */
export function defaultBroker(): Broker {
  defaultInstance ??= new Broker();
  return defaultInstance;
}

/** `block` and `timeoutMs` of a blocking call, checked: a TypeError names the field and what is valid. */
export interface BlockingOptions {
  block?: boolean;
  timeoutMs?: number;
}

export function checkBlocking(options: unknown, label: string): { block: boolean; timeoutMs: number | undefined } {
  const { block = true, timeoutMs } = (options ?? {}) as { block?: unknown; timeoutMs?: unknown };
  if (typeof block !== 'boolean') throw new TypeError(`${label}: \`block\` must be true or false, not ${JSON.stringify(block) ?? String(block)}`);
  return { block, timeoutMs: checkTimeout(timeoutMs, label) };
}

/** A wait's `timeoutMs`, checked: undefined (or null from a process) waits forever. */
export function checkTimeout(timeoutMs: unknown, label: string): number | undefined {
  if (timeoutMs === undefined || timeoutMs === null) return undefined;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`${label}: \`timeoutMs\` must be a number of milliseconds ≥ 0 (or left out to wait forever), not ${JSON.stringify(timeoutMs) ?? String(timeoutMs)}`);
  }
  return timeoutMs;
}
