// What the Channels view does to the broker's objects: put an item into a queue, drain one, talk on a
// pipe end the app holds, write a shared value, set or clear an event. Each names the object; a
// missing object or one of another kind is refused with the name field's error.

import type { Broker, BrokeredObject } from '../core/channels/broker.js';
import { ConnectionClosedError, QueueClosedError, QueueFullError } from '../core/channels/errors.js';
import { Event } from '../core/channels/event.js';
import { APP } from '../core/channels/party.js';
import { PipeChannel } from '../core/channels/pipe.js';
import { Queue } from '../core/channels/queue.js';
import { SharedArray, Value } from '../core/channels/shared-memory.js';
import { TimeoutError } from '../core/errors.js';
import { CommandFailure, type CommandError } from '../protocol/errors.js';

/** How long a pipe console waits for the answer to what it sent, when the caller does not say. */
const DEFAULT_REPLY_WAIT_MS = 2_000;

export class ChannelActions {
  constructor(readonly broker: Broker) {}

  /** Puts without waiting: a full or closed queue is a conflict the user reads. */
  putQueueItem(name: string, value: unknown): { size: number } {
    const queue = this.#find(name, Queue, 'a queue');
    try {
      queue.putNowait(value);
    } catch (error) {
      if (error instanceof QueueFullError || error instanceof QueueClosedError) throw refusal('conflict', 'name', `${error.message}`);
      throw error;
    }
    return { size: queue.qsize() };
  }

  /** Takes every item out (blocked putters then get their turn, and are drained too). */
  drainQueue(name: string): { drained: number } {
    const queue = this.#find(name, Queue, 'a queue');
    let drained = 0;
    while (!queue.empty()) {
      queue.getNowait();
      drained += 1;
    }
    return { drained };
  }

  /** Sends `value` on end `end` (the app must hold it), then waits up to `replyWaitMs` for what comes back on it. */
  async sendOnPipe(name: string, end: 0 | 1, value: unknown, replyWaitMs = DEFAULT_REPLY_WAIT_MS): Promise<{ replied: boolean; reply: unknown }> {
    const pipe = this.#find(name, PipeChannel, 'a pipe');
    if (!pipe.holders(end).includes(APP)) {
      throw refusal('conflict', 'end', `end ${end} of pipe ${name} is held by a process, not the app: the app sends only on an end it holds`);
    }
    try {
      pipe.send(end, value);
    } catch (error) {
      if (error instanceof ConnectionClosedError) throw refusal('conflict', 'end', `${error.message}`);
      throw error;
    }
    if (replyWaitMs === 0 || !pipe.ends[end].readable) return { replied: false, reply: null };
    return new Promise((resolve, reject) => {
      pipe.recv(APP, end, replyWaitMs, (error, reply) => {
        if (error === null) resolve({ replied: true, reply: reply ?? null });
        else if (error instanceof TimeoutError || error instanceof ConnectionClosedError) resolve({ replied: false, reply: null });
        else reject(error);
      });
    });
  }

  setSharedValue(name: string, index: number | undefined, value: number): void {
    const object = this.broker.get(name);
    if (object instanceof Value) {
      if (index !== undefined && index !== 0) throw refusal('conflict', 'index', `${name} is a Value: it has index 0 only`);
      try {
        object.value = value;
      } catch (error) {
        throw refusal('invalid', 'value', error instanceof Error ? error.message : String(error));
      }
      return;
    }
    const array = this.#find(name, SharedArray, 'a Value or an array');
    if (index === undefined) throw refusal('conflict', 'index', `${name} is an array of ${array.length}: say which position (0…${array.length - 1})`);
    if (index >= array.length) throw refusal('conflict', 'index', `${name} has ${array.length} values: index must be 0…${array.length - 1}, not ${index}`);
    try {
      array.set(index, value);
    } catch (error) {
      throw refusal('invalid', 'value', error instanceof Error ? error.message : String(error));
    }
  }

  setEvent(name: string, set: boolean): { isSet: boolean } {
    const event = this.#find(name, Event, 'an event');
    if (set) event.set();
    else event.clear();
    return { isSet: event.isSet() };
  }

  #find<T extends BrokeredObject>(name: string, type: abstract new (...args: never[]) => T, what: string): T {
    const object = this.broker.get(name);
    if (object === undefined) throw refusal('not_found', 'name', `there is no channel object named ${JSON.stringify(name)}`);
    if (!(object instanceof type)) throw refusal('conflict', 'name', `${JSON.stringify(name)} is not ${what} (its kind: ${object.kind})`);
    return object;
  }
}

/** A refusal the UI shows at `field`: the message starts with the field's name. */
function refusal(code: CommandError['code'], field: string, message: string): CommandFailure {
  return new CommandFailure({ code, field, message: `${field}: ${message}` });
}
