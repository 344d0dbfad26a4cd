// The errors of the channel objects, as Python's: queue.Full, queue.Empty, a closed queue, EOFError.
// Each has a `wireType`, the name it travels under between the broker and the helpers, which raise
// the matching Python exception (queue.Full, queue.Empty, ValueError, EOFError) or Node error.

/** `put` found the queue full and was not to block, or blocked past its timeout (Python's queue.Full). */
export class QueueFullError extends Error {
  static readonly wireType = 'Full';
  override readonly name = 'QueueFullError';
}

/** `get` found the queue empty and was not to block, or blocked past its timeout (Python's queue.Empty). */
export class QueueEmptyError extends Error {
  static readonly wireType = 'Empty';
  override readonly name = 'QueueEmptyError';
}

/** The queue was closed: no more puts, and a get that finds it empty (or waits on it) ends. */
export class QueueClosedError extends Error {
  static readonly wireType = 'Closed';
  override readonly name = 'QueueClosedError';
}

/** Nothing is left to receive and the other end was closed or its process ended (Python's EOFError). */
export class ConnectionClosedError extends Error {
  static readonly wireType = 'EOF';
  override readonly name = 'ConnectionClosedError';
}

/** An error as it travels to a helper: `type` picks the exception it raises. */
export interface WireError {
  type: string;
  message: string;
}

const WIRE_TYPES = new Map<string, string>([
  ['QueueFullError', QueueFullError.wireType],
  ['QueueEmptyError', QueueEmptyError.wireType],
  ['QueueClosedError', QueueClosedError.wireType],
  ['ConnectionClosedError', ConnectionClosedError.wireType],
]);

/** `error` for the wire: the four errors above by their wire type, anything else by its name (TypeError, RangeError, …). */
export function toWireError(error: Error): WireError {
  return { type: WIRE_TYPES.get(error.name) ?? error.name, message: error.message };
}
