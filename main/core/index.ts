export {
  Process,
  type ProcessOptions,
  type CommandProcessOptions,
  type TargetProcessOptions,
  type ProcessEvents,
  type StopResult,
  type OutputStream,
} from './process.js';
export type { TargetError } from './process-target.js';
export { ProcessStartError, TaskFailedError, WorkerLostError, TaskCancelledError, TimeoutError, type TaskOutput } from './errors.js';
export {
  Pool,
  POOL_FINISHED_TASKS_KEPT,
  type PoolOptions,
  type PoolEvents,
  type PoolMode,
  type PoolState,
  type MapOptions,
  type ApplyAsyncOptions,
  type PoolTasksPage,
  type TasksCancelled,
} from './pool.js';
export type { PoolTask, PoolTaskState, PoolTaskError, PoolCounts } from './pool-task.js';
export { AsyncResult, type AsyncResultCallbacks } from './async-result.js';
export { expandTemplate, hasPlaceholder } from './exec-template.js';
export {
  WORKER_PROTOCOL_VERSION,
  WORKER_PROTOCOL_MINOR,
  CHANNEL_FD_ENV,
  EXIT_LINE,
  LineSplitter,
  encodeTask,
  encodeResult,
  parseWorkerLine,
  type TaskKwargs,
  type MainToWorkerMessage,
  type WorkerToMainMessage,
  type WorkerErrorInfo,
  type ParsedWorkerLine,
} from './worker-channel.js';
export {
  Sampler,
  readOwnUsage,
  createAppUsageReader,
  type SamplerOptions,
  type SamplerEvents,
  type SampleResult,
  type PidUsage,
  type TreeUsage,
  type TrackOptions,
} from './sampler.js';
export { LogStore, type LogStoreOptions, type LogStream } from './log-store.js';
export { runAuthkey, AUTHKEY_LENGTH, AUTHKEY_ENV, ADDRESS_ENV } from './authkey.js';
export {
  ChannelServer,
  ChannelConnection,
  type ChannelServerOptions,
  type ChannelServerEvents,
  type ChannelConnectionEvents,
  type ChannelMember,
  type ChannelRegistry,
  type RefusedAttempt,
} from './channel-server.js';
export {
  Broker,
  defaultBroker,
  LookupError,
  QueueFullError,
  QueueEmptyError,
  QueueClosedError,
  ConnectionClosedError,
  Queue,
  Pipe,
  PipeChannel,
  Connection,
  Lock,
  RLock,
  Semaphore,
  Event,
  Value,
  SharedArray,
  type SharedOptions,
  type BrokerEvents,
  type BrokeredObject,
  type ChannelKind,
  type BlockingOptions,
  type QueueOptions,
  type PipeOptions,
  type LockOptions,
  type LockEvents,
  type EventOptions,
  type PartyInfo,
} from './channels/index.js';
