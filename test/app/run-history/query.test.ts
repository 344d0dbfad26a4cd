// The History view's filters and paging over recorded runs, and the schema's errors for a bad filter.
import { describe, expect, it } from 'vitest';
import { queryRuns } from '../../../main/app/run-history/query.js';
import { ListRunsArgsSchema, type RunRecord } from '../../../main/protocol/history.js';

function run(number: number, changes: Partial<RunRecord> = {}): RunRecord {
  return {
    id: `r${number}`, kind: 'process', name: `job-${number % 3}`, command: 'true', target: null, args: [], cwd: null, pid: number,
    startedAt: number * 1000, endedAt: number * 1000 + 5, durationMs: 5, exitcode: 0, signal: null, status: number % 4 === 0 ? 'failed' : 'ok',
    run: 1, poolRunId: null, poolName: null, workerPid: null, result: null, error: null, logFiles: [], liveId: null, spec: null, ...changes,
  };
}

const RUNS = Array.from({ length: 40 }, (_, index) => run(index + 1));

describe('queryRuns', () => {
  it('pages the newest first and counts every match', () => {
    const page = queryRuns(RUNS, {}, 5, 3);
    expect(page.total).toBe(40);
    expect(page.runs.map((entry) => entry.id)).toEqual(['r35', 'r34', 'r33']);
  });

  it('filters by part of the name in any case, by status, and by start time (since inclusive, until exclusive)', () => {
    expect(queryRuns(RUNS, { name: 'JOB-1' }).runs.every((entry) => entry.name === 'job-1')).toBe(true);
    expect(queryRuns(RUNS, { status: 'failed' }).total).toBe(10);
    const window = queryRuns(RUNS, { since: 10_000, until: 13_000 });
    expect(window.runs.map((entry) => entry.id)).toEqual(['r12', 'r11', 'r10']);
    expect(queryRuns(RUNS, { name: 'job-0', status: 'failed', since: 20_000 }).runs.map((entry) => entry.id)).toEqual(['r36', 'r24']);
  });
});

describe('ListRunsArgsSchema', () => {
  it('names the field and what would be valid', () => {
    const bad = ListRunsArgsSchema.safeParse({ filter: { status: 'crashed' }, limit: 5000 });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toContain('filter.status: filter.status must be one of ok, failed, signal, running (leave it out for all)');
    expect(messages).toContain('limit: limit must be at most 1000');
  });
});
