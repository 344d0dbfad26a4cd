// The Windows branch of tree termination, run here on listings as the CIM query prints them: which
// pids one signal ends, with which taskkill arguments. The real run (taskkill on real trees) is
// real-trees.test.ts on the windows-latest job of the CI matrix.
import { describe, expect, it } from 'vitest';
import { parseCimListing } from '../../../main/core/process-tree/win32.js';
import { taskkillTreeArguments, Win32TrackedTree, win32Descendants } from '../../../main/core/process-tree/win32-tracked.js';
import { processTreeFor } from '../../../main/core/process-tree/index.js';
import type { ProcessEntry } from '../../../main/core/process-tree/types.js';

/** A job (6120) with a child (7344) and a grandchild (7400); 8000 names 6120 as parent but is older: an old orphan of a previous 6120. */
const JOB_RUNNING = parseCimListing(
  JSON.stringify([
    { ProcessId: 5880, ParentProcessId: 4, CreationDate: 1796461100000 },
    { ProcessId: 8000, ParentProcessId: 6120, CreationDate: 1796461000000 },
    { ProcessId: 6120, ParentProcessId: 5880, CreationDate: 1796461105012 },
    { ProcessId: 7344, ParentProcessId: 6120, CreationDate: 1796461106123 },
    { ProcessId: 7400, ParentProcessId: 7344, CreationDate: 1796461106500 },
  ]),
);

/** Later: the job exited, its child too, and 7344 was given to a new, unrelated process; the grandchild lives on. */
const JOB_GONE = parseCimListing(
  JSON.stringify([
    { ProcessId: 5880, ParentProcessId: 4, CreationDate: 1796461100000 },
    { ProcessId: 7344, ParentProcessId: 5880, CreationDate: 1796461200000 },
    { ProcessId: 7400, ParentProcessId: 7344, CreationDate: 1796461106500 },
  ]),
);

/** Job 6120's tree over `first`; `use` swaps the table the next signal lists; `runs` holds taskkill's arguments. */
function trackedWith(first: ProcessEntry[]) {
  const runs: string[][] = [];
  let table = first;
  const tree = new Win32TrackedTree(6120, () => table, (args) => runs.push(args));
  return { tree, runs, use: (next: ProcessEntry[]) => (table = next) };
}

describe('the Windows tree of a started process', () => {
  it('finds descendants by parent pid, believing a parent only if it started before the child', () => {
    expect(win32Descendants(6120, JOB_RUNNING).map((entry) => entry.pid).sort()).toEqual([7344, 7400]);
    // 7400's parent 7344 is now a newer process: no longer linked to it.
    expect(win32Descendants(5880, JOB_GONE).map((entry) => entry.pid)).toEqual([7344]);
  });

  it('asks the job and its descendants to end (taskkill /T), then forces it (/F)', () => {
    const { tree, runs } = trackedWith(JOB_RUNNING);
    tree.signal('SIGTERM');
    tree.signal('SIGKILL');
    expect(runs).toEqual([
      ['/PID', '6120', '/PID', '7344', '/PID', '7400', '/T'],
      ['/PID', '6120', '/PID', '7344', '/PID', '7400', '/T', '/F'],
    ]);
    expect(tree.holdsItsPid()).toBe(true);
    expect(tree.alive()).toBe(true);
  });

  it('once the job was reaped, ends only the descendants still under their creation time, never a stranger with a reused pid', () => {
    const { tree, runs, use } = trackedWith(JOB_RUNNING);
    tree.signal('SIGTERM');
    tree.reaped();
    expect(tree.holdsItsPid()).toBe(false);
    use(JOB_GONE);
    tree.signal('SIGKILL');
    expect(runs[1]).toEqual(['/PID', '7400', '/T', '/F']);
    expect([...tree.knownDescendants.keys()]).toEqual([7400]);
  });

  it('runs no taskkill when nothing of the tree is left, and forgets everything on release', () => {
    const { tree, runs, use } = trackedWith(JOB_RUNNING);
    tree.signal('SIGTERM');
    tree.reaped();
    use(parseCimListing('[]'));
    tree.signal('SIGKILL');
    expect(runs).toHaveLength(1);
    expect(tree.alive()).toBe(false);
    tree.release();
    expect(tree.knownDescendants.size).toBe(0);
  });

  it('builds taskkill arguments for any set of pids, and none for an empty one', () => {
    expect(taskkillTreeArguments([42], 'SIGINT')).toEqual(['/PID', '42', '/T']);
    expect(taskkillTreeArguments([], 'SIGKILL')).toBeNull();
  });

  it('is what the seam hands out for win32, and the Unix tracker elsewhere', () => {
    expect(processTreeFor('win32').track(6120)).toBeInstanceOf(Win32TrackedTree);
    expect(processTreeFor('linux').track(process.pid)).not.toBeInstanceOf(Win32TrackedTree);
  });
});
