import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../renderer/lib/args-input.js';
import { parseEnvInput } from '../../renderer/lib/env-input.js';
import { ansiToHtml, stripAnsi } from '../../renderer/lib/ansi.js';

describe('splitArgs', () => {
  it('splits on whitespace and keeps quoted spaces', () => {
    expect(splitArgs(`-c 'print("hi there")'  "a b"   c`)).toEqual({ ok: true, args: ['-c', 'print("hi there")', 'a b', 'c'] });
  });

  it('handles escapes, empty quotes and joined quoted parts', () => {
    expect(splitArgs(String.raw`a\ b "x\"y" '' pre'fix'post "back\\slash"`)).toEqual({
      ok: true,
      args: ['a b', 'x"y', '', 'prefixpost', 'back\\slash'],
    });
  });

  it('passes shell syntax through as plain text', () => {
    expect(splitArgs('$HOME *.txt | wc > out')).toEqual({ ok: true, args: ['$HOME', '*.txt', '|', 'wc', '>', 'out'] });
  });

  it('reports an unclosed quote with its position', () => {
    expect(splitArgs(`a 'b c`)).toEqual({ ok: false, message: "the ' quote at character 3 is never closed" });
    expect(splitArgs(`"x`)).toMatchObject({ ok: false, message: expect.stringContaining('character 1') });
  });

  it('gives no arguments for blank input', () => {
    expect(splitArgs('   ')).toEqual({ ok: true, args: [] });
  });
});

describe('parseEnvInput', () => {
  it('reads NAME=value lines, keeps the value as written and skips comments', () => {
    expect(parseEnvInput('# comment\nA=1\n\n B = two words\nURL=a=b\nEMPTY=')).toEqual({
      ok: true,
      env: { A: '1', B: ' two words', URL: 'a=b', EMPTY: '' },
      count: 4,
    });
  });

  it('names the bad line', () => {
    expect(parseEnvInput('A=1\nnot a pair')).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/^line 2: expected NAME=value/) });
    expect(parseEnvInput('1X=1')).toMatchObject({ ok: false, line: 1, message: expect.stringContaining('not a valid name') });
    expect(parseEnvInput('__proto__=x')).toMatchObject({ ok: false, line: 1 });
    expect(parseEnvInput('A=1\nA=2')).toMatchObject({ ok: false, line: 2, message: 'line 2: A is already set on line 1' });
  });
});

describe('ansi', () => {
  it('turns colours into classed spans and escapes HTML', () => {
    const html = ansiToHtml('\x1b[31mred <b>&</b>\x1b[0m plain');
    expect(html).toBe('<span class="ansi-red-fg">red &lt;b&gt;&amp;&lt;/b&gt;</span> plain');
  });

  it('never emits a link that could navigate the window', () => {
    const html = ansiToHtml('\x1b]8;;https://example.invalid/x\x1b\\click\x1b]8;;\x1b\\');
    expect(html).not.toContain('<a');
    expect(html).toContain('click');
  });

  it('strips escape sequences for search', () => {
    expect(stripAnsi('\x1b[1;32mok\x1b[0m done\x1b]0;title\x07')).toBe('ok done');
  });
});
