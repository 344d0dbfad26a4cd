// LogStore: the bounded tail, the rotated files, and what happens under a flood from a real process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogStore, type LogStoreOptions } from '../../main/core/log-store.js';
import { Process } from '../../main/core/process.js';
import { hasProcfs, nodeProgram, python, skipUnless } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const PYTHON = execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

const dirs: string[] = [];
const stores: LogStore[] = [];
const processes: Process[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pooldeck-logs-'));
  dirs.push(dir);
  return dir;
}

function store(options: Partial<LogStoreOptions> = {}): LogStore {
  const created = new LogStore({ directory: tempDir(), name: 'job-1', ...options });
  stores.push(created);
  return created;
}

function texts(log: LogStore, afterSeq?: number): string[] {
  return log.lines(afterSeq).map((line) => line.text);
}

function logFiles(log: LogStore): { name: string; size: number }[] {
  const dir = join(log.filePath!, '..');
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, size: statSync(join(dir, name)).size }));
}

function run(log: LogStore, command: string, args: string[]): Promise<number | null> {
  const process = new Process({ command, args });
  processes.push(process);
  process.on('output', (stream, chunk) => log.append(stream, chunk));
  return process.start().then(() => process.join());
}

afterEach(async () => {
  for (const process of processes.splice(0)) {
    if (process.isAlive()) {
      process.kill();
      await process.join(10_000);
    }
  }
  await Promise.all(stores.splice(0).map((log) => log.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const out = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('lines', () => {
  it('joins partial lines across chunks, per stream', () => {
    const log = store();
    log.append('stdout', out('hel'));
    log.append('stderr', out('warn'));
    log.append('stdout', out('lo\nwor'));
    expect(log.lines().map(({ stream, text }) => [stream, text])).toEqual([['stdout', 'hello']]);
    log.append('stderr', out('ing\n'));
    log.append('stdout', out('ld\n'));
    expect(log.lines().map(({ stream, text }) => [stream, text])).toEqual([
      ['stdout', 'hello'],
      ['stderr', 'warning'],
      ['stdout', 'world'],
    ]);
  });

  it('turns a line left without a newline into a line on close', async () => {
    const log = store();
    log.append('stdout', out('done\nno newline at the end'));
    expect(texts(log)).toEqual(['done']);
    await log.close();
    expect(texts(log)).toEqual(['done', 'no newline at the end']);
    log.append('stdout', out('after close\n'));
    expect(texts(log)).toEqual(['done', 'no newline at the end']);
    await log.close();
  });

  it('shows a line not ended yet as it stands, the way a terminal redraws a progress bar', async () => {
    const log = store();
    expect(log.partialLines()).toEqual([]);
    log.append('stdout', out('done\nDownloading... '));
    log.append('stderr', out(' 10%\r 50%\r'));
    expect(log.partialLines().map(({ stream, text }) => [stream, text])).toEqual([
      ['stdout', 'Downloading... '],
      ['stderr', ' 50%'],
    ]);
    // A character whose last byte has not come yet is left out, not shown as a replacement character.
    const cup = out('☕');
    log.append('stdout', cup.subarray(0, 2));
    expect(log.partialLines()[0].text).toBe('Downloading... ');
    log.append('stdout', Buffer.concat([cup.subarray(2), out(' ok\n')]));
    expect(log.partialLines().map(({ stream }) => stream)).toEqual(['stderr']);
    expect(texts(log)).toEqual(['done', 'Downloading... ☕ ok']);
    await log.close();
    expect(log.partialLines()).toEqual([]);
  });

  it('shows the partial line of a real process that prompts without a newline', async () => {
    const log = store();
    const prompt = new Process(nodeProgram('process.stdout.write("Continue? [y/N] "); setTimeout(() => {}, 30_000)'));
    processes.push(prompt);
    prompt.on('output', (stream, chunk) => log.append(stream, chunk));
    await prompt.start();
    await until(() => log.partialLines().length > 0, 'the prompt as a partial line');
    expect(log.partialLines()).toMatchObject([{ stream: 'stdout', text: 'Continue? [y/N] ' }]);
    expect(texts(log)).toEqual([]);
  });

  it('keeps ANSI escape codes, drops the CR of CRLF, and decodes characters split across chunks', () => {
    const log = store();
    const red = '\u001b[31mred\u001b[0m';
    log.append('stdout', out(`${red}\r\nplain\r\n`));
    const bytes = out('café ☕\n');
    log.append('stdout', bytes.subarray(0, 4));
    log.append('stdout', bytes.subarray(4, 8));
    log.append('stdout', bytes.subarray(8));
    expect(texts(log)).toEqual([red, 'plain', 'café ☕']);
  });

  it('cuts a line longer than maxLineBytes into pieces, never inside a character', () => {
    const log = store({ maxLineBytes: 100 });
    log.append('stdout', out('a'.repeat(120)));
    log.append('stdout', out('b'.repeat(130) + '\n'));
    expect(texts(log).map((text) => text.length)).toEqual([100, 100, 50]);
    expect(texts(log).join('')).toBe('a'.repeat(120) + 'b'.repeat(130));

    const wide = store({ maxLineBytes: 101 });
    wide.append('stdout', out('é'.repeat(150) + '\n'));
    const pieces = texts(wide);
    expect(pieces.join('')).toBe('é'.repeat(150));
    for (const piece of pieces) {
      expect(piece).not.toContain('\ufffd');
      expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(101);
    }
  });

  it('numbers lines from 1 and answers "lines after seq X", with a limit', () => {
    const log = store({ tailLines: 5 });
    for (let i = 1; i <= 8; i++) log.append('stdout', out(`line ${i}\n`));
    expect(log.lastSeq).toBe(8);
    expect(log.firstSeq).toBe(4);
    expect(log.lines().map((line) => line.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(texts(log, 6)).toEqual(['line 7', 'line 8']);
    expect(texts(log, -1)).toEqual(['line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
    expect(texts(log, 8)).toEqual([]);
    expect(log.lines(5, 2).map((line) => line.seq)).toEqual([6, 7]);
    for (const line of log.lines()) expect(line.time).toBeGreaterThan(0);

    // The ring grows as lines come (and wraps around) without losing their order.
    const grown = store({ tailLines: 100 });
    for (let i = 1; i <= 250; i++) grown.append(i % 3 ? 'stdout' : 'stderr', out(`n${i}\n`));
    expect(texts(grown)).toEqual(Array.from({ length: 100 }, (_, i) => `n${i + 151}`));
    expect(texts(grown, 240)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i + 241}`));
  });

  it('tags system lines', async () => {
    const log = store();
    log.append('stdout', out('partial'));
    log.appendSystem('exited with 0');
    expect(log.lines().map(({ stream, text }) => [stream, text])).toEqual([['system', 'exited with 0']]);
    await log.close();
    expect(readFileSync(log.filePath!, 'utf8')).toBe('partial\n[pooldeck] exited with 0\n');
  });
});

describe('files', () => {
  it('writes the raw output and rotates at the size cap, keeping `files` files', async () => {
    const log = store({ fileBytes: 1000, files: 3 });
    const lines = Array.from({ length: 60 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(90)}\n`);
    for (const line of lines) log.append(line.length % 2 ? 'stdout' : 'stderr', out(line));
    await log.close();
    const files = logFiles(log);
    const name = basename(log.filePath!);
    expect(files.map((file) => file.name)).toEqual([name, `${name}.1`, `${name}.2`]);
    for (const file of files) expect(file.size).toBeLessThanOrEqual(1000);
    // Rotation happens at line ends, and the newest output is in the current file.
    const current = readFileSync(log.filePath!, 'utf8');
    expect(current.endsWith(lines[59])).toBe(true);
    const all = [`${log.filePath}.2`, `${log.filePath}.1`, log.filePath!].map((path) => readFileSync(path, 'utf8')).join('');
    expect(lines.join('').endsWith(all)).toBe(true);
    for (const path of [`${log.filePath}.2`, `${log.filePath}.1`]) expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('gives each run its own file, named by job id and start time, and never appends to another run\'s', async () => {
    const dir = tempDir();
    const startedAt = Date.UTC(2026, 10, 22, 14, 30, 5);
    const first = store({ directory: dir, name: 'p1' });
    const second = store({ directory: dir, name: 'p1' });
    expect(basename(first.filePath!)).toMatch(/^p1-\d{8}-\d{6}-[0-9a-f]{6}\.log$/);
    expect(second.filePath).not.toBe(first.filePath);
    first.append('stdout', out('first instance\n'));
    second.append('stdout', out('second instance\n'));
    await Promise.all([first.flush(), second.flush()]);
    const firstRun = first.filePath!;
    first.append('stdout', out('unended'));
    first.startRun(startedAt);
    expect(basename(first.filePath!)).toMatch(/^p1-20261122-143005-[0-9a-f]{6}\.log$/);
    first.appendSystem('restarted (1)');
    first.append('stdout', out('second run\n'));
    await Promise.all([first.close(), second.close()]);
    expect(readFileSync(firstRun, 'utf8')).toBe('first instance\nunended');
    expect(readFileSync(first.filePath!, 'utf8')).toBe('[pooldeck] restarted (1)\nsecond run\n');
    expect(readFileSync(second.filePath!, 'utf8')).toBe('second instance\n');
    // The tail goes on across runs; the unended line of the first run stays a line of its own.
    expect(texts(first)).toEqual(['first instance', 'unended', 'restarted (1)', 'second run']);
    expect(first.filePaths()).toEqual([`${first.filePath}.2`, `${first.filePath}.1`, first.filePath]);
  });

  it('refuses to write into a file that exists already at its path', async () => {
    const dir = tempDir();
    const log = store({ directory: dir });
    writeFileSync(log.filePath!, 'not ours\n');
    log.append('stdout', out('ours\n'));
    await log.close();
    expect(readFileSync(log.filePath!, 'utf8')).toBe('not ours\n');
    expect(log.diskError).toMatchObject({ code: 'EEXIST' });
  });

  it('drops and counts what the disk cannot take in time, and says so in the tail and the file', async () => {
    const log = store({ maxPendingBytes: 1024 });
    const chunk = 'z'.repeat(999) + '\n';
    // All in one turn of the event loop: nothing can be written meanwhile.
    for (let i = 0; i < 100; i++) log.append('stdout', out(chunk));
    expect(log.droppedBytes).toBe(99 * 1000);
    expect(log.lineCount).toBe(100);
    await log.flush();
    expect(log.lines().at(-1)).toMatchObject({ stream: 'system', text: '[pooldeck: 99000 bytes dropped]' });
    log.append('stdout', out('after\n'));
    await log.close();
    expect(readFileSync(log.filePath!, 'utf8')).toBe(`${chunk}[pooldeck: 99000 bytes dropped]\nafter\n`);
  });

  it('survives a log folder it cannot create, counting the output as dropped', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), '');
    const log = store({ directory: join(dir, 'not-a-folder', 'logs') });
    log.append('stdout', out('hello\n'));
    await log.flush();
    log.append('stdout', out('world\n'));
    await log.close();
    expect(log.diskError).not.toBeNull();
    expect(log.droppedBytes).toBe(12);
    expect(texts(log)).toEqual(['hello', expect.stringMatching(/^\[pooldeck: 6 bytes dropped\] \(log file: .*\)$/), 'world']);
  });

  it.skipIf(skipUnless(hasProcfs, 'test/core/log-store.test.ts', 'finds its open log file in /proc/self/fd'))('closes its file on releaseFile, keeps the tail, and opens the file again for a later line', async () => {
    const log = store();
    const openLogFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === log.filePath;
      } catch {
        return false;
      }
    }).length;
    log.append('stdout', Buffer.from('first\n'));
    await log.flush();
    expect(openLogFiles()).toBe(1);
    await log.releaseFile();
    expect(openLogFiles()).toBe(0);
    expect(texts(log)).toEqual(['first']);
    log.appendSystem('restarted (1)');
    await log.flush();
    expect(readFileSync(log.filePath!, 'utf8')).toBe('first\n[pooldeck] restarted (1)\n');
    expect(statSync(log.filePath!).mode & 0o777).toBe(0o600);
  });

  it('sanitises the file name', () => {
    const log = store({ name: '../../etc/passwd' });
    expect(basename(log.filePath!)).toMatch(/^\.\._\.\._etc_passwd-\d{8}-\d{6}-[0-9a-f]{6}\.log$/);
    expect(basename(store({ name: '..' }).filePath!)).toMatch(/^_\.\.-\d{8}-/);
  });
});

describe('carriage returns', () => {
  it('keeps a progress bar one line once it ends, as a terminal shows it', async () => {
    const log = store();
    const { command, args } = nodeProgram(String.raw`for (const part of ["a 10%\ra 50%\ra 100%\n", "b 1\r", "b 2\r\n", "crlf\r\n"]) process.stdout.write(part)`);
    expect(await run(log, command, args)).toBe(0);
    await log.close();
    expect(texts(log)).toEqual(['a 100%', 'b 2', 'crlf']);
    // The file keeps the bytes as they came.
    expect(readFileSync(log.filePath!, 'utf8')).toBe('a 10%\ra 50%\ra 100%\nb 1\rb 2\r\ncrlf\r\n');
  });

  it('keeps only the last drawing of a bar that redraws without a newline, in memory and when it ends', () => {
    const log = store({ maxLineBytes: 100 });
    for (let percent = 0; percent <= 100; percent++) log.append('stdout', out(`\rworking ${String(percent).padStart(3)}% ${'#'.repeat(percent % 40)}`));
    expect(log.partialLines()).toEqual([{ stream: 'stdout', text: `working 100% ${'#'.repeat(20)}`, time: expect.any(Number) }]);
    log.append('stdout', out('\n'));
    expect(texts(log)).toEqual([`working 100% ${'#'.repeat(20)}`]);
  });
});

describe('floods', () => {
  it('keeps only the newest lines of a chunk bigger than the tail, numbering the skipped ones', () => {
    const log = store({ tailLines: 10 });
    log.append('stdout', out('par'));
    log.append('stdout', out('tial\n' + Array.from({ length: 100 }, (_, i) => `line ${i + 2}\n`).join('') + 'unfinished'));
    expect(log.lastSeq).toBe(101);
    expect(log.lines().map((line) => line.seq)).toEqual([92, 93, 94, 95, 96, 97, 98, 99, 100, 101]);
    expect(texts(log).at(-1)).toBe('line 101');
    log.append('stdout', out(' now\n'));
    log.append('stderr', out('other\n'));
    expect(texts(log, 100)).toEqual(['line 101', 'unfinished now', 'other']);
  });

  it('holds the tail and the files to their caps while a real process prints far more', async () => {
    const caps = { tailBytes: 64 * 1024, tailLines: 1000, fileBytes: 256 * 1024, files: 3 };
    const log = store(caps);
    let largestTail = 0;
    let chunks = 0;
    const watch = (): void => {
      chunks += 1;
      if (chunks % 50 === 0) largestTail = Math.max(largestTail, log.tailBytes);
    };
    // ~30 MB of numbered lines on stdout, some on stderr, then a last line.
    const script = [
      'import sys',
      'out = sys.stdout.write',
      'for i in range(300_000):',
      '    out(f"line {i} " + "x" * 90 + "\\n")',
      '    if i % 50_000 == 0: sys.stderr.write(f"progress {i}\\n")',
      'sys.stdout.write("THE END\\n")',
    ].join('\n');
    const process = new Process({ command: PYTHON, args: ['-c', script] });
    processes.push(process);
    process.on('output', (stream, chunk) => {
      log.append(stream, chunk);
      watch();
    });
    await process.start();
    expect(await process.join()).toBe(0);
    await log.close();

    expect(largestTail).toBeLessThanOrEqual(caps.tailBytes);
    expect(log.tailBytes).toBeLessThanOrEqual(caps.tailBytes);
    expect(log.lines().reduce((sum, line) => sum + Buffer.byteLength(line.text), 0)).toBeLessThanOrEqual(caps.tailBytes);
    expect(log.lineCount).toBeLessThanOrEqual(caps.tailLines);
    expect(log.lastSeq).toBeGreaterThanOrEqual(300_007);
    const newest = log.lines().filter((line) => line.stream === 'stdout');
    expect(newest.at(-1)!.text).toBe('THE END');
    expect(newest.at(-2)!.text).toBe(`line 299999 ${'x'.repeat(90)}`);

    const files = logFiles(log);
    expect(files.length).toBeLessThanOrEqual(caps.files);
    for (const file of files) expect(file.size).toBeLessThanOrEqual(caps.fileBytes);
    const current = readFileSync(log.filePath!, 'utf8');
    // Unless the disk fell behind at the very end, the file ends with the last line too.
    if (log.droppedBytes === 0) expect(current.endsWith('THE END\n')).toBe(true);
  });

  it('cuts an endless line (20 MB without a newline) into pieces within the caps', async () => {
    const log = store({ tailBytes: 32 * 1024, maxLineBytes: 1000, fileBytes: 128 * 1024, files: 2 });
    const { command, args } = nodeProgram('process.stdout.write("y".repeat(20_000_000))');
    expect(await run(log, command, args)).toBe(0);
    await log.close();
    expect(log.tailBytes).toBeLessThanOrEqual(32 * 1024);
    const lines = log.lines();
    const output = lines.filter((line) => line.stream === 'stdout');
    expect(output.length).toBeGreaterThan(0);
    for (const line of output) expect(line.text).toMatch(/^y{1,1000}$/);
    // Anything else is Pooldeck saying the disk fell behind.
    for (const line of lines) if (line.stream !== 'stdout') expect(line.text).toMatch(/^\[pooldeck: \d+ bytes dropped\]$/);
    expect(lines.every((line, i) => i === 0 || line.seq === lines[i - 1].seq + 1)).toBe(true);
    for (const file of logFiles(log)) expect(file.size).toBeLessThanOrEqual(128 * 1024);
    expect(existsSync(`${log.filePath}.2`)).toBe(false);
  });
});
