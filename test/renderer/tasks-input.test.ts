import { describe, expect, it } from 'vitest';
import { parseTasksInput } from '../../renderer/lib/tasks-input.js';

describe('parseTasksInput', () => {
  it('expands a range into one single-argument task per number, ends included', () => {
    expect(parseTasksInput('1..5')).toEqual({ ok: true, tasks: [[1], [2], [3], [4], [5]] });
  });

  it('takes a step, counts down, and accepts negative numbers', () => {
    expect(parseTasksInput('0..10..5')).toEqual({ ok: true, tasks: [[0], [5], [10]] });
    expect(parseTasksInput('1..10..4')).toEqual({ ok: true, tasks: [[1], [5], [9]] });
    expect(parseTasksInput('3..1')).toEqual({ ok: true, tasks: [[3], [2], [1]] });
    expect(parseTasksInput('-2..0')).toEqual({ ok: true, tasks: [[-2], [-1], [0]] });
  });

  it('reads a JSON array as the argument list, other JSON as one argument, anything else as one text argument', () => {
    const input = ['["a.txt", 3]', '42', '"two words"', 'true', 'null', '{"k": 1}', 'plain text line', '  padded  '].join('\n');
    expect(parseTasksInput(input)).toEqual({
      ok: true,
      tasks: [['a.txt', 3], [42], ['two words'], [true], [null], [{ k: 1 }], ['plain text line'], ['padded']],
    });
  });

  it('skips blank lines and handles Windows line ends', () => {
    expect(parseTasksInput('\n1\r\n\n  \n2\n')).toEqual({ ok: true, tasks: [[1], [2]] });
  });

  it('mixes ranges and lines in order', () => {
    expect(parseTasksInput('x\n1..2\n[]')).toEqual({ ok: true, tasks: [['x'], [1], [2], []] });
  });

  it('names the line of broken JSON', () => {
    const result = parseTasksInput('1\n2\n[1, 2');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.line).toBe(3);
    expect(result.message).toMatch(/^line 3: starts with \[ but is not valid JSON/);
  });

  it('refuses a zero step and a step that never reaches the end, naming the line', () => {
    expect(parseTasksInput('1..5..0')).toMatchObject({ ok: false, line: 1, message: expect.stringContaining('must not be 0') });
    expect(parseTasksInput('a\n1..5..-1')).toMatchObject({ ok: false, line: 2, message: expect.stringContaining('1..5..1') });
  });

  it('caps the number of tasks', () => {
    expect(parseTasksInput('1..11', 10)).toMatchObject({ ok: false, line: 1, message: expect.stringContaining('11 tasks') });
    expect(parseTasksInput('1..10\nx', 10)).toMatchObject({ ok: false, line: 2 });
    expect(parseTasksInput('1..10', 10)).toMatchObject({ ok: true });
  });

  it('gives no tasks for empty input', () => {
    expect(parseTasksInput('')).toEqual({ ok: true, tasks: [] });
  });
});
