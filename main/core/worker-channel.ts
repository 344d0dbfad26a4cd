// Worker protocol v1.1: one JSON object per line, UTF-8, '\n'-terminated, each way, on fd 3 or the worker's socket (worker-socket.ts).
// This module is the codec only (encode, split, parse, validate); the Pool drives the conversation.
// The wire format is documented in docs/worker-protocol.md.

/** The protocol's major version: `version` in a ready or hello message. A worker sending only this speaks 1.0. */
export const WORKER_PROTOCOL_VERSION = 1;
/** Its minor version, `minor` beside `version`: 1 added the channel at POOLDECK_ADDRESS, compatibly. */
export const WORKER_PROTOCOL_MINOR = 1;

/** The environment variable naming the channel's file descriptor. */
export const CHANNEL_FD_ENV = 'POOLDECK_CHANNEL_FD';

/** Longest line accepted from a worker (a result's JSON); anything longer is a protocol error. */
const MAX_LINE_LENGTH = 64 * 1024 * 1024;

/** How much of a bad line an error message quotes. */
const EXCERPT_LENGTH = 80;

export interface WorkerErrorInfo {
  type: string;
  message: string;
  traceback?: string;
}

/** Keyword arguments of a task: Python's `**kwargs`; the Node helper passes them as one last argument. */
export type TaskKwargs = Record<string, unknown>;

export type MainToWorkerMessage =
  /** `kwargs` only when the caller gave some (a worker that does not know kwargs never sees it otherwise). */
  | { type: 'task'; id: number; args: unknown[]; kwargs?: TaskKwargs }
  /** The batch extension: only sent to a worker whose `ready` said `"batch": true`. */
  | { type: 'batch'; id: number; args: unknown[][] }
  /** The same for a map: each item is its task's only argument. */
  | { type: 'batch'; id: number; items: unknown[] }
  | { type: 'exit' };

export type WorkerToMainMessage =
  /**
   * `batch` is present (true) only when the worker opted in to the batch extension; `version` and
   * `minor` are the protocol version the worker speaks (the helpers send WORKER_PROTOCOL_VERSION and
   * WORKER_PROTOCOL_MINOR; a v1.0 worker sends no `minor`).
   */
  | { type: 'ready'; batch?: true; version?: number; minor?: number }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WorkerErrorInfo }
  | { type: 'batch_result'; id: number; ok: true; values: unknown[] }
  /** Item `index` of the batch failed; the items after it were not run. */
  | { type: 'batch_result'; id: number; ok: false; index: number; error: WorkerErrorInfo };

export type ParsedWorkerLine =
  /** A valid v1 message. */
  | { kind: 'message'; message: WorkerToMainMessage }
  /** A well-formed message of a type this version does not know: ignored, to leave room for later types. */
  | { kind: 'ignored'; type: string }
  /** A blank line: ignored. */
  | { kind: 'blank' }
  /** Not protocol: `reason` says why, `excerpt` quotes the start of the line. */
  | { kind: 'invalid'; reason: string; excerpt: string };

/** The `exit` message, ready to write. */
export const EXIT_LINE = '{"type":"exit"}\n';

/**
 * The `task` message for `id`, `args` and, when given and not empty, `kwargs`; '\n'-terminated.
 * Throws a TypeError naming the problem when they cannot be JSON (a BigInt, a cycle).
 */
export function encodeTask(id: number, args: readonly unknown[], kwargs?: TaskKwargs): string {
  if (kwargs === undefined || Object.keys(kwargs).length === 0) return `{"type":"task","id":${id},"args":${argumentsJson(args)}}\n`;
  return `{"type":"task","id":${id},"args":${argumentsJson(args)},"kwargs":${argumentsJson(kwargs)}}\n`;
}

/** The arguments of a `task` line made by encodeTask (to show a queued task, which keeps only its line). */
export function decodeTaskLine(line: string): { args: unknown[]; kwargs?: Record<string, unknown> } {
  const message = JSON.parse(line) as { args: unknown[]; kwargs?: Record<string, unknown> };
  return message.kwargs === undefined ? { args: message.args } : { args: message.args, kwargs: message.kwargs };
}

/**
 * The `batch` message for `id`, '\n'-terminated, from the JSON text of its argument lists (`star`:
 * an array of arrays, sent as `args`) or of its items (each the only argument, sent as `items`).
 * The caller stringifies once for the whole chunk, which is the point of batches.
 */
export function encodeBatch(id: number, json: string, star: boolean): string {
  return star ? `{"type":"batch","id":${id},"args":${json}}\n` : `{"type":"batch","id":${id},"items":${json}}\n`;
}

/** JSON text of `value`, or a TypeError saying why task arguments cannot be sent. */
export function argumentsJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`task arguments are not JSON-serialisable: ${(error as Error).message}`, { cause: error });
  }
  if (json === undefined) throw new TypeError('task arguments are not JSON-serialisable');
  return json;
}

/** A result line as a worker writes it (used by tests and by the Node helper's documentation). */
export function encodeResult(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: WorkerErrorInfo }): string {
  return `${JSON.stringify(outcome.ok ? { type: 'result', id, ok: true, value: outcome.value ?? null } : { type: 'result', id, ok: false, error: outcome.error })}\n`;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point: they are escaped when quoted
const CONTROL = /[\u0000-\u001f\u007f]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The start of `line` between single quotes, as written (so it can be searched for), with control
 * characters escaped and an ellipsis when cut.
 */
export function quoteExcerpt(line: string, max = EXCERPT_LENGTH): string {
  const text = line.length > max ? `${line.slice(0, max)}…` : line;
  return `'${text.replace(CONTROL, (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

function invalid(reason: string, line: string): ParsedWorkerLine {
  return { kind: 'invalid', reason, excerpt: quoteExcerpt(line) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const OK_PREFIX = '{"type":"result","id":';
const OK_MIDDLE = ',"ok":true,"value":';
const BATCH_OK_PREFIX = '{"type":"batch_result","id":';
const BATCH_OK_MIDDLE = ',"ok":true,"values":';

/**
 * The common case, as the helpers write it: `{"type":"result","id":N,"ok":true,"value":V}` (or
 * `{"type":"batch_result","id":N,"ok":true,"values":[…]}`). Parses only V, so a big batch costs one
 * JSON.parse of its values; returns null (use the full parse) for anything else, including a V that
 * is not valid JSON on its own (e.g. more fields after it).
 */
function parseOkResultFast(line: string): ParsedWorkerLine | null {
  if (line.charCodeAt(line.length - 1) !== 125 /* } */) return null;
  let prefix: string;
  let middle: string;
  if (line.startsWith(OK_PREFIX)) {
    prefix = OK_PREFIX;
    middle = OK_MIDDLE;
  } else if (line.startsWith(BATCH_OK_PREFIX)) {
    prefix = BATCH_OK_PREFIX;
    middle = BATCH_OK_MIDDLE;
  } else {
    return null;
  }
  let i = prefix.length;
  const digitsStart = i;
  while (i < line.length && i - digitsStart < 16) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i += 1;
  }
  if (i === digitsStart || i - digitsStart >= 16 || !line.startsWith(middle, i)) return null;
  if (i - digitsStart > 1 && line.charCodeAt(digitsStart) === 48) return null; // leading zero: not JSON
  const id = Number(line.slice(digitsStart, i));
  let value: unknown;
  try {
    value = JSON.parse(line.slice(i + middle.length, -1));
  } catch {
    return null;
  }
  if (prefix === OK_PREFIX) return { kind: 'message', message: { type: 'result', id, ok: true, value } };
  if (!Array.isArray(value)) return null;
  return { kind: 'message', message: { type: 'batch_result', id, ok: true, values: value } };
}

/**
 * Parses and validates one line from a worker (without its '\n'; a trailing '\r' is tolerated).
 * Lenient where it costs nothing: a result with `ok: true` and no `value` has value null; an error
 * without `type` is an `Error`; a non-string traceback is dropped.
 */
export function parseWorkerLine(line: string): ParsedWorkerLine {
  const fast = parseOkResultFast(line);
  if (fast !== null) return fast;
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return { kind: 'blank' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return invalid('not JSON', text);
  }
  if (!isPlainObject(data)) return invalid('not a JSON object', text);
  const type = data.type;
  if (typeof type !== 'string') return invalid('no string "type" field', text);
  if (type === 'result' || type === 'batch_result') {
    const id = data.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return invalid('"id" must be an integer', text);
    if (data.ok === true) {
      if (type === 'result') return { kind: 'message', message: { type: 'result', id, ok: true, value: data.value === undefined ? null : data.value } };
      if (!Array.isArray(data.values)) return invalid('"values" must be an array when "ok" is true', text);
      return { kind: 'message', message: { type: 'batch_result', id, ok: true, values: data.values } };
    }
    if (data.ok !== false) return invalid('"ok" must be true or false', text);
    const error = data.error;
    if (!isPlainObject(error)) return invalid('"error" must be an object when "ok" is false', text);
    if (typeof error.message !== 'string') return invalid('"error.message" must be a string', text);
    if (error.type !== undefined && typeof error.type !== 'string') return invalid('"error.type" must be a string', text);
    const info: WorkerErrorInfo = { type: typeof error.type === 'string' && error.type !== '' ? error.type : 'Error', message: error.message };
    if (typeof error.traceback === 'string' && error.traceback !== '') info.traceback = error.traceback;
    if (type === 'result') return { kind: 'message', message: { type: 'result', id, ok: false, error: info } };
    const index = data.index;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return invalid('"index" must be an integer ≥ 0 when "ok" is false', text);
    return { kind: 'message', message: { type: 'batch_result', id, ok: false, index, error: info } };
  }
  if (type === 'ready') {
    const ready: Extract<WorkerToMainMessage, { type: 'ready' }> = { type: 'ready' };
    if (data.batch === true) ready.batch = true;
    if (typeof data.version === 'number' && Number.isSafeInteger(data.version)) ready.version = data.version;
    if (typeof data.minor === 'number' && Number.isSafeInteger(data.minor)) ready.minor = data.minor;
    return { kind: 'message', message: ready };
  }
  return { kind: 'ignored', type };
}

/**
 * Splits a stream of text into '\n'-terminated lines across chunk boundaries.
 * Feed it decoded strings (decode with a StringDecoder or `setEncoding('utf8')` so that a
 * multi-byte character cut between chunks stays whole).
 */
export class LineSplitter {
  /**
   * Text received after the last '\n', in the pieces it came in: a long line (a batch's values)
   * arrives in many chunks, and joining them once, at its end, keeps that linear.
   */
  #pieces: string[] = [];
  #pendingLength = 0;
  readonly maxLineLength: number;

  constructor(maxLineLength = MAX_LINE_LENGTH) {
    this.maxLineLength = maxLineLength;
  }

  /** Text received after the last '\n'. */
  get pending(): string {
    return this.#pieces.join('');
  }

  /**
   * Calls `onLine` for each complete line in `chunk`; stops early when `onLine` returns false.
   * Throws a RangeError when an unterminated line grows beyond `maxLineLength`.
   */
  push(chunk: string, onLine: (line: string) => boolean | void): void {
    let end = chunk.indexOf('\n');
    if (end === -1) {
      this.#keep(chunk);
      return;
    }
    let start = 0;
    if (this.#pieces.length > 0) {
      this.#pieces.push(chunk.slice(0, end));
      const line = this.#pieces.join('');
      this.#pieces = [];
      this.#pendingLength = 0;
      start = end + 1;
      if (onLine(line) === false) return;
      end = chunk.indexOf('\n', start);
    }
    while (end !== -1) {
      const line = chunk.slice(start, end);
      start = end + 1;
      if (onLine(line) === false) return;
      end = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.#keep(start === 0 ? chunk : chunk.slice(start));
  }

  #keep(text: string): void {
    this.#pieces.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength > this.maxLineLength) {
      const pending = this.#pieces.join('');
      this.#pieces = [];
      this.#pendingLength = 0;
      throw new RangeError(`a line longer than ${this.maxLineLength} characters without a newline (starts ${quoteExcerpt(pending)})`);
    }
  }
}
