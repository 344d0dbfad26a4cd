// Linux: the process table from /proc (proc-stat.ts), start times in clock ticks since boot.
import { readAllProcStats } from '../proc-stat.js';
import type { ProcessEntry, ProcessTreePlatform } from './types.js';
import { UnixTrackedTree } from './unix-tracked.js';
import { signalUnixTree } from './unix-tree.js';

function listProcesses(): ProcessEntry[] {
  return readAllProcStats().map((stat) => ({
    pid: stat.pid,
    ppid: stat.ppid,
    pgid: stat.pgrp,
    zombie: stat.state === 'Z' || stat.state === 'X',
    startTime: stat.startTime,
  }));
}

export const linuxProcessTree: ProcessTreePlatform = {
  platform: 'linux',
  listProcesses,
  signalTree: (rootPid, signal) => signalUnixTree(rootPid, signal, listProcesses()),
  track: (pid) => new UnixTrackedTree(pid),
};
