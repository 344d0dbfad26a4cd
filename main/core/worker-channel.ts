// Worker protocol v1: one JSON object per line, UTF-8, '\n'-terminated, each way, on fd 3.
// This module is the codec only (encode, split, parse, validate); the Pool drives the conversation.
// The wire format is documented in docs/worker-protocol.md.

export const WORKER_PROTOCOL_VERSION = 1;

/** The environment variable naming the channel's file descriptor. */
export const CHANNEL_FD_ENV = 'POOLDECK_CHANNEL_FD';

/** Longest line accepted from a worker (a result's JSON); anything longer is a protocol error. */
export const MAX_LINE_LENGTH = 64 * 1024 * 1024;

/** How much of a bad line an error message quotes. */
const EXCERPT_LENGTH = 80;

export interface WorkerErrorInfo {
  type: string;
  message: string;
  traceback?: string;
}

export type MainToWorkerMessage = { type: 'task'; id: number; args: unknown[] } | { type: 'exit' };

export type WorkerToMainMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WorkerErrorInfo };

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
 * The `task` message for `id` and `args`, '\n'-terminated.
 * Throws a TypeError naming the problem when `args` cannot be JSON (a BigInt, a cycle).
 */
export function encodeTask(id: number, args: readonly unknown[]): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(args);
  } catch (error) {
    throw new TypeError(`task arguments are not JSON-serialisable: ${(error as Error).message}`);
  }
  if (json === undefined) throw new TypeError('task arguments are not JSON-serialisable');
  return `{"type":"task","id":${id},"args":${json}}\n`;
}

/** A result line as a worker writes it (used by tests and by the Node helper's documentation). */
export function encodeResult(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: WorkerErrorInfo }): string {
  return `${JSON.stringify(outcome.ok ? { type: 'result', id, ok: true, value: outcome.value ?? null } : { type: 'result', id, ok: false, error: outcome.error })}\n`;
}

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

/**
 * The common case, as the helpers write it: `{"type":"result","id":N,"ok":true,"value":V}`.
 * Parses only V; returns null (use the full parse) for anything else, including a V that is not
 * valid JSON on its own (e.g. more fields after it).
 */
function parseOkResultFast(line: string): ParsedWorkerLine | null {
  if (!line.startsWith(OK_PREFIX) || line.charCodeAt(line.length - 1) !== 125 /* } */) return null;
  let i = OK_PREFIX.length;
  const digitsStart = i;
  while (i < line.length && i - digitsStart < 16) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i += 1;
  }
  if (i === digitsStart || i - digitsStart >= 16 || !line.startsWith(OK_MIDDLE, i)) return null;
  if (i - digitsStart > 1 && line.charCodeAt(digitsStart) === 48) return null; // leading zero: not JSON
  const id = Number(line.slice(digitsStart, i));
  let value: unknown;
  try {
    value = JSON.parse(line.slice(i + OK_MIDDLE.length, -1));
  } catch {
    return null;
  }
  return { kind: 'message', message: { type: 'result', id, ok: true, value } };
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
  if (type === 'result') {
    const id = data.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return invalid('"id" must be an integer', text);
    if (data.ok === true) return { kind: 'message', message: { type: 'result', id, ok: true, value: data.value === undefined ? null : data.value } };
    if (data.ok !== false) return invalid('"ok" must be true or false', text);
    const error = data.error;
    if (!isPlainObject(error)) return invalid('"error" must be an object when "ok" is false', text);
    if (typeof error.message !== 'string') return invalid('"error.message" must be a string', text);
    if (error.type !== undefined && typeof error.type !== 'string') return invalid('"error.type" must be a string', text);
    const info: WorkerErrorInfo = { type: typeof error.type === 'string' && error.type !== '' ? error.type : 'Error', message: error.message };
    if (typeof error.traceback === 'string' && error.traceback !== '') info.traceback = error.traceback;
    return { kind: 'message', message: { type: 'result', id, ok: false, error: info } };
  }
  if (type === 'ready') return { kind: 'message', message: { type: 'ready' } };
  return { kind: 'ignored', type };
}

/**
 * Splits a stream of text into '\n'-terminated lines across chunk boundaries.
 * Feed it decoded strings (decode with a StringDecoder or `setEncoding('utf8')` so that a
 * multi-byte character cut between chunks stays whole).
 */
export class LineSplitter {
  #rest = '';
  readonly maxLineLength: number;

  constructor(maxLineLength = MAX_LINE_LENGTH) {
    this.maxLineLength = maxLineLength;
  }

  /** Text received after the last '\n'. */
  get pending(): string {
    return this.#rest;
  }

  /**
   * Calls `onLine` for each complete line in `chunk`; stops early when `onLine` returns false.
   * Throws a RangeError when an unterminated line grows beyond `maxLineLength`.
   */
  push(chunk: string, onLine: (line: string) => boolean | void): void {
    let text = this.#rest.length === 0 ? chunk : this.#rest + chunk;
    let start = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      const line = text.slice(start, end);
      start = end + 1;
      if (onLine(line) === false) {
        this.#rest = '';
        return;
      }
      end = text.indexOf('\n', start);
    }
    text = start === 0 ? text : text.slice(start);
    if (text.length > this.maxLineLength) {
      this.#rest = '';
      throw new RangeError(`a line longer than ${this.maxLineLength} characters without a newline (starts ${quoteExcerpt(text)})`);
    }
    this.#rest = text;
  }
}
