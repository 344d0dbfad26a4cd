import { z } from 'zod';

// Runtime schemas for everything that crosses into the app from a UI or a file. The renderer uses the
// same schemas to show errors at the field before sending; the shells use them to refuse bad input.

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const LIMITS = {
  maxArgs: 10_000,
  maxStringLength: 32_768,
  maxEnvEntries: 1_000,
  maxPoolProcesses: 512,
  maxTasksPerSubmit: 100_000,
  maxGraceMs: 600_000,
  maxLogLinesPerRead: 10_000,
  maxLogMatches: 10_000,
  maxTasksPerPage: 1_000,
  maxIdLength: 100,
  /** Quick failures in a row a restart policy retries before the row goes to errored. */
  maxRestarts: 1_000,
  /** A day: a run this long resets a restart policy's count of quick failures. */
  maxStableAfterMs: 86_400_000,
  /** Lists and objects inside one task argument; deeper values would exhaust a validator's or a worker's stack. */
  maxValueDepth: 64,
} as const;

const text = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .max(LIMITS.maxStringLength, { error: `${field} must be at most ${LIMITS.maxStringLength} characters` });

const commandField = text('command').trim().min(1, { error: 'command is required: the program to run, e.g. python3' });

const argsField = z
  .array(text('each argument'), { error: 'args must be a list of strings' })
  .max(LIMITS.maxArgs, { error: `at most ${LIMITS.maxArgs} arguments` });

const nameField = text('name')
  .trim()
  .min(1, { error: 'name must not be empty (leave it out for a default name)' })
  .max(200, { error: 'name must be at most 200 characters' });

const cwdField = text('cwd').trim().min(1, { error: 'cwd must not be empty (leave it out for the default)' });

// zod drops a `__proto__` key silently; refuse it out loud instead, so the user learns why.
const envObject = z.preprocess((value, context) => {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, '__proto__')) {
    context.issues.push({ code: 'custom', message: 'env name __proto__ is not allowed', input: value, path: ['__proto__'] });
  }
  return value;
}, z
  .record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'env names are letters, digits and _ and do not start with a digit' })
      .refine((key) => !FORBIDDEN_KEYS.has(key), { error: 'env name is not allowed' }),
    text('env value'),
    { error: (issue) => (issue.code === 'invalid_type' ? 'env must map names to text values' : undefined) },
  )
  .refine((env) => Object.keys(env).length <= LIMITS.maxEnvEntries, {
    error: `env may hold at most ${LIMITS.maxEnvEntries} entries`,
  }));

const envField = envObject;

const idField = z
  .string({ error: 'id must be text' })
  .min(1, { error: 'id is required' })
  .max(LIMITS.maxIdLength, { error: `id is too long: at most ${LIMITS.maxIdLength} characters` });

/**
 * The path (below `value`) of the first list or object nested more than `maxDepth` levels deep, or
 * null. Iterative, so a hostile value cannot exhaust the stack here the way a recursive walk would.
 */
function tooDeepPath(value: unknown, maxDepth: number): (string | number)[] | null {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return path;
    const entries: [string | number, unknown][] = Array.isArray(current) ? current.map((item, index) => [index, item]) : Object.entries(current);
    for (const [key, item] of entries) {
      if (item !== null && typeof item === 'object') pending.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}

type JsonArgument = z.input<ReturnType<typeof z.json>>;

// The depth is checked before zod walks the arguments (the pipe stops at the first issue): z.json()
// recurses, and ~1,500 levels overflow it.
const jsonArguments = (listError: string, maxLength = Number.MAX_SAFE_INTEGER) =>
  z
    .custom<JsonArgument[]>()
    .superRefine((value, context) => {
      if (!Array.isArray(value)) return;
      for (const [index, argument] of value.entries()) {
        if (tooDeepPath(argument, LIMITS.maxValueDepth) === null) continue;
        context.addIssue({
          code: 'custom',
          message: `this argument nests lists or objects more than ${LIMITS.maxValueDepth} levels deep; at most ${LIMITS.maxValueDepth} levels are allowed`,
          input: value,
          path: [index],
        });
        return;
      }
    })
    .pipe(z.array(z.json(), { error: listError }).max(maxLength, { error: `at most ${maxLength} arguments` }));

const taskArgs = jsonArguments('each task is a list of arguments');

const TaskListSchema = z
  .array(taskArgs, { error: 'tasks must be a list of argument lists' })
  .max(LIMITS.maxTasksPerSubmit, { error: `at most ${LIMITS.maxTasksPerSubmit} tasks at once` });

/** Does `value` (a JSON object) nest past the depth limit? Adds the issue at the deepest key's path. */
function refuseTooDeep(value: unknown, context: z.RefinementCtx, maxDepth: number): void {
  const path = tooDeepPath(value, maxDepth);
  if (path === null) return;
  context.addIssue({
    code: 'custom',
    message: `this value nests lists or objects more than ${maxDepth} levels deep; at most ${maxDepth} levels are allowed`,
    input: value,
    path,
  });
}

/** One JSON value a user typed (a queue item, a pipe message), nested at most LIMITS.maxValueDepth levels. */
export const jsonValueField = (field: string) =>
  z
    .custom<JsonArgument>()
    .superRefine((value, context) => {
      // z.json() says only "Invalid input" for a missing value or a function: say what is wanted.
      if (value === undefined) context.addIssue({ code: 'custom', message: `${field} is required: ${JSON_VALUE}`, input: value });
      else refuseTooDeep(value, context, LIMITS.maxValueDepth);
    })
    .pipe(z.json({ error: `${field} must be ${JSON_VALUE}` }));

const JSON_VALUE = 'a JSON value (text, a number, true/false, null, a list or an object)';

/** A function's keyword arguments: names to JSON values. */
const kwargsField = z
  .custom<Record<string, JsonArgument>>()
  .superRefine((value, context) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    // zod drops a `__proto__` key silently; refuse it out loud instead.
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) context.addIssue({ code: 'custom', message: `keyword ${key} is not allowed`, input: value, path: [key] });
    }
    // One level more than a task argument's: the object itself is one.
    refuseTooDeep(value, context, LIMITS.maxValueDepth + 1);
  })
  .pipe(z.record(z.string(), z.json(), { error: 'kwargs must be an object of keyword arguments, e.g. {"scale": 2}' }));

/** With `command`: the program's arguments (text); with `target`: the function's (JSON values). */
const callArgsField = jsonArguments('args must be a list: of text for a command, of JSON values for a target', LIMITS.maxArgs);

const MAX_TARGET_LENGTH = 4096;

/** `tasks.py:square`, `pkg/tasks.py:Worker`, `mypkg.tasks:square`, `tasks.mjs:square`. */
const targetField = (field: string) =>
  z
    .string({ error: `${field} must be text, FILE:ATTR or MODULE:ATTR, e.g. tasks.py:square` })
    .trim()
    .min(1, { error: `${field} must not be empty: FILE:ATTR or MODULE:ATTR, e.g. tasks.py:square` })
    .max(MAX_TARGET_LENGTH, { error: `${field} must be at most ${MAX_TARGET_LENGTH} characters` })
    .refine(
      (value) => {
        const colon = value.lastIndexOf(':');
        return colon > 0 && colon < value.length - 1;
      },
      { error: `${field} must be FILE:ATTR or MODULE:ATTR, e.g. tasks.py:square, tasks.mjs:square or mypkg.tasks:square` },
    );

const interpreterField = (field: string, example: string) =>
  text(field).trim().min(1, { error: `${field} must not be empty (leave it out for ${example})` });

const pythonField = interpreterField('python', 'python3 on PATH, python on Windows');
const nodeField = interpreterField('node', 'node on PATH');

export const EXACTLY_ONE_OF_COMMAND_AND_TARGET = 'give exactly one of command (a program to run) and target (FILE:ATTR, e.g. tasks.py:square)';

interface CallSpec {
  command?: string;
  target?: string;
  args?: JsonArgument[];
}

/** The checks between fields that a process and a pool share: one of command and target; text args for a command. */
function refineCallSpec(spec: CallSpec, context: z.RefinementCtx): void {
  if ((spec.command === undefined) === (spec.target === undefined)) {
    // At the field to fill in when neither is given (a command form's), at the extra one when both are.
    const path = spec.command === undefined ? ['command'] : ['target'];
    context.addIssue({ code: 'custom', message: EXACTLY_ONE_OF_COMMAND_AND_TARGET, input: spec, path });
    return;
  }
  if (spec.command === undefined || spec.args === undefined) return;
  for (const [index, argument] of spec.args.entries()) {
    if (typeof argument !== 'string') {
      context.addIssue({ code: 'custom', message: 'the arguments of a command are text (JSON values are for a target)', input: argument, path: ['args', index] });
      return;
    }
    if (argument.length > LIMITS.maxStringLength) {
      context.addIssue({ code: 'custom', message: `each argument must be at most ${LIMITS.maxStringLength} characters`, input: argument, path: ['args', index] });
      return;
    }
  }
}

/** Fields only a target takes: each named in the error when given with a command. */
function refuseWithoutTarget(spec: CallSpec & Record<string, unknown>, fields: readonly string[], context: z.RefinementCtx): void {
  if (spec.target !== undefined) return;
  for (const field of fields) {
    if (spec[field] === undefined) continue;
    context.addIssue({ code: 'custom', message: `${field} is only for a target (a function, FILE:ATTR); a command takes args`, input: spec[field], path: [field] });
    return;
  }
}

/** A whole number from `min` (to `max`), with messages naming the field. */
const wholeNumber = (field: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(min, { error: `${field} must be at least ${min}` })
    .max(max, { error: `${field} must be at most ${max}` });

/** When a process that exits by itself is started again (see main/app/restart-policy.ts). */
export const RESTART_POLICIES = ['no', 'on-failure', 'always'] as const;

/** What a restart policy uses when the spec leaves the field out. */
export const RESTART_DEFAULTS = { restart: 'no', maxRestarts: 5, stableAfterMs: 10_000 } as const;

const restartField = z.enum(RESTART_POLICIES, { error: "restart must be 'no', 'on-failure' or 'always'" });

export const ProcessSpecSchema = z
  .strictObject({
    command: commandField.optional(),
    target: targetField('target').optional(),
    args: callArgsField.optional(),
    kwargs: kwargsField.optional(),
    python: pythonField.optional(),
    node: nodeField.optional(),
    name: nameField.optional(),
    daemon: z.boolean({ error: 'daemon must be true or false' }).optional(),
    cwd: cwdField.optional(),
    env: envField.optional(),
    restart: restartField.optional(),
    maxRestarts: wholeNumber('maxRestarts', 0, LIMITS.maxRestarts).optional(),
    stableAfterMs: wholeNumber('stableAfterMs', 0, LIMITS.maxStableAfterMs).optional(),
    inspect: z.boolean({ error: 'inspect must be true or false (false: run a Python job without the multiprocessing inspector)' }).optional(),
  })
  .superRefine((spec, context) => {
    refineCallSpec(spec, context);
    refuseWithoutTarget(spec, ['kwargs'], context);
  });

export const PoolSpecSchema = z
  .strictObject({
    processes: z
      .number({ error: 'processes must be a number' })
      .int({ error: 'processes must be a whole number' })
      .min(1, { error: 'processes must be at least 1' })
      .max(LIMITS.maxPoolProcesses, { error: `processes must be at most ${LIMITS.maxPoolProcesses}` }),
    command: commandField.optional(),
    target: targetField('target').optional(),
    initializer: targetField('initializer').optional(),
    initargs: jsonArguments("initargs must be a list of JSON values, the initializer's arguments").optional(),
    python: pythonField.optional(),
    node: nodeField.optional(),
    args: argsField.optional(),
    mode: z.enum(['worker', 'exec'], { error: "mode must be 'worker' or 'exec'" }).optional(),
    maxTasksPerChild: z
      .number({ error: 'maxTasksPerChild must be a number' })
      .int({ error: 'maxTasksPerChild must be a whole number' })
      .min(1, { error: 'maxTasksPerChild must be at least 1 (leave it out for no limit)' })
      .optional(),
    name: nameField.optional(),
    daemon: z.boolean({ error: 'daemon must be true or false' }).optional(),
    cwd: cwdField.optional(),
    env: envField.optional(),
    tasks: TaskListSchema.optional(),
  })
  .superRefine((spec, context) => {
    refineCallSpec(spec, context);
    refuseWithoutTarget(spec, ['initializer', 'initargs'], context);
    if (spec.target === undefined) return;
    if (spec.mode === 'exec') {
      context.addIssue({ code: 'custom', message: "a target is served in worker mode: leave mode out or set it to 'worker'", input: spec.mode, path: ['mode'] });
    } else if (spec.args !== undefined) {
      context.addIssue({ code: 'custom', message: "args is for a command: a target's arguments come with each task", input: spec.args, path: ['args'] });
    } else if (spec.initargs !== undefined && spec.initializer === undefined) {
      context.addIssue({ code: 'custom', message: 'initargs needs an initializer to pass them to', input: spec.initargs, path: ['initargs'] });
    }
  });

/** Lists the top-level functions and classes of a Python or Node file, as the helper sees them. */
export const ListTargetsArgsSchema = z.strictObject({
  file: text('file').trim().min(1, { error: 'file is required: a .py, .mjs, .cjs or .js file' }),
  cwd: cwdField.optional(),
  python: pythonField.optional(),
  node: nodeField.optional(),
});

export const IdArgsSchema = z.strictObject({ id: idField });

export const StopArgsSchema = z.strictObject({
  id: idField,
  graceMs: z
    .number({ error: 'graceMs must be a number' })
    .int({ error: 'graceMs must be a whole number of milliseconds' })
    .min(0, { error: 'graceMs must be 0 or more' })
    .max(LIMITS.maxGraceMs, { error: `graceMs must be at most ${LIMITS.maxGraceMs}` })
    .optional(),
});

export const SubmitTasksArgsSchema = z.strictObject({ poolId: idField, tasks: TaskListSchema });

export const ReadLogsArgsSchema = z.strictObject({
  id: idField,
  afterSeq: z.number().int().min(-1).optional(),
  limit: z.number().int().min(1).max(LIMITS.maxLogLinesPerRead).optional(),
});

/** A line for a running process's standard input (a newline is added), as typed at a prompt. */
export const WriteStdinArgsSchema = z.strictObject({ id: idField, text: text('text') });

/** A page of a pool's task list: rows `offset` … `offset + limit - 1` of those in `state` (all when left out). */
export const ListTasksArgsSchema = z.strictObject({
  poolId: idField,
  offset: wholeNumber('offset', 0).optional(),
  limit: wholeNumber('limit', 1, LIMITS.maxTasksPerPage).optional(),
  state: z
    .enum(['queued', 'running', 'done', 'failed', 'cancelled'], { error: "state must be one of 'queued', 'running', 'done', 'failed', 'cancelled' (leave it out for all)" })
    .optional(),
});

/** Searches the current run's log file on disk, all of it: plain text, case-insensitive. */
export const SearchLogsArgsSchema = z.strictObject({
  id: idField,
  text: z
    .string({ error: 'text must be text: what to search for' })
    .min(1, { error: 'text is required: what to search for' })
    .max(1000, { error: 'text must be at most 1000 characters' }),
  limit: wholeNumber('limit', 1, LIMITS.maxLogMatches).optional(),
});

/** A piece of the current run's log file from byte `offset` (for a download). */
export const ReadLogFileArgsSchema = z.strictObject({ id: idField, offset: wholeNumber('offset', 0) });

export const EmptyArgsSchema = z.strictObject({});

export type ProcessSpec = z.output<typeof ProcessSpecSchema>;
/** When a process is started again after it exits by itself: never, after a non-zero exit or a signal, or always. */
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type PoolSpec = z.output<typeof PoolSpecSchema>;
export type ListTargetsArgs = z.output<typeof ListTargetsArgsSchema>;
