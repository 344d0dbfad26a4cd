// The command lines of a few pids, for the expanded process tree: /proc/<pid>/cmdline on Linux, one
// `ps` run for all of them elsewhere on Unix. Windows: none (the tree shows pids and figures only).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const procAvailable = existsSync('/proc/self/cmdline');

/** pid → its arguments joined by spaces; a pid that is gone (or a zombie, whose cmdline is empty) maps to ''. */
export function readCommandLines(pids: readonly number[]): Map<number, string> {
  const lines = new Map<number, string>();
  if (pids.length === 0) return lines;
  if (procAvailable) {
    for (const pid of pids) lines.set(pid, readProcCmdline(pid));
    return lines;
  }
  if (process.platform === 'win32') return lines;
  let output: string;
  try {
    output = execFileSync('ps', ['-o', 'pid=,args=', '-p', pids.join(',')], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  } catch (error) {
    // ps exits 1 when some pid is gone, still printing the others.
    output = typeof (error as { stdout?: unknown }).stdout === 'string' ? (error as { stdout: string }).stdout : '';
  }
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line);
    if (match) lines.set(Number(match[1]), match[2]!.trim());
  }
  return lines;
}

function readProcCmdline(pid: number): string {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    return '';
  }
}
