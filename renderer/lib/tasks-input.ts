import { LIMITS } from '../../main/protocol/index.js';
import type { CommandArgs } from '../../main/protocol/index.js';

// The "Tasks" text box of the pool forms: one task per line, or ranges of numbers. A task is the list of
// arguments one worker call (or one exec-mode run) receives.

/** The argument lists `createPool` and `submitTasks` accept. */
export type TaskArgsList = NonNullable<CommandArgs<'createPool'>['tasks']>;

export type TasksParseResult =
  | { ok: true; tasks: TaskArgsList }
  | { ok: false; /** 1-based line of the input that is wrong. */ line: number; message: string };

/** `1..100` or `1..100..5` (inclusive ends, optional step, negative numbers allowed). */
const RANGE = /^(-?\d+)\s*\.\.\s*(-?\d+)(?:\s*\.\.\s*(-?\d+))?$/;

/** Shown next to the text box, so the rules are read where they apply. */
export const TASKS_INPUT_HELP =
  'One task per line. A JSON array is the task’s argument list (["a.txt", 3]); other JSON (42, "x y", true, {"k": 1}) is one argument; ' +
  'any other line is one text argument. 1..100 makes one task per number (1..100..5 steps by 5). Blank lines are skipped.';

/**
 * Parses the Tasks text box. Each non-blank line is trimmed, then read as:
 * - a range `a..b` or `a..b..step`: one task `[n]` per number, ends included;
 * - JSON: an array is the argument list, anything else is a single argument;
 * - a line starting with `[` or `{` that is not valid JSON is an error (it was surely meant as JSON);
 * - otherwise the raw line is a single string argument.
 */
export function parseTasksInput(input: string, maxTasks: number = LIMITS.maxTasksPerSubmit): TasksParseResult {
  const tasks: TaskArgsList = [];
  const lines = input.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index].trim();
    if (line === '') continue;

    const range = RANGE.exec(line);
    if (range) {
      const expanded = expandRange(range, maxTasks - tasks.length);
      if (typeof expanded === 'string') return { ok: false, line: lineNumber, message: `line ${lineNumber}: ${expanded}` };
      for (const n of expanded) tasks.push([n]);
      continue;
    }

    const parsed = parseJsonLine(line);
    if (parsed.kind === 'broken') {
      return {
        ok: false,
        line: lineNumber,
        message: `line ${lineNumber}: starts with ${line[0]} but is not valid JSON (${parsed.reason}); quote it as a JSON string to pass it as text`,
      };
    }
    const task = parsed.kind === 'json' ? (Array.isArray(parsed.value) ? parsed.value : [parsed.value]) : [line];
    tasks.push(task);
    if (tasks.length > maxTasks) {
      return { ok: false, line: lineNumber, message: `line ${lineNumber}: at most ${maxTasks.toLocaleString()} tasks at once` };
    }
  }
  return { ok: true, tasks };
}

function expandRange(match: RegExpExecArray, room: number): number[] | string {
  const start = Number(match[1]);
  const end = Number(match[2]);
  const explicitStep = match[3] === undefined ? null : Number(match[3]);
  if (![start, end, explicitStep ?? 0].every(Number.isSafeInteger)) return 'range numbers are too large';
  const step = explicitStep ?? (end >= start ? 1 : -1);
  if (step === 0) return 'the step of a range must not be 0';
  if ((end - start) * step < 0) {
    return `the range ${start}..${end} never reaches its end with step ${step}; use ${start}..${end}..${-step}`;
  }
  const count = Math.floor((end - start) / step) + 1;
  if (count > room) return `the range ${match[0]} makes ${count.toLocaleString()} tasks, more than the ${room.toLocaleString()} still allowed`;
  const numbers = new Array<number>(count);
  for (let i = 0; i < count; i++) numbers[i] = start + i * step;
  return numbers;
}

type JsonLine = { kind: 'json'; value: TaskArgsList[number][number] } | { kind: 'text' } | { kind: 'broken'; reason: string };

function parseJsonLine(line: string): JsonLine {
  const looksStructured = line.startsWith('[') || line.startsWith('{');
  try {
    return { kind: 'json', value: JSON.parse(line) };
  } catch (error) {
    if (!looksStructured) return { kind: 'text' };
    return { kind: 'broken', reason: error instanceof Error ? error.message : String(error) };
  }
}
