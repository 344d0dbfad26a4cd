// Search in a run's log files on disk, not only in the tail the app keeps in memory: the files are read
// in chunks (memory stays bounded by one chunk and the matches kept), a new search of the same log
// cancels the one before, and a search that takes too long stops and says how far it got.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { terminalLineText } from '../core/line-splitter.js';
import { stripAnsi } from '../protocol/ansi.js';
import type { LogMatch, SearchLogsResult } from '../protocol/commands.js';

/** Longest a search reads before it answers with what it found so far. */
const SEARCH_TIME_MS = 10_000;
/** A matching line longer than this is cut in the answer (it still matches on its whole length). */
const MAX_MATCH_CHARS = 4_096;
const CHUNK_BYTES = 1 << 20;

/**
 * True if the line as a person reads it (escape sequences left out, a redrawn line as its last
 * drawing) contains `needle`, case-insensitively. `needle` is lower case. Plain text: no patterns.
 */
export function lineMatches(rawLine: string, needle: string): boolean {
  return readable(rawLine).toLowerCase().includes(needle);
}

function readable(rawLine: string): string {
  return stripAnsi(rawLine.includes('\r') ? terminalLineText(rawLine) : rawLine);
}

export interface FileSearchOptions {
  /** Matches returned at most: the newest. All are counted. */
  limit: number;
  signal?: AbortSignal;
}

/**
 * The lines of `paths` (one run's file parts, oldest first, read as one text) that contain `text`.
 * Line numbers count from 1 at the first line of the oldest part on disk. Missing parts are skipped.
 */
export async function searchLogFiles(paths: readonly string[], text: string, { limit, signal }: FileSearchOptions): Promise<Omit<SearchLogsResult, 'filePath'>> {
  const needle = text.toLowerCase();
  const kept: LogMatch[] = [];
  let matchCount = 0;
  let lineNumber = 0;
  let complete = true;
  const consider = (line: string): void => {
    lineNumber += 1;
    if (!lineMatches(line, needle)) return;
    matchCount += 1;
    const shown = line.includes('\r') ? terminalLineText(line) : line;
    kept.push({ line: lineNumber, text: shown.length > MAX_MATCH_CHARS ? shown.slice(0, MAX_MATCH_CHARS) : shown });
    // Halving the work of a ring: drop the oldest half when twice the limit is held.
    if (kept.length >= limit * 2) kept.splice(0, kept.length - limit);
  };
  let rest = '';
  for (const path of paths) {
    const decoder = new StringDecoder('utf8');
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES, signal })) {
        const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
        rest = lines.pop()!;
        for (const line of lines) consider(line);
      }
      rest += decoder.end();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'ABORT_ERR' || signal?.aborted) {
        complete = false;
        break;
      }
      throw error;
    }
  }
  if (complete && rest !== '') consider(rest);
  return { matches: kept.slice(-limit), matchCount, linesSearched: lineNumber, complete };
}

/**
 * The searches running, one per log: a new search of a log cancels the one before it (the user typed
 * on), and each stops after SEARCH_TIME_MS.
 */
export class LogSearches {
  readonly #running = new Map<string, AbortController>();

  async search(key: string, paths: readonly string[], text: string, limit: number): Promise<Omit<SearchLogsResult, 'filePath'>> {
    this.#running.get(key)?.abort();
    const controller = new AbortController();
    this.#running.set(key, controller);
    try {
      return await searchLogFiles(paths, text, { limit, signal: AbortSignal.any([controller.signal, AbortSignal.timeout(SEARCH_TIME_MS)]) });
    } finally {
      if (this.#running.get(key) === controller) this.#running.delete(key);
    }
  }

  /** Stops every search (the app is closing). */
  cancelAll(): void {
    for (const controller of this.#running.values()) controller.abort();
    this.#running.clear();
  }
}
