export { Process, type ProcessOptions, type ProcessEvents, type StopResult, type OutputStream } from './process.js';
export { ProcessStartError, TaskFailedError, WorkerLostError, TaskCancelledError, TimeoutError, type TaskOutput } from './errors.js';
