// The "Environment" text box of the forms: KEY=VALUE lines, as in a .env file, without any expansion.

export type EnvParseResult =
  | { ok: true; env: Record<string, string>; count: number }
  | { ok: false; /** 1-based line of the input that is wrong. */ line: number; message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that would reach an object's prototype instead of its own keys. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export const ENV_INPUT_HELP =
  'One NAME=value per line; added to the app’s environment. The value is taken as written (no quotes removed, no $VAR expansion). Lines starting with # are skipped.';

/**
 * Parses KEY=VALUE lines. Blank lines and `#` comments are skipped; spaces around the name are ignored;
 * the value is everything after the first `=`, kept as written. A name given twice is an error, since
 * one of the two would silently lose.
 */
export function parseEnvInput(input: string): EnvParseResult {
  const env: Record<string, string> = {};
  const seenOnLine = new Map<string, number>();
  const lines = input.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index].replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;

    const equals = line.indexOf('=');
    if (equals === -1) {
      return { ok: false, line: lineNumber, message: `line ${lineNumber}: expected NAME=value, got "${shorten(trimmed)}"` };
    }
    const name = line.slice(0, equals).trim();
    const value = line.slice(equals + 1);
    if (!NAME.test(name)) {
      return {
        ok: false,
        line: lineNumber,
        message: `line ${lineNumber}: "${shorten(name)}" is not a valid name (letters, digits and _, not starting with a digit)`,
      };
    }
    if (FORBIDDEN.has(name)) return { ok: false, line: lineNumber, message: `line ${lineNumber}: the name ${name} is not allowed` };
    const previous = seenOnLine.get(name);
    if (previous !== undefined) {
      return { ok: false, line: lineNumber, message: `line ${lineNumber}: ${name} is already set on line ${previous}` };
    }
    seenOnLine.set(name, lineNumber);
    env[name] = value;
  }
  return { ok: true, env, count: seenOnLine.size };
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
