// A log's file: the raw bytes (stdout and stderr interleaved as they came, ANSI codes kept), written
// asynchronously in batches, rotated at `fileBytes`: <name>.log, <name>.log.1, … up to `files` files in
// all. When writing falls behind by more than `maxPendingBytes`, new output is dropped and counted
// instead of queued, and a "[pooldeck: N bytes dropped]" notice says so where the gap is. When the app is
// out of file descriptors (EMFILE/ENFILE, most likely when an ended log reopens its file), the output is
// counted instead, the next write tries again, and a notice says so in the file once it opens. The file
// is created, never appended to if it exists already: one file belongs to one run.
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface LogFileLimits {
  fileBytes: number;
  files: number;
  maxPendingBytes: number;
}

const NEWLINE = 0x0a;
const PRIVATE_FOLDER_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
const noop = (): void => {};
const OUT_OF_FDS = new Set(['EMFILE', 'ENFILE']);

export class RotatingLogFile {
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
  /** The last byte that reached the file, to start a notice on a line of its own. */
  #lastWrittenByte = NEWLINE;
  /** Bytes of the batch being written that reached the file (the rest is lost if writing fails). */
  #batchWritten = 0;
  /** Bytes not written while the app was out of fds, not yet said in the file; and the error's code. */
  #unwrittenForFds = 0;
  #outOfFdsCode = '';
  /** Closed and flushed: the file is not opened again. */
  #ended = false;
  /** The file was created by us: later opens (after release or rotation) append to it. */
  #created = false;

  constructor(
    readonly path: string,
    private readonly limits: LogFileLimits,
    /** Told the text of each drop notice, for the tail (the file gets it too). */
    private readonly onDropNotice: (text: string) => void,
  ) {}

  /** Bytes of output that never reached the file because the disk fell behind (or failed). */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /**
   * The first disk error (writing stops after one; output is then counted as dropped). Running out of
   * file descriptors is not one: writing resumes once an open succeeds.
   */
  get diskError(): Error | null {
    return this.#diskError;
  }

  /** Output bytes, queued unless the disk is too far behind. */
  write(chunk: Buffer): void {
    if (this.#diskError !== null) {
      // Said once, when the error happened; from then on only counted.
      this.#dropped += chunk.length;
      return;
    }
    if (this.#queuedBytes + chunk.length > this.limits.maxPendingBytes) {
      this.#dropped += chunk.length;
      this.#unreported += chunk.length;
      return;
    }
    // The first chunk after a gap: mark the gap, in the tail and in the file, where it happened.
    this.noticeDrops();
    this.#queue(chunk);
  }

  /** A line of Pooldeck's own, on a line of its own in the file. */
  writeLine(text: string): void {
    const prefix = this.#lastQueuedByte === NEWLINE ? '' : '\n';
    this.#queue(Buffer.from(`${prefix}${text}\n`));
  }

  /** Says (through onDropNotice, and in the file) how many bytes were dropped since the last notice. */
  noticeDrops(): void {
    if (this.#unreported === 0) return;
    const count = this.#unreported;
    this.#unreported = 0;
    const reason = this.#diskError ? ` (log file: ${this.#diskError.message})` : '';
    const text = `[pooldeck: ${count} bytes dropped]${reason}`;
    this.onDropNotice(text);
    if (this.#diskError === null) this.writeLine(text);
  }

  /** Resolves once everything queued so far is written (or dropped). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#writing !== null) await this.#writing;
      else if (this.#pending.length > 0) this.#startWriting();
      else return;
    }
  }

  async close(): Promise<void> {
    this.noticeDrops();
    // One more try to open the file, so that it says what it misses even if no output comes after.
    if (this.#unwrittenForFds > 0) this.#queue(Buffer.alloc(0));
    await this.flush();
    this.#ended = true;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close().catch(noop);
  }

  /**
   * Writes what is queued, then closes the file while keeping the log usable: a later line opens it
   * again. For a process that ended: thousands of ended rows must not hold thousands of fds.
   */
  async release(): Promise<void> {
    await this.flush();
    // A write that came during the flush owns the handle now; it releases nothing of ours.
    if (this.#writing !== null || this.#pending.length > 0) return;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close().catch(noop);
  }

  /** Queues for the file. The caller checked the cap (small notices may exceed it a little). */
  #queue(buffer: Buffer): void {
    if (this.#diskError !== null || this.#ended) return;
    this.#pending.push(buffer);
    this.#queuedBytes += buffer.length;
    if (buffer.length > 0) this.#lastQueuedByte = buffer[buffer.length - 1];
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
      this.noticeDrops();
      if (this.#pending.length > 0) this.#scheduleWrite();
    });
  }

  async #writeLoop(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
      this.#pending = [];
      this.#batchWritten = 0;
      try {
        if (this.#diskError !== null) this.#dropped += batch.length;
        else if (this.#unwrittenForFds > 0) await this.#writeAfterFdShortage(batch);
        else await this.#write(batch);
      } catch (error) {
        const lost = batch.length - this.#batchWritten + this.#pending.reduce((sum, left) => sum + left.length, 0);
        this.#dropped += lost;
        this.#pending = [];
        this.#queuedBytes = 0;
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== undefined && OUT_OF_FDS.has(code)) {
          // Not for good: the next write opens the file again.
          this.#unwrittenForFds += lost;
          this.#outOfFdsCode = code;
          return;
        }
        this.#diskError = error instanceof Error ? error : new Error(String(error));
        this.#unreported += batch.length - this.#batchWritten;
        return;
      }
      this.#queuedBytes -= batch.length;
    }
  }

  /** Opens the file first: only then is the gap over, and said, in the file and in the tail, before `data`. */
  async #writeAfterFdShortage(data: Buffer): Promise<void> {
    await this.#file();
    const prefix = this.#lastWrittenByte === NEWLINE ? '' : '\n';
    const text = `[pooldeck: ${this.#unwrittenForFds} bytes not written to this file while the app was out of file descriptors (${this.#outOfFdsCode})]`;
    try {
      await this.#write(Buffer.from(`${prefix}${text}\n`));
    } finally {
      // The notice is not part of the batch.
      this.#batchWritten = 0;
    }
    this.#unwrittenForFds = 0;
    this.onDropNotice(text);
    await this.#write(data);
  }

  /** Writes `data`, rotating when the current file is full; prefers to rotate at a line end. */
  async #write(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const handle = await this.#file();
      const room = this.limits.fileBytes - this.#fileSize;
      const left = data.length - offset;
      if (left <= room) {
        await this.#writeSpan(handle, data, offset, left);
        return;
      }
      let take = room;
      if (room > 0) {
        const lastNewline = data.lastIndexOf(NEWLINE, offset + room - 1);
        if (lastNewline >= offset) take = lastNewline + 1 - offset;
        else if (this.#fileSize > 0) take = 0; // start the long line in a fresh file
      }
      if (take > 0) {
        await this.#writeSpan(handle, data, offset, take);
        offset += take;
      }
      await this.#rotate();
    }
  }

  async #writeSpan(handle: FileHandle, data: Buffer, offset: number, length: number): Promise<void> {
    await writeAll(handle, data, offset, length);
    this.#fileSize += length;
    this.#batchWritten += length;
    this.#lastWrittenByte = data[offset + length - 1];
  }

  async #file(): Promise<FileHandle> {
    if (this.#handle !== null) return this.#handle;
    // Logs hold whatever jobs print (tokens, paths): the user's alone.
    await mkdir(dirname(this.path), { recursive: true, mode: PRIVATE_FOLDER_MODE });
    // The first open must create the file: a file already there belongs to another run or app instance.
    const handle = await open(this.path, this.#created ? 'a' : 'ax', PRIVATE_FILE_MODE);
    this.#created = true;
    this.#fileSize = (await handle.stat()).size;
    this.#handle = handle;
    return handle;
  }

  async #rotate(): Promise<void> {
    const path = this.path;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
    if (this.limits.files <= 1) {
      await rm(path, { force: true });
    } else {
      for (let index = this.limits.files - 1; index >= 1; index--) {
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
