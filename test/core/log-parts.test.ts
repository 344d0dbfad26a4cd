// The log store's parts on their own: the tail ring, the byte splitter, the rotating file.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../main/core/log-file.js';
import { LineRing } from '../../main/core/log-ring.js';
import { LineSplitter } from '../../main/core/line-splitter.js';
import { skipUnless, unixLike } from '../helpers/platform.js';
import { runUnderFdLimit } from '../helpers/under-fd-limit.js';

const folders: string[] = [];
let child: ChildProcess | null = null;
afterEach(() => {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  child = null;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('LineRing', () => {
  it('numbers lines consecutively and evicts the oldest by count and by bytes', () => {
    const ring = new LineRing(10, 3);
    for (const text of ['a', 'b', 'c', 'd']) ring.push('stdout', text, 0);
    expect(ring.lines(0, 10).map((line) => [line.seq, line.text])).toEqual([[2, 'b'], [3, 'c'], [4, 'd']]);
    ring.push('stderr', '12345678', 0);
    expect(ring.lines(0, 10).map((line) => line.text)).toEqual(['c', 'd', '12345678']);
    expect(ring.bytes).toBe(10);
    expect([ring.firstSeq, ring.lastSeq]).toEqual([3, 5]);
  });

  it('skip() uses up seqs and empties the tail', () => {
    const ring = new LineRing(100, 10);
    ring.push('stdout', 'kept?', 0);
    ring.skip(5);
    expect(ring.count).toBe(0);
    ring.push('stdout', 'next', 0);
    expect(ring.lines(0, 10)).toEqual([{ seq: 7, stream: 'stdout', text: 'next', time: 0 }]);
  });
});

describe('LineSplitter', () => {
  function collect(limits = { maxLineBytes: 8, tailLines: 100, tailBytes: 1000 }) {
    const lines: string[] = [];
    let skipped = 0;
    const splitter = new LineSplitter(limits, { line: (_stream, text) => lines.push(text), skip: (count) => (skipped += count) });
    return { splitter, lines, skipped: () => skipped };
  }

  it('joins chunks, cuts long lines at character boundaries, drops CR, and keeps the unfinished line', () => {
    const { splitter, lines } = collect();
    splitter.push('stdout', Buffer.from('he'), 0);
    splitter.push('stdout', Buffer.from('llo\r\nééééé\nprog'), 0);
    expect(lines).toEqual(['hello', 'éééé', 'é']);
    expect(splitter.partialLines()).toEqual([{ stream: 'stdout', text: 'prog', time: 0 }]);
    splitter.end();
    expect(lines.at(-1)).toBe('prog');
  });

  it('turns a flood into skipped seqs and keeps only what fits, as lines once asked for', () => {
    const { splitter, lines, skipped } = collect({ maxLineBytes: 100, tailLines: 3, tailBytes: 1000 });
    splitter.push('stdout', Buffer.from('1\n2\n3\n4\n5\n6\n'), 0);
    expect(lines).toEqual([]);
    expect(skipped()).toBe(3);
    splitter.materialize();
    expect(lines).toEqual(['4', '5', '6']);
  });
});

describe('RotatingLogFile', () => {
  it('rotates at the size cap and says where output was dropped', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pooldeck-logfile-'));
    folders.push(folder);
    const notices: string[] = [];
    const file = new RotatingLogFile(join(folder, 'job.log'), { fileBytes: 40, files: 2, maxPendingBytes: 16 }, (text) => notices.push(text));
    file.write(Buffer.from('0123456789\n'));
    file.write(Buffer.from('this does not fit\n'));
    await file.flush();
    file.write(Buffer.from('after\n'));
    await file.close();
    expect(notices).toEqual(['[pooldeck: 18 bytes dropped]']);
    expect(file.droppedBytes).toBe(18);
    expect(readdirSync(folder).sort()).toEqual(['job.log', 'job.log.1']);
    // The notice and the next output are written together; the file rotates at the notice's line end.
    expect(readFileSync(join(folder, 'job.log.1'), 'utf8')).toBe('0123456789\n[pooldeck: 18 bytes dropped]\n');
    expect(readFileSync(join(folder, 'job.log'), 'utf8')).toBe('after\n');
  });

  // A real shortage, not a stand-in open(): the file runs in a child node (tsx) under a low `ulimit -n`
  // that fills its own fds, so the test's process never runs short.
  it.skipIf(skipUnless(unixLike, 'test/core/log-parts.test.ts', 'lowers the open-files limit (util-linux prlimit, or sh ulimit -n; Windows has no such per-process limit)'))('writes again once fds are free after running out, and says in the file what was not written', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pooldeck-logfile-emfile-'));
    folders.push(folder);
    const script = join(folder, 'log.mts');
    writeFileSync(script, OUT_OF_FDS_SCRIPT(join(folder, 'logs', 'job.log')));
    const run = runUnderFdLimit(script, 64);
    child = run.child;
    const { code, stderr, result } = await run.done;
    expect(code, stderr).toBe(0);
    const notice = '[pooldeck: 10 bytes not written to this file while the app was out of file descriptors (EMFILE)]';
    expect(result).toEqual({ text: `one\n${notice}\nfour\n`, notices: [notice], diskError: null, droppedBytes: 10 });
  }, 60_000);
});

const OUT_OF_FDS_SCRIPT = (path: string) => `
import { closeSync, openSync, readFileSync } from 'node:fs';
import { RotatingLogFile } from ${JSON.stringify(resolve('main/core/log-file.ts'))};
const notices = [];
const file = new RotatingLogFile(${JSON.stringify(path)}, { fileBytes: 1 << 20, files: 2, maxPendingBytes: 1 << 20 }, (text) => notices.push(text));
file.write(Buffer.from('one\\n'));
await file.release();
const fillers = [];
try {
  for (;;) fillers.push(openSync('/dev/null', 'r'));
} catch {}
file.write(Buffer.from('two\\n'));
await file.flush();
file.write(Buffer.from('three\\n'));
await file.flush();
for (const fd of fillers) closeSync(fd);
file.write(Buffer.from('four\\n'));
await file.close();
const diskError = file.diskError?.message ?? null;
console.log(JSON.stringify({ text: readFileSync(${JSON.stringify(path)}, 'utf8'), notices, diskError, droppedBytes: file.droppedBytes }));
`;
