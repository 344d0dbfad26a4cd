// Turns a process's output bytes into lines, per stream: joins lines split across chunks, cuts lines
// longer than maxLineBytes (never inside a UTF-8 character), drops the CR of CRLF, and keeps the line a
// stream has begun without ending yet. A chunk carrying more than the tail can hold (a flood) is not
// turned into line objects only to be evicted at once: the part that cannot survive is only counted,
// and the rest is kept raw ("deferred") until someone reads the tail or another line arrives.
import type { OutputStream } from './process.js';

/** A line a stream has begun but not ended (a prompt, a progress bar), as it stands now. */
export interface PartialTailLine {
  stream: OutputStream;
  text: string;
  /** When its first byte arrived. */
  time: number;
}

/** Where the lines go: the tail. */
export interface LineSink {
  line(stream: OutputStream, text: string, time: number): void;
  /** Lines nobody will see: they only use up sequence numbers (and empty the tail). */
  skip(count: number): void;
}

export interface SplitterLimits {
  maxLineBytes: number;
  /** What the tail holds: a chunk with more complete lines than this is a flood. */
  tailLines: number;
  tailBytes: number;
}

interface PartialLine {
  parts: Buffer[];
  bytes: number;
  time: number;
}

/** The kept end of a flood chunk: complete lines, not yet line objects. */
interface Deferred {
  stream: OutputStream;
  /** The lines, without the last newline. */
  buffer: Buffer;
  time: number;
  lines: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  #deferred: Deferred | null = null;
  readonly #partials: Record<OutputStream, PartialLine> = {
    stdout: { parts: [], bytes: 0, time: 0 },
    stderr: { parts: [], bytes: 0, time: 0 },
  };

  constructor(
    private readonly limits: SplitterLimits,
    private readonly sink: LineSink,
  ) {}

  push(stream: OutputStream, chunk: Buffer, now: number): void {
    let start = this.#flood(stream, chunk, now);
    const length = chunk.length;
    while (start < length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.#segment(stream, chunk, start, length, false, now);
        return;
      }
      this.#segment(stream, chunk, start, newline, true, now);
      start = newline + 1;
    }
  }

  /** Turns deferred flood lines into lines (call before anything reads or adds to the tail). */
  materialize(): void {
    const deferred = this.#deferred;
    if (deferred === null) return;
    this.#deferred = null;
    const { stream, buffer, time } = deferred;
    let start = 0;
    while (start <= buffer.length) {
      let end = buffer.indexOf(NEWLINE, start);
      if (end === -1) end = buffer.length;
      this.#emitComplete(stream, buffer, start, end, time);
      start = end + 1;
    }
  }

  /**
   * The line each stream has begun without ending it yet, as a terminal would show it now: what follows
   * its last carriage return (a progress bar redraws itself that way).
   */
  partialLines(): PartialTailLine[] {
    const found: PartialTailLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.#partials[stream];
      if (partial.bytes === 0) continue;
      if (partial.parts.length > 1) partial.parts = [Buffer.concat(partial.parts)];
      // stream: true leaves out a character whose last bytes have not arrived yet.
      const text = terminalLineText(new TextDecoder().decode(partial.parts[0], { stream: true }));
      if (text.length > 0) found.push({ stream, text, time: partial.time });
    }
    return found;
  }

  /** The output ended: each line begun becomes a line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.#partials[stream];
      if (partial.bytes === 0) continue;
      const joined = Buffer.concat(partial.parts);
      partial.parts = [];
      partial.bytes = 0;
      this.#emit(stream, joined, 0, joined.length, partial.time);
    }
  }

  /**
   * A chunk whose complete lines alone fill the tail: everything in the tail, and the lines of the chunk
   * that do not fit, would be evicted at once. Returns where the rest of the chunk (its unterminated end,
   * or all of it when it is no flood) begins.
   */
  #flood(stream: OutputStream, chunk: Buffer, now: number): number {
    const { tailLines, tailBytes, maxLineBytes: max } = this.limits;
    const length = chunk.length;
    if (length < tailLines && length <= tailBytes) return 0;
    const last = chunk.lastIndexOf(NEWLINE);
    if (last <= 0) return 0;
    // Walk back from the last newline until the lines after `cut` fill the tail by count or by bytes.
    let cut = -1;
    let lines = 0;
    let lineEnd = last;
    for (let i = last - 1; i >= 0; i--) {
      if (chunk[i] !== NEWLINE) continue;
      const lineBytes = lineEnd - i - 1;
      lines += lineBytes > max ? Math.ceil(lineBytes / max) : 1;
      if (lines >= tailLines || last - i >= tailBytes) {
        cut = i;
        break;
      }
      lineEnd = i;
    }
    if (cut < 0) return 0;

    const deferred = this.#deferred;
    this.#deferred = null;
    // Every newline up to `cut` ends a line nobody will see (the first one also ends the partial line).
    this.sink.skip((deferred?.lines ?? 0) + countNewlines(chunk, 0, cut + 1));
    const partial = this.#partials[stream];
    partial.parts = [];
    partial.bytes = 0;
    this.#deferred = { stream, buffer: chunk.subarray(cut + 1, last), time: now, lines: countNewlines(chunk, cut + 1, last + 1) };
    return last + 1;
  }

  /** One complete line, buffer[start, end), cut into pieces if too long. */
  #emitComplete(stream: OutputStream, buffer: Buffer, start: number, end: number, time: number): void {
    const max = this.limits.maxLineBytes;
    while (end - start > max) {
      let cut = characterBoundary(buffer, start, start + max);
      if (cut === start) cut = start + max;
      this.#emit(stream, buffer, start, cut, time);
      start = cut;
    }
    this.#emit(stream, buffer, start, end, time);
  }

  /** Bytes [start, end) of `chunk`, ended by a newline when `terminated`. */
  #segment(stream: OutputStream, chunk: Buffer, start: number, end: number, terminated: boolean, now: number): void {
    const partial = this.#partials[stream];
    start = this.#dropRedrawn(partial, chunk, start, end);
    if (partial.bytes === 0) partial.time = now;
    const max = this.limits.maxLineBytes;
    // Too long for one line: cut, at a UTF-8 character boundary.
    while (partial.bytes + (end - start) > max) {
      let cut = characterBoundary(chunk, start, start + (max - partial.bytes));
      if (cut === start && partial.bytes === 0) cut = start + max;
      this.#emitWithPartial(stream, partial, chunk, start, cut);
      start = cut;
      partial.time = now;
    }
    if (terminated) {
      this.#emitWithPartial(stream, partial, chunk, start, end);
    } else if (end > start) {
      partial.parts.push(Buffer.from(chunk.subarray(start, end)));
      partial.bytes += end - start;
    }
  }

  /**
   * A line begun and redrawn after a carriage return (a progress bar) keeps only what follows the
   * return, so a bar that redraws for an hour without a newline stays one short line. A return at the
   * very end of `chunk` is kept until the next byte says whether it is the CR of a CRLF. Returns where
   * the kept part of the chunk begins.
   */
  #dropRedrawn(partial: PartialLine, chunk: Buffer, start: number, end: number): number {
    if (partial.bytes > 0 && end > start) {
      const last = partial.parts[partial.parts.length - 1];
      if (last[last.length - 1] === CARRIAGE_RETURN) {
        partial.parts = [];
        partial.bytes = 0;
      }
    }
    const lastReturn = end - 1 > start ? chunk.lastIndexOf(CARRIAGE_RETURN, end - 2) : -1;
    if (lastReturn < start) return start;
    partial.parts = [];
    partial.bytes = 0;
    return lastReturn + 1;
  }

  #emitWithPartial(stream: OutputStream, partial: PartialLine, chunk: Buffer, start: number, end: number): void {
    if (partial.bytes === 0) {
      this.#emit(stream, chunk, start, end, partial.time);
      return;
    }
    partial.parts.push(chunk.subarray(start, end));
    const joined = Buffer.concat(partial.parts);
    partial.parts = [];
    partial.bytes = 0;
    this.#emit(stream, joined, 0, joined.length, partial.time);
  }

  #emit(stream: OutputStream, buffer: Buffer, start: number, end: number, time: number): void {
    if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end -= 1;
    // A progress bar redraws its line after each carriage return: the line ends as its last drawing.
    const lastReturn = end > start ? buffer.lastIndexOf(CARRIAGE_RETURN, end - 1) : -1;
    if (lastReturn >= start) start = lastReturn + 1;
    this.sink.line(stream, buffer.toString('utf8', start, end), time);
  }
}

/**
 * What a terminal shows of a line that was redrawn after carriage returns (a progress bar): the text
 * after the last one (a final CR, as in CRLF, is not a redraw).
 */
export function terminalLineText(line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return text.slice(text.lastIndexOf('\r') + 1);
}

function countNewlines(buffer: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (buffer[i] === NEWLINE) count += 1;
  return count;
}

/** Moves `cut` back so that it does not fall inside a UTF-8 character (never before `floor`). */
function characterBoundary(buffer: Buffer, floor: number, cut: number): number {
  let position = cut;
  while (position > floor && position > cut - 4 && position < buffer.length && (buffer[position] & 0xc0) === 0x80) {
    position -= 1;
  }
  return position < buffer.length && (buffer[position] & 0xc0) === 0x80 ? cut : position;
}
