// The run history on disk: an append-only JSON-lines file, one record per line, a later line with the
// same id replacing the earlier one (a pool's record is written when it starts and again when it ends).
//
// Why a plain log and not SQLite: better-sqlite3 is a native module that the packaged app would need
// rebuilt for Electron's ABI on every platform and Electron upgrade; sql.js (SQLite as WASM) keeps the
// whole database in memory and writes the whole file back on every save, so a 100,000-run history would
// be rewritten for each run. The history is written far more often than it is queried, only appended
// to, and small enough (bounded) to keep in memory for the History view's filters: a log does that
// with nothing to build, and a kill -9 can at worst tear the last line, which opening ignores.
//
// Appends are batched: records go to a buffer and one write per event-loop turn takes them all (a pool
// map finishing thousands of tasks a second does one write per turn, not one per task), and fsync runs
// at most once per `syncIntervalMs`. Compaction rewrites the kept records to a temporary file, syncs it
// and renames it over the log, so a crash leaves either the old file or the new one.
import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRecord } from '../../protocol/history.js';

const DEFAULT_MAX_RUNS = 100_000;

export interface RunStoreOptions {
  /** The log file (`<dataDir>/history/runs.jsonl`). */
  path: string;
  /** Runs kept: the oldest go first. Default 100,000. */
  maxRuns?: number;
  /** fsync at most this often while records arrive. Default 1000 ms. */
  syncIntervalMs?: number;
}

export class RunStore {
  readonly path: string;
  readonly maxRuns: number;
  readonly syncIntervalMs: number;
  /** Every kept record by id, oldest first (a replaced record keeps its place). */
  readonly #records = new Map<string, RunRecord>();
  #fd: number;
  /** Lines in the file: beyond the records kept, it is time to compact. */
  #linesInFile = 0;
  #pending: string[] = [];
  #flushScheduled = false;
  #syncTimer: NodeJS.Timeout | null = null;
  #dirty = false;
  #syncing = false;
  #closed = false;
  /** Lines of the file that were not records (a torn last line after a kill, or damage), skipped at open. */
  readonly skippedLines: number;

  constructor(options: RunStoreOptions) {
    this.path = options.path;
    this.maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    if (!Number.isInteger(this.maxRuns) || this.maxRuns < 1) throw new RangeError(`RunStore: maxRuns must be a whole number of at least 1, not ${this.maxRuns}`);
    this.syncIntervalMs = options.syncIntervalMs ?? 1000;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.skippedLines = this.#load();
    this.#trimMemory();
    // A file with more lines than records (replaced ones, dropped ones, a torn line) is rewritten at once.
    if (this.#linesInFile > this.#records.size || this.skippedLines > 0) this.#compactFile();
    this.#fd = openSync(this.path, 'a', 0o600);
  }

  get size(): number {
    return this.#records.size;
  }

  get(id: string): RunRecord | undefined {
    return this.#records.get(id);
  }

  /** Every kept record, oldest first. */
  values(): IterableIterator<RunRecord> {
    return this.#records.values();
  }

  /** Records (or replaces) a run. It reaches the file at the end of this event-loop turn. */
  put(record: RunRecord): void {
    if (this.#closed) return;
    // A replaced record moves to the end: it is the newest news (a pool that just ended).
    this.#records.delete(record.id);
    this.#records.set(record.id, record);
    this.#pending.push(JSON.stringify(record));
    if (this.#records.size > this.maxRuns) this.#trimMemory();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is buffered (one write), compacting when the file has grown to twice the records kept. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#pending.length === 0) return;
    this.#linesInFile += this.#pending.length;
    this.#writePending();
    this.#dirty = true;
    if (this.#linesInFile > 2 * this.maxRuns) {
      this.compact();
      return;
    }
    this.#scheduleSync();
  }

  /** Rewrites the file with only the records kept: temporary file, fsync, rename. */
  compact(): void {
    if (this.#closed) return;
    this.#writePending();
    closeSync(this.#fd);
    this.#compactFile();
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#dirty = false;
  }

  /** Writes and syncs everything, then closes the file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#closed = true;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }

  #writePending(): void {
    if (this.#pending.length === 0) return;
    writeSync(this.#fd, `${this.#pending.join('\n')}\n`);
    this.#pending = [];
  }

  #scheduleSync(): void {
    if (this.#syncTimer !== null || this.#syncing) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null;
      if (this.#closed || !this.#dirty) return;
      this.#dirty = false;
      this.#syncing = true;
      const fd = this.#fd;
      fdatasync(fd, () => {
        this.#syncing = false;
        if (this.#dirty && !this.#closed) this.#scheduleSync();
      });
    }, this.syncIntervalMs);
    this.#syncTimer.unref();
  }

  /** Reads the file: each line a record, the last one with the same id winning; a line that does not parse is skipped. */
  #load(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let skipped = 0;
    let start = 0;
    while (start < text.length) {
      const end = text.indexOf('\n', start);
      // No newline after the last line: the write was cut (a kill mid-write). Its record is not whole.
      if (end === -1) {
        skipped += 1;
        break;
      }
      const line = text.slice(start, end);
      start = end + 1;
      if (line === '') continue;
      this.#linesInFile += 1;
      const record = parseRecord(line);
      if (record === null) {
        skipped += 1;
        continue;
      }
      this.#records.delete(record.id);
      this.#records.set(record.id, record);
    }
    return skipped;
  }

  #trimMemory(): void {
    let excess = this.#records.size - this.maxRuns;
    for (const id of this.#records.keys()) {
      if (excess <= 0) break;
      this.#records.delete(id);
      excess -= 1;
    }
  }

  #compactFile(): void {
    const temporary = `${this.path}.compacting`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      const lines: string[] = [];
      for (const record of this.#records.values()) {
        lines.push(JSON.stringify(record));
        if (lines.length === 10_000) {
          writeSync(fd, `${lines.join('\n')}\n`);
          lines.length = 0;
        }
      }
      if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    // The rename itself reaches the disk once the folder is synced.
    const folder = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    this.#linesInFile = this.#records.size;
  }
}

function parseRecord(line: string): RunRecord | null {
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return null;
    return value as RunRecord;
  } catch {
    return null;
  }
}
