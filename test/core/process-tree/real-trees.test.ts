// Each implementation that can run on this OS, against real processes: the listing finds a real tree
// with its groups and start times, and signalTree ends all of it, a grandchild that left the group
// included. Linux runs the linux and darwin (ps) implementations; Windows runs win32's (CI matrix).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { darwinProcessTree } from '../../../main/core/process-tree/darwin.js';
import { linuxProcessTree } from '../../../main/core/process-tree/linux.js';
import type { ProcessEntry, ProcessTreePlatform } from '../../../main/core/process-tree/types.js';
import { win32ProcessTree } from '../../../main/core/process-tree/win32.js';
import { until } from '../../helpers/until.js';

// A root that starts two grandchildren, one in its group and one in a new session (left the group),
// prints their pids, and waits.
const ROOT_SCRIPT = `
const { spawn } = require('node:child_process');
const stay = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const leave = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
console.log(JSON.stringify({ stay: stay.pid, leave: leave.pid }));
setInterval(() => {}, 1000);
`;

const implementations: ProcessTreePlatform[] =
  process.platform === 'win32' ? [win32ProcessTree] : process.platform === 'linux' ? [linuxProcessTree, darwinProcessTree] : [darwinProcessTree];

let started: number[] = [];
let roots: ChildProcess[] = [];

afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const root of roots) root.kill('SIGKILL');
  started = [];
  roots = [];
});

async function startTree(): Promise<{ root: number; stay: number; leave: number }> {
  // Its own process group on Unix, as the core starts every job.
  const child = spawn(process.execPath, ['-e', ROOT_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], detached: process.platform !== 'win32' });
  roots.push(child);
  started.push(child.pid!);
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (output += chunk));
  const line = await until(() => output.includes('\n') && output.slice(0, output.indexOf('\n')), 'the tree to print its pids');
  const { stay, leave } = JSON.parse(line) as { stay: number; leave: number };
  started.push(stay, leave);
  return { root: child.pid!, stay, leave };
}

function alive(table: readonly ProcessEntry[], entry: ProcessEntry): boolean {
  return table.some((row) => row.pid === entry.pid && row.startTime === entry.startTime && !row.zombie);
}

describe.each(implementations.map((implementation) => [implementation.platform, implementation] as const))('the %s process tree, for real', (_name, tree) => {
  it('lists the tree: parents, the group a child stayed in and the one a child left', async () => {
    const { root, stay, leave } = await startTree();
    const table = tree.listProcesses();
    const find = (pid: number) => table.find((entry) => entry.pid === pid);
    expect(find(root)).toMatchObject({ ppid: process.pid, zombie: false });
    expect(find(stay)).toMatchObject({ ppid: root });
    expect(find(leave)).toMatchObject({ ppid: root });
    if (tree.platform !== 'win32') {
      expect(find(root)!.pgid).toBe(root);
      expect(find(stay)!.pgid).toBe(root);
      expect(find(leave)!.pgid).toBe(leave);
    }
    expect(find(stay)!.startTime).toBeGreaterThanOrEqual(find(root)!.startTime);
  });

  it('ends the whole tree, the grandchild that left the group included', async () => {
    const pids = await startTree();
    const before = tree.listProcesses().filter((entry) => Object.values(pids).includes(entry.pid));
    expect(before).toHaveLength(3);
    tree.signalTree(pids.root, 'SIGKILL');
    const left = await until(
      () => {
        const table = tree.listProcesses();
        return before.every((entry) => !alive(table, entry)) && 'none';
      },
      () => `the tree to end; still there: ${JSON.stringify(before.filter((entry) => alive(tree.listProcesses(), entry)))}`,
    );
    expect(left).toBe('none');
  });
});
