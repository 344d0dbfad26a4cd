// The History view's filters and paging over the kept runs: newest first, by name, status, kind,
// time and pool run. A scan of at most maxRuns records (100,000 by default) per page asked for.
import type { RunFilter, RunPage, RunRecord } from '../../protocol/history.js';

const DEFAULT_PAGE = 100;

function matchesFilter(record: RunRecord, filter: RunFilter, name: string | null): boolean {
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.kind !== undefined && record.kind !== filter.kind) return false;
  if (filter.poolRunId !== undefined && record.poolRunId !== filter.poolRunId) return false;
  const time = record.startedAt ?? record.endedAt ?? 0;
  if (filter.since !== undefined && time < filter.since) return false;
  if (filter.until !== undefined && time >= filter.until) return false;
  if (name !== null && !record.name.toLowerCase().includes(name)) return false;
  return true;
}

/** A page of the runs that match, newest recorded first. */
export function queryRuns(records: readonly RunRecord[], filter: RunFilter = {}, offset = 0, limit = DEFAULT_PAGE): RunPage {
  const name = filter.name === undefined || filter.name.trim() === '' ? null : filter.name.trim().toLowerCase();
  const runs: RunRecord[] = [];
  let total = 0;
  for (let i = records.length - 1; i >= 0; i -= 1) {
    const record = records[i];
    if (!matchesFilter(record, filter, name)) continue;
    if (total >= offset && runs.length < limit) runs.push(record);
    total += 1;
  }
  return { total, offset, runs };
}
