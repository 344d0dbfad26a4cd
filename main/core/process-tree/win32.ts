// Windows has no process groups and no signals. The table comes from one CIM query (Win32_Process,
// as `wmic` is gone from current Windows), start times in milliseconds since 1970 (a FILETIME would not fit a double); a tree ends
// with `taskkill /T`, which walks it from the root, adding /F to force it.
import { execFileSync, spawnSync } from 'node:child_process';
import type { ProcessEntry, ProcessTreePlatform } from './types.js';
import { Win32TrackedTree } from './win32-tracked.js';

/** One PowerShell run for the whole table, as compact JSON. */
const CIM_QUERY =
  'Get-CimInstance Win32_Process | ForEach-Object { [pscustomobject]@{ ProcessId = $_.ProcessId; ParentProcessId = $_.ParentProcessId; CreationDate = if ($_.CreationDate) { ([DateTimeOffset]$_.CreationDate).ToUnixTimeMilliseconds() } else { 0 } } } | ConvertTo-Json -Compress';

interface CimProcess {
  ProcessId: number;
  ParentProcessId: number;
  CreationDate: number;
}

/** Parses CIM_QUERY's output: an array, or a lone object when the table has one row. */
export function parseCimListing(text: string): ProcessEntry[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const parsed = JSON.parse(trimmed) as CimProcess | CimProcess[];
  return (Array.isArray(parsed) ? parsed : [parsed])
    .filter((row) => Number.isInteger(row.ProcessId) && Number.isInteger(row.ParentProcessId))
    .map((row) => ({ pid: row.ProcessId, ppid: row.ParentProcessId, pgid: null, zombie: false, startTime: Number(row.CreationDate) }));
}

/** taskkill's arguments for ending the tree of `rootPid`: /F only for SIGKILL (no grace left). */
export function taskkillArguments(rootPid: number, signal: NodeJS.Signals): string[] {
  return ['/PID', String(rootPid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])];
}

function listProcesses(): ProcessEntry[] {
  const output = execFileSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', CIM_QUERY], { encoding: 'utf8', windowsHide: true, maxBuffer: 64 * 1024 * 1024 });
  return parseCimListing(output);
}

let tableThisTurn: ProcessEntry[] | null = null;

/**
 * The table, queried at most once per turn of the event loop: a query starts PowerShell (a fraction
 * of a second), and terminating a pool signals all its workers' trees in one pass.
 */
function listProcessesThisTurn(): ProcessEntry[] {
  if (tableThisTurn === null) {
    tableThisTurn = listProcesses();
    setImmediate(() => {
      tableThisTurn = null;
    }).unref();
  }
  return tableThisTurn;
}

function runTaskkill(args: string[]): void {
  // A tree already gone makes taskkill exit non-zero, as does one that only /F can end: nothing to report.
  spawnSync('taskkill', args, { windowsHide: true, stdio: 'ignore' });
}

export const win32ProcessTree: ProcessTreePlatform = {
  platform: 'win32',
  listProcesses,
  signalTree: (rootPid, signal) => runTaskkill(taskkillArguments(rootPid, signal)),
  track: (pid) => new Win32TrackedTree(pid, listProcessesThisTurn, runTaskkill),
};
