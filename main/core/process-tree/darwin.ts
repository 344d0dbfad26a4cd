// macOS: the process table from one `ps` run (ps-listing.ts); process groups and signals as on Linux.
import { listWithPs } from './ps-listing.js';
import type { ProcessTreePlatform } from './types.js';
import { UnixTrackedTree } from './unix-tracked.js';
import { signalUnixTree } from './unix-tree.js';

export const darwinProcessTree: ProcessTreePlatform = {
  platform: 'darwin',
  listProcesses: listWithPs,
  signalTree: (rootPid, signal) => signalUnixTree(rootPid, signal, listWithPs()),
  track: (pid) => new UnixTrackedTree(pid),
};
