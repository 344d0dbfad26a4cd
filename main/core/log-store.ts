// The output of one process: a bounded in-memory tail of lines (for the UI) and a size-capped, rotated file.
//
// Both are bounded whatever the process does:
// - The tail keeps whole lines, newest last, within `tailBytes` and `tailLines`; a line longer than
//   `maxLineBytes` is cut into pieces. A chunk carrying more than the tail can hold is not turned into line
//   objects only to be evicted at once: the part of it that cannot survive is skipped (its lines still
//   count in the sequence numbers), so a flood costs little more than scanning it for newlines.
// - The file gets the raw bytes (stdout and stderr interleaved as they came, ANSI codes kept), written
//   asynchronously in batches. When writing falls behind by more than `maxPendingBytes`, new output is
//   dropped and counted instead of queued, and a "[pooldeck: N bytes dropped]" line says so in the tail and
//   in the file. Files rotate at `fileBytes`: <name>.log, <name>.log.1, … up to `files` files in all.
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutputStream } from './process.js';
import { stripAnsi } from '../protocol/ansi.js';
import type { LogLine, PartialLogLine } from '../protocol/log-lines.js';

export type LogStream = LogLine['stream'];

export interface LogStoreOptions {
  /** The folder for the log files; created on the first write. */
  directory: string;
  /** The file's base name, usually the job id: `<directory>/<name>.log`. Unsafe characters become `_`. */
  name: string;
  /** Bytes (UTF-8) of text kept in memory. Default 256 KiB. */
  tailBytes?: number;
  /** Lines kept in memory. Default 5000. */
  tailLines?: number;
  /** A line longer than this (bytes) is cut into several. Default min(16 KiB, tailBytes / 4). */
  maxLineBytes?: number;
  /** One log file's cap. Default 5 MiB. */
  fileBytes?: number;
  /** Files kept, the current one included. Default 3. */
  files?: number;
  /** Bytes waiting for the disk beyond which output is dropped (from the file only). Default 4 MiB. */
  maxPendingBytes?: number;
  /** Write files at all. Default true. */
  persist?: boolean;
}

interface PartialLine {
  parts: Buffer[];
  bytes: number;
  time: number;
}

/** The kept end of a flood chunk: complete lines, not yet line objects (see #flood). */
interface Deferred {
  stream: OutputStream;
  /** The lines, without the last newline. */
  buffer: Buffer;
  time: number;
  lines: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const noop = (): void => {};

export class LogStore {
  readonly filePath: string | null;
  readonly tailBytesCap: number;
  readonly tailLinesCap: number;
  readonly maxLineBytes: number;
  readonly fileBytes: number;
  readonly files: number;
  readonly maxPendingBytes: number;

  // The tail: a ring of lines whose sequence numbers are consecutive.
  #ring: (LogLine | undefined)[];
  #sizes: Uint32Array;
  #head = 0;
  #count = 0;
  #tailBytes = 0;
  #seq = 0;
  #deferred: Deferred | null = null;
  #partials: Record<OutputStream, PartialLine> = {
    stdout: { parts: [], bytes: 0, time: 0 },
    stderr: { parts: [], bytes: 0, time: 0 },
  };

  // The file.
  #pending: Buffer[] = [];
  /** Bytes queued or being written. */
  #queuedBytes = 0;
  #lastQueuedByte = NEWLINE;
  #dropped = 0;
  /** Dropped bytes not yet reported by a notice. */
  #unreported = 0;
  #writing: Promise<void> | null = null;
  #scheduled = false;
  #handle: FileHandle | null = null;
  #fileSize = 0;
  #diskError: Error | null = null;
  #closed: Promise<void> | null = null;
  /** Closed and flushed: the file is not opened again. */
  #ended = false;

  constructor(options: LogStoreOptions) {
    this.tailBytesCap = positive(options.tailBytes ?? 256 * 1024, 'tailBytes');
    this.tailLinesCap = positive(options.tailLines ?? 5000, 'tailLines');
    this.maxLineBytes = positive(options.maxLineBytes ?? Math.min(16 * 1024, Math.floor(this.tailBytesCap / 4)), 'maxLineBytes');
    if (this.maxLineBytes < 4) throw new RangeError('LogStore: maxLineBytes must be at least 4 (one UTF-8 character)');
    this.fileBytes = positive(options.fileBytes ?? 5 * 1024 * 1024, 'fileBytes');
    this.files = positive(options.files ?? 3, 'files');
    this.maxPendingBytes = positive(options.maxPendingBytes ?? 4 * 1024 * 1024, 'maxPendingBytes');
    this.filePath = options.persist === false ? null : join(options.directory, `${safeName(options.name)}.log`);
    // The ring starts small and doubles up to tailLines: most processes print little.
    const initial = Math.min(this.tailLinesCap, 64);
    this.#ring = new Array<LogLine | undefined>(initial).fill(undefined);
    this.#sizes = new Uint32Array(initial);
  }

  /**
   * Seq of the newest line (0 before any). Every line gets the next number, also lines evicted or skipped
   * before anyone read them: a jump between two reads means lines were lost to the caps meanwhile.
   */
  get lastSeq(): number {
    this.#materialize();
    return this.#seq;
  }

  /** Seq of the oldest line still in memory (lastSeq + 1 when the tail is empty). */
  get firstSeq(): number {
    this.#materialize();
    return this.#seq - this.#count + 1;
  }

  /** Bytes of output that never reached the file because the disk fell behind (or failed). */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** UTF-8 bytes of text in the in-memory tail. */
  get tailBytes(): number {
    this.#materialize();
    return this.#tailBytes;
  }

  get lineCount(): number {
    this.#materialize();
    return this.#count;
  }

  /** The first disk error (writing stops after one; output is then counted as dropped). */
  get diskError(): Error | null {
    return this.#diskError;
  }

  get closed(): boolean {
    return this.#closed !== null;
  }

  /** A chunk of the process's output. Cheap and synchronous; the disk write happens later. */
  append(stream: OutputStream, chunk: Buffer): void {
    if (this.#closed !== null || chunk.length === 0) return;
    this.#toDisk(chunk);
    this.#split(stream, chunk, Date.now());
  }

  /** A line from Pooldeck itself (started, exited, …): in the tail as `system`, and in the file. */
  appendSystem(text: string): void {
    if (this.#closed !== null) return;
    this.#systemLine(text);
  }

  /** Lines with seq > afterSeq (all when afterSeq < 1), oldest first, at most `limit`. Do not modify them. */
  lines(afterSeq = 0, limit = Number.POSITIVE_INFINITY): LogLine[] {
    const first = this.firstSeq;
    const from = Math.max(Math.floor(afterSeq) + 1, first);
    const out: LogLine[] = [];
    const capacity = this.#ring.length;
    for (let seq = from; seq <= this.#seq && out.length < limit; seq++) {
      out.push(this.#ring[(this.#head + (seq - first)) % capacity]!);
    }
    return out;
  }

  /**
   * The line each stream has begun without ending it yet, as a terminal would show it now: what follows
   * its last carriage return (a progress bar redraws itself that way). It is not in the tail; it becomes
   * a line when its newline comes.
   */
  partialLines(): PartialLogLine[] {
    this.#materialize();
    const found: PartialLogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.#partials[stream];
      if (partial.bytes === 0) continue;
      if (partial.parts.length > 1) partial.parts = [Buffer.concat(partial.parts)];
      // stream: true leaves out a character whose last bytes have not arrived yet.
      let text = new TextDecoder().decode(partial.parts[0], { stream: true });
      if (text.endsWith('\r')) text = text.slice(0, -1);
      text = text.slice(text.lastIndexOf('\r') + 1);
      if (text.length > 0) found.push({ stream, text, time: partial.time });
    }
    return found;
  }

  /**
   * Lines of the tail containing `text` (plain substring, case-insensitive; ANSI escape codes ignored),
   * the newest `limit` of them, oldest first. No regular expressions from users.
   */
  search(text: string, limit = Number.POSITIVE_INFINITY): LogLine[] {
    this.#materialize();
    const needle = text.toLowerCase();
    const found: LogLine[] = [];
    const capacity = this.#ring.length;
    for (let i = this.#count - 1; i >= 0 && found.length < limit; i--) {
      const line = this.#ring[(this.#head + i) % capacity]!;
      const haystack = stripAnsi(line.text);
      if (haystack.toLowerCase().includes(needle)) found.push(line);
    }
    return found.reverse();
  }

  /** Resolves once everything appended so far is written (or dropped). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#writing !== null) await this.#writing;
      else if (this.#pending.length > 0) this.#startWriting();
      else return;
    }
  }

  /** Ends the log: pending partial lines become lines, the file is flushed and closed. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.#partials[stream];
      if (partial.bytes === 0) continue;
      const joined = Buffer.concat(partial.parts);
      partial.parts = [];
      partial.bytes = 0;
      this.#emit(stream, joined, 0, joined.length, partial.time);
    }
    this.#noticeDrops();
    await this.flush();
    this.#ended = true;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close().catch(noop);
  }

  // ---- lines ---------------------------------------------------------------------------------------

  #split(stream: OutputStream, chunk: Buffer, now: number): void {
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

  /**
   * A chunk whose complete lines alone fill the tail (a flood): everything in the tail, and the lines of
   * the chunk that do not fit, would be evicted at once. So they are only counted into the sequence
   * numbers, and the lines that do fit are kept raw ("deferred") and turned into line objects only when
   * someone reads the tail or another line arrives; the next flood chunk replaces them unread. Returns
   * where the rest of the chunk (its unterminated end, or all of it when it is no flood) begins.
   */
  #flood(stream: OutputStream, chunk: Buffer, now: number): number {
    const length = chunk.length;
    if (length < this.tailLinesCap && length <= this.tailBytesCap) return 0;
    const last = chunk.lastIndexOf(NEWLINE);
    if (last <= 0) return 0;
    // Walk back from the last newline until the lines after `cut` fill the tail by count or by bytes.
    const max = this.maxLineBytes;
    let cut = -1;
    let lines = 0;
    let lineEnd = last;
    for (let i = last - 1; i >= 0; i--) {
      if (chunk[i] !== NEWLINE) continue;
      const lineBytes = lineEnd - i - 1;
      lines += lineBytes > max ? Math.ceil(lineBytes / max) : 1;
      if (lines >= this.tailLinesCap || last - i >= this.tailBytesCap) {
        cut = i;
        break;
      }
      lineEnd = i;
    }
    if (cut < 0) return 0;

    const deferred = this.#deferred;
    this.#deferred = null;
    // Every newline up to `cut` ends a line nobody will see (the first one also ends the partial line).
    this.#seq += (deferred?.lines ?? 0) + countNewlines(chunk, 0, cut + 1);
    const partial = this.#partials[stream];
    partial.parts = [];
    partial.bytes = 0;
    this.#ring.fill(undefined);
    this.#head = 0;
    this.#count = 0;
    this.#tailBytes = 0;
    this.#deferred = { stream, buffer: chunk.subarray(cut + 1, last), time: now, lines: countNewlines(chunk, cut + 1, last + 1) };
    return last + 1;
  }

  /** Turns deferred flood lines into line objects (before anything reads or adds to the tail). */
  #materialize(): void {
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

  /** One complete line, buffer[start, end), cut into pieces if too long. */
  #emitComplete(stream: LogStream, buffer: Buffer, start: number, end: number, time: number): void {
    const max = this.maxLineBytes;
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
    if (partial.bytes === 0) partial.time = now;
    const max = this.maxLineBytes;
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

  #emit(stream: LogStream, buffer: Buffer, start: number, end: number, time: number): void {
    if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end -= 1;
    const text = buffer.toString('utf8', start, end);
    this.#push({ seq: this.#seq + 1, stream, text, time }, Buffer.byteLength(text));
  }

  #push(line: LogLine, bytes: number): void {
    if (this.#deferred !== null) {
      this.#materialize();
      line.seq = this.#seq + 1;
    }
    if (this.#count === this.#ring.length && this.#count < this.tailLinesCap) this.#grow();
    const capacity = this.#ring.length;
    while (this.#count > 0 && (this.#count >= capacity || this.#tailBytes + bytes > this.tailBytesCap)) {
      this.#tailBytes -= this.#sizes[this.#head];
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % capacity;
      this.#count -= 1;
    }
    const slot = (this.#head + this.#count) % capacity;
    this.#ring[slot] = line;
    this.#sizes[slot] = bytes;
    this.#count += 1;
    this.#tailBytes += bytes;
    this.#seq = line.seq;
  }

  #grow(): void {
    const capacity = this.#ring.length;
    const grown = Math.min(this.tailLinesCap, capacity * 2);
    const ring = new Array<LogLine | undefined>(grown).fill(undefined);
    const sizes = new Uint32Array(grown);
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#head + i) % capacity;
      ring[i] = this.#ring[from];
      sizes[i] = this.#sizes[from];
    }
    this.#ring = ring;
    this.#sizes = sizes;
    this.#head = 0;
  }

  #systemLine(text: string): void {
    const line = text.length > this.maxLineBytes ? text.slice(0, this.maxLineBytes) : text;
    let bytes = Buffer.byteLength(line);
    let kept = line;
    while (bytes > this.maxLineBytes) {
      kept = kept.slice(0, Math.floor(kept.length / 2));
      bytes = Buffer.byteLength(kept);
    }
    this.#push({ seq: this.#seq + 1, stream: 'system', text: kept, time: Date.now() }, bytes);
    if (this.filePath === null) return;
    const prefix = this.#lastQueuedByte === NEWLINE ? '' : '\n';
    this.#queue(Buffer.from(`${prefix}[pooldeck] ${kept}\n`));
  }

  // ---- file ------------------------------------------------------------------------------------------

  #toDisk(chunk: Buffer): void {
    if (this.filePath === null) return;
    if (this.#diskError !== null) {
      // Said once, when the error happened; from then on only counted.
      this.#dropped += chunk.length;
      return;
    }
    if (this.#queuedBytes + chunk.length > this.maxPendingBytes) {
      this.#dropped += chunk.length;
      this.#unreported += chunk.length;
      return;
    }
    // The first chunk after a gap: mark the gap, in the tail and in the file, where it happened.
    this.#noticeDrops();
    this.#queue(chunk);
  }

  /** Says in the tail (and in the file) how many bytes were dropped since the last notice. */
  #noticeDrops(): void {
    if (this.#unreported === 0) return;
    const time = Date.now();
    const count = this.#unreported;
    this.#unreported = 0;
    const reason = this.#diskError ? ` (log file: ${this.#diskError.message})` : '';
    const text = `[pooldeck: ${count} bytes dropped]${reason}`;
    this.#push({ seq: this.#seq + 1, stream: 'system', text, time }, Buffer.byteLength(text));
    if (this.filePath === null || this.#diskError !== null) return;
    const prefix = this.#lastQueuedByte === NEWLINE ? '' : '\n';
    this.#queue(Buffer.from(`${prefix}${text}\n`));
  }

  /** Queues for the file. The caller checked the cap (small notices may exceed it a little). */
  #queue(buffer: Buffer): void {
    if (this.#diskError !== null || this.#ended) return;
    this.#pending.push(buffer);
    this.#queuedBytes += buffer.length;
    this.#lastQueuedByte = buffer[buffer.length - 1];
    this.#scheduleWrite();
  }

  #scheduleWrite(): void {
    if (this.#scheduled || this.#writing !== null) return;
    this.#scheduled = true;
    // setImmediate: let every chunk that arrived in this turn of the event loop join the same write.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#writing === null && this.#pending.length > 0) this.#startWriting();
    });
  }

  #startWriting(): void {
    this.#writing = this.#writeLoop().finally(() => {
      this.#writing = null;
      // Caught up: what was dropped meanwhile is said now, before whatever comes next.
      this.#noticeDrops();
      if (this.#pending.length > 0) this.#scheduleWrite();
    });
  }

  async #writeLoop(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
      this.#pending = [];
      try {
        if (this.#diskError === null) await this.#write(batch);
        else this.#dropped += batch.length;
      } catch (error) {
        this.#diskError = error instanceof Error ? error : new Error(String(error));
        this.#dropped += batch.length;
        this.#unreported += batch.length;
        for (const left of this.#pending) this.#dropped += left.length;
        this.#pending = [];
        this.#queuedBytes = 0;
        return;
      }
      this.#queuedBytes -= batch.length;
    }
  }

  /** Writes `data`, rotating when the current file is full; prefers to rotate at a line end. */
  async #write(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const handle = await this.#file();
      const room = this.fileBytes - this.#fileSize;
      const left = data.length - offset;
      if (left <= room) {
        await writeAll(handle, data, offset, left);
        this.#fileSize += left;
        return;
      }
      let take = room;
      if (room > 0) {
        const lastNewline = data.lastIndexOf(NEWLINE, offset + room - 1);
        if (lastNewline >= offset) take = lastNewline + 1 - offset;
        else if (this.#fileSize > 0) take = 0; // start the long line in a fresh file
      }
      if (take > 0) {
        await writeAll(handle, data, offset, take);
        this.#fileSize += take;
        offset += take;
      }
      await this.#rotate();
    }
  }

  async #file(): Promise<FileHandle> {
    if (this.#handle !== null) return this.#handle;
    const path = this.filePath!;
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a');
    this.#fileSize = (await handle.stat()).size;
    this.#handle = handle;
    return handle;
  }

  async #rotate(): Promise<void> {
    const path = this.filePath!;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
    if (this.files <= 1) {
      await rm(path, { force: true });
    } else {
      for (let index = this.files - 1; index >= 1; index--) {
        const from = index === 1 ? path : `${path}.${index - 1}`;
        await rename(from, `${path}.${index}`).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    }
    this.#fileSize = 0;
  }
}

async function writeAll(handle: FileHandle, data: Buffer, offset: number, length: number): Promise<void> {
  while (length > 0) {
    const { bytesWritten } = await handle.write(data, offset, length);
    offset += bytesWritten;
    length -= bytesWritten;
  }
}

/** Moves `cut` back so that it does not fall inside a UTF-8 character (never before `floor`). */
function countNewlines(buffer: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (buffer[i] === NEWLINE) count += 1;
  return count;
}

function characterBoundary(buffer: Buffer, floor: number, cut: number): number {
  let position = cut;
  while (position > floor && position > cut - 4 && position < buffer.length && (buffer[position] & 0xc0) === 0x80) {
    position -= 1;
  }
  return position < buffer.length && (buffer[position] & 0xc0) === 0x80 ? cut : position;
}

function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || /^\.+$/.test(safe) ? `_${safe}` : safe;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`LogStore: ${name} must be a positive integer`);
  return value;
}
