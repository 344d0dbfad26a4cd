// The "Arguments" text box of the forms: one line split into argv the way a shell would split words,
// but nothing else a shell does. The app starts the program directly, so $VAR, *, |, > and ; reach it
// as plain characters.

export type ArgsParseResult = { ok: true; args: string[] } | { ok: false; message: string };

export const ARGS_INPUT_HELP =
  'Split on spaces; use \'single\' or "double" quotes to keep spaces inside one argument, \\ to escape a character. ' +
  'No shell runs: $VAR, *, | and > are passed as written.';

/**
 * Splits a command line into arguments:
 * - whitespace separates arguments;
 * - '…' keeps everything inside literally;
 * - "…" keeps spaces, and a backslash escapes " or \ inside it;
 * - outside quotes, a backslash escapes the next character;
 * - '' or "" makes an empty argument.
 */
export function splitArgs(input: string): ArgsParseResult {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch === "'") {
      const close = input.indexOf("'", i + 1);
      if (close === -1) return { ok: false, message: `the ' quote at character ${i + 1} is never closed` };
      current += input.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (ch === '"') {
      const start = i;
      i++;
      let closed = false;
      while (i < input.length) {
        const c = input[i];
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && (input[i + 1] === '"' || input[i + 1] === '\\')) {
          current += input[i + 1];
          i += 2;
        } else {
          current += c;
          i++;
        }
      }
      if (!closed) return { ok: false, message: `the " quote at character ${start + 1} is never closed` };
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= input.length) return { ok: false, message: 'a \\ at the end escapes nothing; write \\\\ for a backslash' };
      current += input[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
      i++;
    } else {
      current += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) args.push(current);
  return { ok: true, args };
}


// Characters after which splitArgs would not give the word back as it is.
const NEEDS_QUOTES = /[\s'"\\]/;

/** One argument as the Arguments box reads it back: `x.py`, `'two words'`, `''`, `'it'\''s'`. */
function quoteArg(arg: string): string {
  if (arg !== '' && !NEEDS_QUOTES.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A program and its arguments as one line that splitArgs splits back into the same argv. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(quoteArg).join(' ');
}
