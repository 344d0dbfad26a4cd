// The run history's file: a SIGKILL mid-write leaves every whole record readable, a torn last line is
// ignored, replaced records keep their last version, compaction and the bound.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RunStore } from '../../../main/app/run-history/store.js';
import type { RunRecord } from '../../../main/protocol/history.js';
import { until } from '../../helpers/until.js';

const APPENDER = new URL('../../fixtures/history-appender.ts', import.meta.url).pathname;

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pooldeck-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(number: number, changes: Partial<RunRecord> = {}): RunRecord {
  return {
    id: `r${number}`, kind: 'process', name: `job ${number}`, command: 'true', target: null, args: [], cwd: null, pid: number,
    startedAt: number, endedAt: number, durationMs: 0, exitcode: 0, signal: null, status: 'ok', run: 1, poolRunId: null,
    poolName: null, workerPid: null, result: null, error: null, logFiles: [], liveId: null, spec: null, ...changes,
  };
}

const lineCount = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').length;

it('keeps every whole record when the writing process is SIGKILLed mid-write', async () => {
  const path = join(dir, 'runs.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', APPENDER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let written = 0;
  let writtenBeforeKill: number;
  try {
    createInterface({ input: child.stdout! }).on('line', (line) => (written = Number(line)));
    await until(() => written >= 5_000, 'the appender to write 5,000 records');
    writtenBeforeKill = written;
    child.kill('SIGKILL');
    await until(() => child.exitCode !== null || child.signalCode !== null, 'the appender to end');
    expect(child.signalCode).toBe('SIGKILL');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  const store = new RunStore({ path });
  try {
    const ids = [...store.values()].map((record) => Number(record.id.slice(1)));
    expect(ids.length).toBeGreaterThanOrEqual(writtenBeforeKill);
    // Whole records in order, none missing before the last one kept, each intact.
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
    for (const record of store.values()) expect(record.args).toEqual(['x'.repeat(2000)]);
    // Opening rewrote the file without a torn line: it reads back the same.
    expect(lineCount(path)).toBe(ids.length);
  } finally {
    store.close();
  }
});

it('ignores a torn last line, and the next record starts on a line of its own', () => {
  const path = join(dir, 'runs.jsonl');
  const first = new RunStore({ path });
  first.put(run(1));
  first.put(run(2));
  first.close();
  appendFileSync(path, JSON.stringify(run(3)).slice(0, 40));
  const second = new RunStore({ path });
  expect(second.skippedLines).toBe(1);
  expect([...second.values()].map((record) => record.id)).toEqual(['r1', 'r2']);
  second.put(run(4));
  second.close();
  const third = new RunStore({ path });
  expect([...third.values()].map((record) => record.id)).toEqual(['r1', 'r2', 'r4']);
  expect(third.skippedLines).toBe(0);
  third.close();
});

it('keeps the last version of a replaced record, and compaction leaves one line per record', () => {
  const path = join(dir, 'runs.jsonl');
  const store = new RunStore({ path });
  store.put(run(1, { status: 'running' }));
  store.put(run(2));
  store.put(run(1, { status: 'failed' }));
  store.flush();
  expect(lineCount(path)).toBe(3);
  store.compact();
  expect(lineCount(path)).toBe(2);
  store.close();
  const reopened = new RunStore({ path });
  expect(reopened.get('r1')?.status).toBe('failed');
  expect(reopened.size).toBe(2);
  reopened.close();
});

it('keeps the newest maxRuns runs, in memory and, after compaction, on disk', () => {
  const path = join(dir, 'runs.jsonl');
  const store = new RunStore({ path, maxRuns: 100 });
  for (let number = 1; number <= 250; number += 1) {
    store.put(run(number));
    // One write per batch of ten, as a busy event loop turn would do.
    if (number % 10 === 0) store.flush();
  }
  expect(store.size).toBe(100);
  expect(store.get('r150')).toBeUndefined();
  expect(store.get('r151')?.id).toBe('r151');
  // The file grew past twice the bound and was compacted on the way.
  expect(lineCount(path)).toBeLessThanOrEqual(200);
  store.close();
  const reopened = new RunStore({ path, maxRuns: 100 });
  expect([...reopened.values()].map((record) => record.id)).toEqual(Array.from({ length: 100 }, (_, index) => `r${index + 151}`));
  expect(lineCount(path)).toBe(100);
  reopened.close();
});
