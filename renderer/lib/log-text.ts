// Log lines as plain text: the time column and what Copy puts on the clipboard.

/** Local wall-clock time with milliseconds, `14:30:05.123`: a log's lines are close together. */
export function clockTime(ms: number): string {
  const time = new Date(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
}

export interface CopiedLine {
  /** The line's text without escape codes. */
  text: string;
  /** When it arrived (ms since epoch); null when unknown (a line read back from the file). */
  time: number | null;
  /** The line's number in the log file, for search matches. */
  lineNumber?: number;
}

/** One line of text per log line, with its time or number in front when the view shows them. */
export function copiedText(lines: readonly CopiedLine[], withTimes: boolean): string {
  return lines
    .map((line) => {
      const prefix = line.lineNumber !== undefined ? `${line.lineNumber}: ` : withTimes && line.time !== null ? `${clockTime(line.time)} ` : '';
      return prefix + line.text;
    })
    .join('\n');
}
