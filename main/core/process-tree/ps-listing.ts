// One `ps` run for the whole process table (pid, parent, group, state, start time), where there is no
// /proc: macOS and the BSDs. procps' ps on Linux accepts the same columns, so it also runs in the tests here.
import { execFileSync } from 'node:child_process';
import type { ProcessEntry } from './types.js';

/** `lstart` is the full start time ("Sun Dec  6 02:45:32 2026"), where `start` drops the seconds. */
const PS_ARGUMENTS = ['-A', '-o', 'pid=,ppid=,pgid=,stat=,lstart='];

const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+\s+\S+\s+\d+\s+\d\d:\d\d:\d\d\s+\d+)\s*$/;

/**
 * Parses the output of `ps` with PS_ARGUMENTS (run in the C locale). Start times are seconds since the
 * epoch, read as local time: only compared with each other, so the zone does not matter. Lines that do
 * not parse (a header, a process that vanished mid-listing) are left out.
 */
export function parsePsListing(text: string): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const line of text.split('\n')) {
    const match = PS_LINE.exec(line);
    if (!match) continue;
    const started = Date.parse(match[5]!.replace(/\s+/g, ' '));
    if (Number.isNaN(started)) continue;
    entries.push({
      pid: Number(match[1]),
      ppid: Number(match[2]),
      pgid: Number(match[3]),
      zombie: match[4]!.startsWith('Z'),
      startTime: started / 1000,
    });
  }
  return entries;
}

/** The whole table from one `ps` run; empty if ps cannot run. */
export function listWithPs(): ProcessEntry[] {
  let output: string;
  try {
    output = execFileSync('ps', PS_ARGUMENTS, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return [];
  }
  return parsePsListing(output);
}
