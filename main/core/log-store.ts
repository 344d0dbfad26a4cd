// The output of one process: a bounded in-memory tail of lines (for the UI) and a size-capped, rotated
// file. Both are bounded whatever the process does. The parts: LineSplitter (bytes → lines, floods),
// LineRing (the tail), RotatingLogFile (the file, its drops and rotation).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RotatingLogFile } from './log-file.js';
import { LineRing, type TailLine } from './log-ring.js';
import { LineSplitter, type PartialTailLine } from './line-splitter.js';
import type { OutputStream } from './process.js';

export type LogStream = TailLine['stream'];

export interface LogStoreOptions {
  /** The folder for the log files; created on the first write. */
  directory: string;
  /**
   * The files' base name, usually the job id. Each run gets its own file,
   * `<directory>/<name>-<YYYYMMDD-HHMMSS>-<random>.log` (UTC start time); unsafe characters become `_`.
   */
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

export class LogStore {
  readonly tailBytesCap: number;
  readonly tailLinesCap: number;
  readonly maxLineBytes: number;
  readonly fileBytes: number;
  readonly files: number;
  readonly maxPendingBytes: number;
  readonly #ring: LineRing;
  readonly #splitter: LineSplitter;
  readonly #directory: string;
  readonly #name: string;
  #file: RotatingLogFile | null = null;
  /** Bytes the files of earlier runs dropped. */
  #droppedBefore = 0;
  #closed: Promise<void> | null = null;

  constructor(options: LogStoreOptions) {
    this.tailBytesCap = positive(options.tailBytes ?? 256 * 1024, 'tailBytes');
    this.tailLinesCap = positive(options.tailLines ?? 5000, 'tailLines');
    this.maxLineBytes = positive(options.maxLineBytes ?? Math.min(16 * 1024, Math.floor(this.tailBytesCap / 4)), 'maxLineBytes');
    if (this.maxLineBytes < 4) throw new RangeError(`LogStore: maxLineBytes must be at least 4 (one UTF-8 character), not ${this.maxLineBytes}`);
    this.fileBytes = positive(options.fileBytes ?? 5 * 1024 * 1024, 'fileBytes');
    this.files = positive(options.files ?? 3, 'files');
    this.maxPendingBytes = positive(options.maxPendingBytes ?? 4 * 1024 * 1024, 'maxPendingBytes');
    this.#directory = options.directory;
    this.#name = safeName(options.name);
    this.#ring = new LineRing(this.tailBytesCap, this.tailLinesCap);
    this.#splitter = new LineSplitter(
      { maxLineBytes: this.maxLineBytes, tailLines: this.tailLinesCap, tailBytes: this.tailBytesCap },
      {
        line: (stream, text, time) => this.#pushLine(stream, text, time),
        skip: (count) => this.#ring.skip(count),
      },
    );
    if (options.persist !== false) this.#file = this.#runFile(Date.now());
  }

  /** The current run's file (the newest part when it rotated); null when the log is not persisted. */
  get filePath(): string | null {
    return this.#file?.path ?? null;
  }

  /** The current run's files on disk, oldest part first (`.log.2`, `.log.1`, `.log`). */
  filePaths(): string[] {
    const path = this.filePath;
    if (path === null) return [];
    const rotated = Array.from({ length: this.files - 1 }, (_, index) => `${path}.${this.files - 1 - index}`);
    return [...rotated, path];
  }

  /**
   * A new run (a restart) begins: from now on output goes to a new file, named by `startedAt`. The tail
   * goes on; the previous run's file is flushed and closed, and stays on disk.
   */
  startRun(startedAt = Date.now()): void {
    if (this.#closed !== null || this.#file === null) return;
    // What the previous run left unended is its last line, not the start of the next run's first.
    this.#splitter.end();
    const previous = this.#file;
    this.#droppedBefore += previous.droppedBytes;
    this.#file = this.#runFile(startedAt);
    void previous.close();
  }

  #runFile(startedAt: number): RotatingLogFile {
    const path = join(this.#directory, `${this.#name}-${fileTimestamp(startedAt)}-${randomBytes(3).toString('hex')}.log`);
    return new RotatingLogFile(path, { fileBytes: this.fileBytes, files: this.files, maxPendingBytes: this.maxPendingBytes }, (text) =>
      this.#pushLine('system', text, Date.now()),
    );
  }

  /**
   * Seq of the newest line (0 before any). Every line gets the next number, also lines evicted or skipped
   * before anyone read them: a jump between two reads means lines were lost to the caps meanwhile.
   */
  get lastSeq(): number {
    this.#splitter.materialize();
    return this.#ring.lastSeq;
  }

  /** Seq of the oldest line still in memory (lastSeq + 1 when the tail is empty). */
  get firstSeq(): number {
    this.#splitter.materialize();
    return this.#ring.firstSeq;
  }

  /** Bytes of output that never reached the file because the disk fell behind (or failed). */
  get droppedBytes(): number {
    return this.#droppedBefore + (this.#file?.droppedBytes ?? 0);
  }

  /** UTF-8 bytes of text in the in-memory tail. */
  get tailBytes(): number {
    this.#splitter.materialize();
    return this.#ring.bytes;
  }

  get lineCount(): number {
    this.#splitter.materialize();
    return this.#ring.count;
  }

  /**
   * The first disk error (writing stops after one; output is then counted as dropped). Running out of
   * file descriptors is not one: the file is written again once it can be opened; the tail never stops.
   */
  get diskError(): Error | null {
    return this.#file?.diskError ?? null;
  }

  get closed(): boolean {
    return this.#closed !== null;
  }

  /** A chunk of the process's output. Cheap and synchronous; the disk write happens later. */
  append(stream: OutputStream, chunk: Buffer): void {
    if (this.#closed !== null || chunk.length === 0) return;
    this.#file?.write(chunk);
    this.#splitter.push(stream, chunk, Date.now());
  }

  /** A line from Pooldeck itself (started, exited, …): in the tail as `system`, and in the file. */
  appendSystem(text: string): void {
    if (this.#closed !== null) return;
    let kept = text.length > this.maxLineBytes ? text.slice(0, this.maxLineBytes) : text;
    let bytes = Buffer.byteLength(kept);
    while (bytes > this.maxLineBytes) {
      kept = kept.slice(0, Math.floor(kept.length / 2));
      bytes = Buffer.byteLength(kept);
    }
    this.#pushLine('system', kept, Date.now(), bytes);
    this.#file?.writeLine(`[pooldeck] ${kept}`);
  }

  /** Lines with seq > afterSeq (all when afterSeq < 1), oldest first, at most `limit`. Do not modify them. */
  lines(afterSeq = 0, limit = Number.POSITIVE_INFINITY): TailLine[] {
    this.#splitter.materialize();
    return this.#ring.lines(afterSeq, limit);
  }

  /**
   * The line each stream has begun without ending it yet, as a terminal would show it now. It is not in
   * the tail; it becomes a line when its newline comes.
   */
  partialLines(): PartialTailLine[] {
    return this.#splitter.partialLines();
  }

  /** Resolves once everything appended so far is written (or dropped). */
  async flush(): Promise<void> {
    await this.#file?.flush();
  }

  /**
   * Closes the file once what was written so far reached it; the tail stays, and a later line (a
   * restart's) opens the file again. Call when the process ended.
   */
  async releaseFile(): Promise<void> {
    await this.#file?.release();
  }

  /** Ends the log: pending partial lines become lines, the file is flushed and closed. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#splitter.end();
    await this.#file?.close();
  }

  /** Every line enters the tail here, after any deferred flood lines (which came first). */
  #pushLine(stream: LogStream, text: string, time: number, bytes?: number): void {
    this.#splitter.materialize();
    this.#ring.push(stream, text, time, bytes);
  }
}

/** `YYYYMMDD-HHMMSS` in UTC: names sort by start time, also across a change of daylight saving time. */
function fileTimestamp(time: number): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || /^\.+$/.test(safe) ? `_${safe}` : safe;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`LogStore: ${name} must be a positive integer, not ${value}`);
  return value;
}
