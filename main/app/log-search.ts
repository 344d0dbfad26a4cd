import { stripAnsi } from '../protocol/ansi.js';
import type { LogLine } from '../protocol/rows.js';

/**
 * The lines containing `text` (plain substring, case-insensitive; ANSI escape codes ignored), the newest
 * `limit` of them, oldest first. No regular expressions from users.
 */
export function searchLines(lines: readonly LogLine[], text: string, limit = Number.POSITIVE_INFINITY): LogLine[] {
  const needle = text.toLowerCase();
  const found: LogLine[] = [];
  for (let i = lines.length - 1; i >= 0 && found.length < limit; i--) {
    if (stripAnsi(lines[i].text).toLowerCase().includes(needle)) found.push(lines[i]);
  }
  return found.reverse();
}
