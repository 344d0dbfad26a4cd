// The objects a process can make with a create request (a Python program's `Queue()`, `Pipe()`,
// `Value('i', 0)`…): each kind from the request's fields, checked by its constructor.

import type { Broker, BrokeredObject } from './broker.js';
import { Event } from './event.js';
import { Lock, RLock, Semaphore } from './locks.js';
import { PipeChannel } from './pipe.js';
import { Queue } from './queue.js';
import { SharedArray, Value } from './shared-memory.js';

interface Made {
  object: BrokeredObject;
  /** What the process is told of it (as `open` answers). */
  tag: Record<string, unknown>;
  /** Lets it go once no process uses it; default: the broker stops serving it. */
  dispose?: () => void;
}

export function makeChannelObject(broker: Broker, request: Record<string, unknown>): Made {
  switch (request.kind) {
    case 'queue': {
      const queue = new Queue({ broker, maxsize: (request.maxsize ?? 0) as number });
      return { object: queue, tag: queue.open() };
    }
    case 'pipe': {
      const pipe = new PipeChannel({ broker, duplex: (request.duplex ?? true) as boolean });
      return { object: pipe, tag: { kind: 'pipe', name: pipe.name, duplex: pipe.duplex } };
    }
    case 'lock':
    case 'rlock': {
      const lock = request.kind === 'lock' ? new Lock({ broker }) : new RLock({ broker });
      return { object: lock, tag: lock.open() };
    }
    case 'semaphore': {
      const semaphore = new Semaphore((request.value ?? 1) as number, { broker });
      return { object: semaphore, tag: semaphore.open() };
    }
    case 'event': {
      const event = new Event({ broker });
      return { object: event, tag: event.open() };
    }
    case 'value': {
      const value = new Value(request.typecode as string, (request.initial ?? 0) as number, { broker });
      return { object: value, tag: value.open(), dispose: () => value.close() };
    }
    case 'array': {
      const array = new SharedArray(request.typecode as string, (request.values ?? request.length) as number | number[], { broker });
      return { object: array, tag: array.open(), dispose: () => array.close() };
    }
    default:
      throw new TypeError(`"kind" must be one of queue, pipe, lock, rlock, semaphore, event, value, array to create an object, not ${JSON.stringify(request.kind) ?? String(request.kind)}`);
  }
}
