import { describe, expect, it } from 'vitest';
import { LogStore } from '../../main/core/log-store.js';
import { searchLines } from '../../main/app/log-search.js';

function tail(text: string, stream: 'stdout' | 'stderr' = 'stdout', log = new LogStore({ directory: '/nonexistent', name: 'search', persist: false })): LogStore {
  log.append(stream, Buffer.from(text));
  return log;
}

describe('searchLines', () => {
  it('finds a plain substring, case-insensitively, across ANSI colours, newest `limit` matches', () => {
    const log = tail('\u001b[31mERROR\u001b[0m: disk full\nall good\nerror: again\n');
    tail('Errors happen\n', 'stderr', log);
    const texts = (found: { text: string }[]) => found.map((line) => line.text);
    expect(texts(searchLines(log.lines(), 'error: '))).toEqual(['\u001b[31mERROR\u001b[0m: disk full', 'error: again']);
    expect(texts(searchLines(log.lines(), 'ERROR', 2))).toEqual(['error: again', 'Errors happen']);
    expect(searchLines(log.lines(), 'nothing')).toEqual([]);
  });

  it('treats the query as text, not as a regular expression', () => {
    const log = tail(`abc\na.c\n${'a'.repeat(5000)}!\n`);
    expect(searchLines(log.lines(), 'a.c').map((line) => line.text)).toEqual(['a.c']);
    expect(searchLines(log.lines(), '(a+)+$')).toEqual([]);
    expect(searchLines(log.lines(), '[')).toEqual([]);
  });
});
