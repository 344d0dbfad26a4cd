// Log search over the file on disk, one file per run, and input to a process's stdin: with real
// processes through the Supervisor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogSearches, searchLogFiles } from '../../main/app/log-search.js';
import { LOG_PIECE_BYTES, readLogPiece } from '../../main/app/log-download.js';
import { commandSchemas } from '../../main/protocol/commands.js';
import { python, skipUnless, unixLike } from '../helpers/platform.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';

const PYTHON = execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const fixture = useQuietSupervisor('pooldeck-log-search-');
const skipWithoutSh = skipUnless(unixLike, 'test/app/log-search.test.ts', 'three of its tests run sh -c and true');

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function fileWith(text: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'pooldeck-search-file-'));
  folders.push(folder);
  const path = join(folder, 'run.log');
  writeFileSync(path, text);
  return path;
}

async function exited(id: string): Promise<void> {
  await until(() => fixture.supervisor.snapshot().processes.find((row) => row.id === id)?.state === 'exited', `${id} to exit`, { timeoutMs: 60_000 });
}

describe('searchLogs', () => {
  it('finds `1234` in a 200,000-line log whose tail no longer holds those lines, with their line numbers', async () => {
    const { supervisor } = fixture;
    const row = await supervisor.createProcess({ command: PYTHON, args: ['-c', 'for i in range(200_000): print(f"line {i}")'] });
    await exited(row.id);
    const tail = supervisor.readLogs(row.id, -1, 10_000);
    expect(tail.lines.some((line) => line.text === 'line 1234')).toBe(false);

    const found = await supervisor.searchLogs(row.id, '1234', 10_000);
    const expected = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).filter((text) => text.includes('1234'));
    expect(found.complete).toBe(true);
    expect(found.matchCount).toBe(expected.length);
    expect(found.matches.map((match) => match.text)).toEqual(expected);
    // Line N of the file is `line N-1`: the program's first line is the file's first.
    expect(found.matches[0]).toEqual({ line: 1235, text: 'line 1234' });
    // 200,000 lines and Pooldeck's own "exited with 0".
    expect(found.linesSearched).toBe(200_001);
    expect(found.filePath).toBe(tail.filePath);

    const newest = await supervisor.searchLogs(row.id, '1234', 3);
    expect(newest.matchCount).toBe(expected.length);
    expect(newest.matches.map((match) => match.text)).toEqual(expected.slice(-3));
  }, 120_000);

  it.skipIf(skipWithoutSh)('searches a restarted row in the new run\'s file, and the row\'s tail goes on across runs', async () => {
    const { supervisor } = fixture;
    const row = await supervisor.createProcess({ command: 'sh', args: ['-c', 'echo run at $$'] });
    await exited(row.id);
    const firstFile = supervisor.readLogs(row.id).filePath!;
    expect(basename(firstFile)).toMatch(new RegExp(`^${row.id}-\\d{8}-\\d{6}-[0-9a-f]{6}\\.log$`));
    expect((await supervisor.searchLogs(row.id, 'run at')).matchCount).toBe(1);

    await supervisor.restart(row.id);
    await until(() => supervisor.readLogs(row.id).lines.filter((line) => line.text.startsWith('run at')).length === 2, 'the second run\'s line');
    await exited(row.id);
    const secondFile = supervisor.readLogs(row.id).filePath!;
    expect(secondFile).not.toBe(firstFile);
    const found = await supervisor.searchLogs(row.id, 'run at');
    expect(found.matches).toEqual([{ line: 2, text: expect.stringMatching(/^run at \d+$/) }]);
    expect((await supervisor.searchLogs(row.id, 'restarted')).matches).toEqual([{ line: 1, text: '[pooldeck] restarted (1)' }]);
  });

  it('refuses a search without text or with a limit out of range, naming the field', () => {
    expect(commandSchemas.searchLogs.safeParse({ id: 'p1', text: '' }).error?.issues[0]).toMatchObject({ path: ['text'], message: 'text is required: what to search for' });
    expect(commandSchemas.searchLogs.safeParse({ id: 'p1', text: 'x', limit: 0 }).error?.issues[0]).toMatchObject({ path: ['limit'], message: 'limit must be at least 1' });
  });
});

describe('searchLogFiles', () => {
  it('matches plain text, case-insensitively, ignoring colours, and a redrawn line as its last drawing', async () => {
    const path = fileWith('\u001b[31mERROR\u001b[0m: disk full\nall good\na.c\nabc\nget 10%\rget 50%\rget 100%\nlast without newline');
    const texts = async (text: string) => (await searchLogFiles([path], text, { limit: 100 })).matches;
    expect(await texts('error: ')).toEqual([{ line: 1, text: '\u001b[31mERROR\u001b[0m: disk full' }]);
    expect(await texts('a.c')).toEqual([{ line: 3, text: 'a.c' }]);
    expect(await texts('(a+)+$')).toEqual([]);
    expect(await texts('50%')).toEqual([]);
    expect(await texts('100%')).toEqual([{ line: 5, text: 'get 100%' }]);
    expect(await texts('without')).toEqual([{ line: 6, text: 'last without newline' }]);
  });

  it('reads a rotated run as one text, oldest part first, skipping parts rotated away', async () => {
    const newest = fileWith('three\nfour\n');
    writeFileSync(`${newest}.1`, 'one\ntwo\n');
    const found = await searchLogFiles([`${newest}.2`, `${newest}.1`, newest], 'o', { limit: 10 });
    expect(found).toEqual({ matches: [{ line: 1, text: 'one' }, { line: 2, text: 'two' }, { line: 4, text: 'four' }], matchCount: 3, linesSearched: 4, complete: true });
  });

  it('stops a search when a newer one of the same log starts, and says it is incomplete', async () => {
    const path = fileWith('needle\n'.repeat(100_000));
    const searches = new LogSearches();
    const first = searches.search('p1', [path], 'needle', 10);
    const second = searches.search('p1', [path], 'needle', 10);
    expect(await first).toMatchObject({ complete: false });
    expect(await second).toMatchObject({ complete: true, matchCount: 100_000, linesSearched: 100_000 });
  });
});

describe('readLogFile', () => {
  it('reads a run\'s parts as one file, a bounded piece at a time, byte for byte', async () => {
    const newest = fileWith('x'.repeat(LOG_PIECE_BYTES + 10));
    const older = Buffer.from([0xff, 0x00, 0x0a, 0xe2, 0x82]);
    writeFileSync(`${newest}.1`, older);
    const paths = [`${newest}.2`, `${newest}.1`, newest];
    const pieces: Buffer[] = [];
    let offset = 0;
    let calls = 0;
    for (;;) {
      const piece = await readLogPiece(paths, offset);
      calls += 1;
      expect(piece.totalBytes).toBe(LOG_PIECE_BYTES + 15);
      pieces.push(Buffer.from(piece.data, 'base64'));
      offset = piece.nextOffset;
      if (offset >= piece.totalBytes) break;
    }
    expect(calls).toBe(3);
    expect(Buffer.concat(pieces).equals(Buffer.concat([older, Buffer.from('x'.repeat(LOG_PIECE_BYTES + 10))]))).toBe(true);
  });

  it.skipIf(skipWithoutSh)('reads the current run\'s file through the supervisor, and refuses a negative offset naming the field', async () => {
    const { supervisor } = fixture;
    const row = await supervisor.createProcess({ command: 'sh', args: ['-c', 'echo one; echo two'] });
    await exited(row.id);
    const piece = await supervisor.readLogFile(row.id, 0);
    expect(Buffer.from(piece.data, 'base64').toString()).toBe('one\ntwo\n[pooldeck] exited with 0\n');
    expect(commandSchemas.readLogFile.safeParse({ id: 'p1', offset: -1 }).error?.issues[0]).toMatchObject({ path: ['offset'], message: 'offset must be at least 0' });
  });
});

describe('writeStdin', () => {
  it('sends a line to a program waiting at a prompt', async () => {
    const { supervisor } = fixture;
    const row = await supervisor.createProcess({ command: PYTHON, args: ['-u', '-c', 'name = input("Name? "); print("hello", name)'] });
    await until(() => supervisor.readLogs(row.id).partial.some((line) => line.text === 'Name? '), 'the prompt');
    await supervisor.writeStdin(row.id, 'Ada');
    await exited(row.id);
    expect(supervisor.readLogs(row.id).lines.map((line) => line.text)).toEqual(['Name? hello Ada', 'exited with 0']);
  });

  it.skipIf(skipWithoutSh)('refuses input to a process that ended or closed its stdin, and a line with no text field', async () => {
    const { supervisor } = fixture;
    const ended = await supervisor.createProcess({ command: 'true' });
    await exited(ended.id);
    await expect(supervisor.writeStdin(ended.id, 'x')).rejects.toThrow(`id: ${ended.name} is not running: only a running process reads input`);

    // Closes its stdin, then says so and waits: writing after that is refused.
    const closer = await supervisor.createProcess({ command: 'sh', args: ['-c', 'exec 0<&-; echo closed; exec sleep 60'] });
    await until(() => supervisor.readLogs(closer.id).lines.some((line) => line.text === 'closed'), 'stdin to close');
    await expect(supervisor.writeStdin(closer.id, 'x')).rejects.toThrow(`id: ${closer.name} closed its standard input: it reads no more`);
    await expect(supervisor.writeStdin(closer.id, 'x')).rejects.toThrow(`id: ${closer.name} closed its standard input: it reads no more`);

    expect(commandSchemas.writeStdin.safeParse({ id: 'p1' }).error?.issues[0]).toMatchObject({ path: ['text'], message: 'text must be text' });
  });
});
