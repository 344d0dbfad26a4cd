// Queue, Pipe, Lock, RLock, Semaphore, Event, Value, SharedArray (and the broker that serves them to processes): the
// multiprocessing objects processes share, brokered by the app.
export { Broker, defaultBroker, LookupError, type BrokerEvents, type BrokeredObject, type ChannelKind, type BlockingOptions } from './broker.js';
export { QueueFullError, QueueEmptyError, QueueClosedError, ConnectionClosedError } from './errors.js';
export { Queue, type QueueOptions } from './queue.js';
export { Pipe, PipeChannel, Connection, type PipeOptions } from './pipe.js';
export { Lock, RLock, Semaphore, type LockOptions, type LockEvents } from './locks.js';
export { Event, type EventOptions } from './event.js';
export { Value, SharedArray, type SharedOptions } from './shared-memory.js';
export type { PartyInfo } from './party.js';
