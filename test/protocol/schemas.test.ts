import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  EXACTLY_ONE_OF_COMMAND_AND_TARGET,
  IdArgsSchema,
  ListTargetsArgsSchema,
  LIMITS,
  PoolSpecSchema,
  ProcessSpecSchema,
  StopArgsSchema,
  SubmitTasksArgsSchema,
  commandNames,
  commandSchemas,
  dispatchCommand,
  errorFromIssues,
  formatExitcode,
  type CommandHandlers,
} from '../../main/protocol/index.js';

function firstError(schema: z.ZodType, value: unknown) {
  const parsed = schema.safeParse(value);
  expect(parsed.success).toBe(false);
  return errorFromIssues(parsed.error!.issues);
}

describe('process spec schema', () => {
  it('accepts a full spec', () => {
    const parsed = ProcessSpecSchema.parse({ command: 'python3', args: ['-c', 'print(1)'], name: 'job', daemon: true, cwd: '/tmp', env: { A: '1' } });
    expect(parsed.command).toBe('python3');
  });

  it('names the field and what is valid', () => {
    expect(firstError(ProcessSpecSchema, { command: '' })).toMatchObject({ field: 'command', code: 'invalid' });
    expect(firstError(ProcessSpecSchema, { command: '' }).message).toMatch(/command is required/);
    expect(firstError(ProcessSpecSchema, { command: 'ls', args: 'a b' })).toMatchObject({ field: 'args' });
    expect(firstError(ProcessSpecSchema, { command: 'ls', daemon: 'yes' }).message).toMatch(/daemon must be true or false/);
  });

  it('refuses unknown fields instead of ignoring them', () => {
    const error = firstError(ProcessSpecSchema, { command: 'ls', shell: true });
    expect(error.message).toMatch(/unknown field: shell/);
    expect(error.field).toBe('shell');
  });

  it('refuses prototype-polluting and malformed env names', () => {
    const polluted = JSON.parse('{"command":"ls","env":{"__proto__":"x"}}');
    expect(ProcessSpecSchema.safeParse(polluted).success).toBe(false);
    expect(ProcessSpecSchema.safeParse({ command: 'ls', env: { constructor: 'x' } }).success).toBe(false);
    expect(firstError(ProcessSpecSchema, { command: 'ls', env: { '1A': 'x' } }).message).toMatch(/letters, digits and _/);
    expect(firstError(ProcessSpecSchema, { command: 'ls', env: { A: 3 } }).field).toBe('env.A');
  });
});

describe('pool spec schema', () => {
  it('checks the pool size and mode', () => {
    expect(firstError(PoolSpecSchema, { processes: 0, command: 'x' }).message).toMatch(/processes must be at least 1/);
    expect(firstError(PoolSpecSchema, { processes: 1.5, command: 'x' }).message).toMatch(/whole number/);
    expect(firstError(PoolSpecSchema, { processes: 2, command: 'x', mode: 'threads' }).message).toMatch(/'worker' or 'exec'/);
    expect(firstError(PoolSpecSchema, { processes: 2, command: 'x', maxTasksPerChild: 0 }).field).toBe('maxTasksPerChild');
  });

  it('takes tasks as lists of JSON arguments', () => {
    expect(PoolSpecSchema.parse({ processes: 2, command: 'x', tasks: [[1], ['a', { b: 2 }]] }).tasks).toHaveLength(2);
    expect(firstError(PoolSpecSchema, { processes: 2, command: 'x', tasks: [1, 2] }).field).toBe('tasks.0');
  });
});

describe('function targets in the specs', () => {
  it('accepts a target with JSON args and kwargs', () => {
    const parsed = ProcessSpecSchema.parse({ target: 'tasks.py:square', args: [3, { a: [1] }], kwargs: { scale: 2 }, python: 'python3.12' });
    expect(parsed).toMatchObject({ target: 'tasks.py:square', args: [3, { a: [1] }], kwargs: { scale: 2 } });
    expect(PoolSpecSchema.parse({ processes: 2, target: 'tasks.mjs:square', initializer: 'tasks.mjs:init', initargs: [1], tasks: [[1]] }).initargs).toEqual([1]);
  });

  it('names both fields when given both command and target, or neither', () => {
    for (const schema of [ProcessSpecSchema, PoolSpecSchema]) {
      const base = schema === PoolSpecSchema ? { processes: 1 } : {};
      const both = firstError(schema, { ...base, command: 'python3', target: 'tasks.py:square' });
      expect(both).toMatchObject({ field: 'target', message: `target: ${EXACTLY_ONE_OF_COMMAND_AND_TARGET}` });
      expect(both.message).toMatch(/command .*target/);
      expect(firstError(schema, { ...base })).toMatchObject({ field: 'command', message: `command: ${EXACTLY_ONE_OF_COMMAND_AND_TARGET}` });
    }
  });

  it('refuses kwargs without a target, naming kwargs', () => {
    const error = firstError(ProcessSpecSchema, { command: 'ls', kwargs: { a: 1 } });
    expect(error.field).toBe('kwargs');
    expect(error.message).toMatch(/kwargs is only for a target/);
  });

  it('refuses JSON values as the arguments of a command, naming the argument', () => {
    const error = firstError(ProcessSpecSchema, { command: 'ls', args: ['-l', 3] });
    expect(error.field).toBe('args.1');
    expect(error.message).toMatch(/arguments of a command are text/);
  });

  it('refuses a target that is not FILE:ATTR, naming target', () => {
    for (const target of ['tasks.py', ':square', 'tasks.py:', '   ']) {
      const error = firstError(ProcessSpecSchema, { target });
      expect(error.field).toBe('target');
      expect(error.message).toMatch(/FILE:ATTR/);
    }
    expect(firstError(ProcessSpecSchema, { target: `${'a'.repeat(4096)}.py:f` }).message).toMatch(/at most 4096/);
  });

  it('refuses kwargs nested past the depth limit and a __proto__ keyword', () => {
    let deep: unknown = 1;
    for (let level = 0; level < LIMITS.maxValueDepth + 1; level += 1) deep = [deep];
    expect(firstError(ProcessSpecSchema, { target: 't.py:f', kwargs: { a: deep } }).field).toMatch(/^kwargs\.a/);
    expect(firstError(ProcessSpecSchema, { target: 't.py:f', args: [deep] }).field).toBe('args.0');
    expect(firstError(ProcessSpecSchema, JSON.parse('{"target":"t.py:f","kwargs":{"__proto__":1}}')).field).toBe('kwargs.__proto__');
  });

  it('refuses exec mode, pool args, or an initializer without a target, naming the field', () => {
    const exec = firstError(PoolSpecSchema, { processes: 1, target: 't.py:f', mode: 'exec' });
    expect(exec.field).toBe('mode');
    expect(exec.message).toMatch(/worker mode/);
    expect(firstError(PoolSpecSchema, { processes: 1, target: 't.py:f', args: ['x'] }).field).toBe('args');
    expect(firstError(PoolSpecSchema, { processes: 1, command: 'x', initializer: 't.py:init' }).field).toBe('initializer');
    expect(firstError(PoolSpecSchema, { processes: 1, command: 'x', initargs: [1] }).field).toBe('initargs');
    expect(firstError(PoolSpecSchema, { processes: 1, target: 't.py:f', initargs: [1] }).field).toBe('initargs');
    expect(firstError(PoolSpecSchema, { processes: 1, target: 't.py:f', initializer: 'init' }).field).toBe('initializer');
  });

  it('checks listTargets arguments', () => {
    expect(ListTargetsArgsSchema.parse({ file: 'tasks.py', cwd: '/tmp' }).file).toBe('tasks.py');
    expect(firstError(ListTargetsArgsSchema, { file: ' ' }).message).toMatch(/file is required/);
    expect(firstError(ListTargetsArgsSchema, { file: 'a.py', shell: true }).field).toBe('shell');
  });
});

describe('dispatchCommand', () => {
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    commandNames.map((name) => [
      name,
      async (args: unknown) => {
        calls.push(name);
        if (name === 'kill') throw new Error('boom');
        return { echoed: args };
      },
    ]),
  ) as unknown as CommandHandlers;

  it('refuses an unknown command without calling anything', async () => {
    const outcome = await dispatchCommand(handlers, 'rm -rf', {});
    expect(outcome).toEqual({ ok: false, error: { code: 'unknown_command', message: 'unknown command: rm -rf' } });
    expect(await dispatchCommand(handlers, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(calls).toEqual([]);
  });

  it('validates before the handler runs and passes parsed args', async () => {
    const bad = await dispatchCommand(handlers, 'terminate', { id: 5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid', field: 'id' } });
    const extra = await dispatchCommand(handlers, 'terminate', { id: 'p1', signal: 'SIGKILL' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid', field: 'signal' } });
    expect(calls).toEqual([]);
    const good = await dispatchCommand(handlers, 'terminate', { id: 'p1' });
    expect(good).toEqual({ ok: true, value: { echoed: { id: 'p1' } } });
  });

  it('turns a thrown error into an error value', async () => {
    expect(await dispatchCommand(handlers, 'kill', { id: 'p1' })).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('has a schema for every command', () => {
    for (const name of commandNames) expect(commandSchemas[name]).toBeDefined();
  });
});

describe('formatExitcode', () => {
  it('reads like multiprocessing plus the signal name', () => {
    expect(formatExitcode(null)).toBe('');
    expect(formatExitcode(0)).toBe('0');
    expect(formatExitcode(3)).toBe('3');
    expect(formatExitcode(-15)).toBe('-15 (SIGTERM)');
    expect(formatExitcode(-9)).toBe('-9 (SIGKILL)');
    expect(formatExitcode(-99)).toBe('-99');
  });
});

describe('input limits', () => {
  const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

  it(`refuses a task argument nested more than ${LIMITS.maxValueDepth} levels deep, naming the field and the limit, without overflowing the stack`, () => {
    expect(SubmitTasksArgsSchema.safeParse({ poolId: 'pool-1', tasks: [[nested(LIMITS.maxValueDepth)]] }).success).toBe(true);
    for (const depth of [LIMITS.maxValueDepth + 1, 1_550, 100_000]) {
      const error = firstError(SubmitTasksArgsSchema, { poolId: 'pool-1', tasks: [[1], [2, nested(depth)]] });
      expect(error, `depth ${depth}`).toMatchObject({ code: 'invalid', field: 'tasks.1.1' });
      expect(error.message).toBe(
        `tasks.1.1: this argument nests lists or objects more than ${LIMITS.maxValueDepth} levels deep; at most ${LIMITS.maxValueDepth} levels are allowed`,
      );
    }
    expect(firstError(PoolSpecSchema, { processes: 1, command: 'sh', tasks: [[{ a: nested(2_000) }]] })).toMatchObject({ field: 'tasks.0.0' });
  });

  it('says an id is too long, and how long it may be', () => {
    const error = firstError(IdArgsSchema, { id: 'p'.repeat(LIMITS.maxIdLength + 1) });
    expect(error.message).toBe(`id: id is too long: at most ${LIMITS.maxIdLength} characters`);
  });

  it('says graceMs must be a whole number of milliseconds', () => {
    expect(firstError(StopArgsSchema, { id: 'p1', graceMs: 1.5 }).message).toBe('graceMs: graceMs must be a whole number of milliseconds');
  });
});
