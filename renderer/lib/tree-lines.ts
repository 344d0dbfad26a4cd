import type { InspectedPoolRow, InspectedProcessRow, ProcessRow, ProcessTree, TreeProcessRow } from '../../main/protocol/index.js';

// An expanded job's process tree as lines of the process table: the OS tree (what runs now) merged
// with what the multiprocessing inspector saw (names, daemon flags, exit codes). A process the
// inspector knows shows its name in place of the bare row; one that already ended still shows (from
// the inspector, under its parent); one the inspector does not know shows bare. Nothing is hidden.

/** One line below an expanded job. `jobId` tells it apart from a job's own row in the table's list. */
export interface TreeLine {
  /** Unique in the table: the job and the pid. */
  key: string;
  jobId: string;
  /** 0 for the job's own children. */
  depth: number;
  pid: number;
  /** The OS's view while it runs; null once it ended (the inspector still remembers it). */
  process: TreeProcessRow | null;
  /** What its multiprocessing parent says about it; null for a process the inspector did not see. */
  inspected: InspectedProcessRow | null;
  /** The pool whose worker it is (as the inspector saw it), if any. */
  pool: InspectedPoolRow | null;
}

/** Stands in for an expanded job's lines before its first tree arrived, or when nothing runs below it. */
export interface TreeNote {
  key: string;
  jobId: string;
  note: string;
}

export type TableLine = ProcessRow | TreeLine | TreeNote;

export function isJobRow(line: TableLine): line is ProcessRow {
  return !('jobId' in line);
}

export function isTreeNote(line: TableLine): line is TreeNote {
  return 'note' in line;
}

interface Node {
  pid: number;
  process: TreeProcessRow | null;
  inspected: InspectedProcessRow | null;
  children: Node[];
}

/** The lines below one expanded job, depth first, each level in pid order. */
export function treeLines(jobId: string, tree: ProcessTree): TreeLine[] {
  const inspected = new Map<number, InspectedProcessRow>();
  for (const row of tree.inspection?.processes ?? []) {
    // A pid the OS gave out twice: the one still alive is the one in the tree.
    const known = inspected.get(row.pid);
    if (!known || (row.alive && !known.alive)) inspected.set(row.pid, row);
  }
  const poolOf = new Map<number, InspectedPoolRow>();
  for (const pool of tree.inspection?.pools ?? []) for (const worker of pool.workers) poolOf.set(worker, pool);

  const byPid = new Map<number, Node>();
  const toNode = (process: TreeProcessRow): Node => {
    const node: Node = { pid: process.pid, process, inspected: inspected.get(process.pid) ?? null, children: process.children.map(toNode) };
    byPid.set(process.pid, node);
    return node;
  };
  const top = tree.children.map(toNode);
  // The inspector's processes that are not in the tree now (they ended): under their parent when it still shows.
  for (const row of inspected.values()) {
    if (byPid.has(row.pid)) continue;
    const node: Node = { pid: row.pid, process: null, inspected: row, children: [] };
    byPid.set(row.pid, node);
  }
  for (const node of byPid.values()) {
    if (node.process !== null) continue;
    const parent = byPid.get(node.inspected!.ppid);
    (parent && parent !== node ? parent.children : top).push(node);
  }

  const lines: TreeLine[] = [];
  const walk = (nodes: Node[], depth: number, seen: Set<number>) => {
    for (const node of [...nodes].sort((a, b) => a.pid - b.pid)) {
      if (seen.has(node.pid)) continue;
      seen.add(node.pid);
      lines.push({ key: `${jobId}:${node.pid}`, jobId, depth, pid: node.pid, process: node.process, inspected: node.inspected, pool: poolOf.get(node.pid) ?? null });
      walk(node.children, depth + 1, seen);
    }
  };
  walk(top, 0, new Set());
  return lines;
}

/**
 * The table's lines: each job row, followed by its tree lines when it is expanded. When nothing is
 * expanded the rows themselves are the lines (the same array: nothing per row).
 */
export function withTreeLines(rows: readonly ProcessRow[], expanded: ReadonlySet<string>, trees: ReadonlyMap<string, TreeLine[] | TreeNote>): readonly TableLine[] {
  if (expanded.size === 0) return rows;
  const lines: TableLine[] = [];
  for (const row of rows) {
    lines.push(row);
    if (!expanded.has(row.id)) continue;
    const below = trees.get(row.id) ?? { key: `${row.id}:note`, jobId: row.id, note: 'Reading the process tree…' };
    if (Array.isArray(below)) lines.push(...below);
    else lines.push(below);
  }
  return lines;
}

const STATE_WORDS: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk wait',
  Z: 'zombie',
  T: 'stopped',
  t: 'traced',
  I: 'idle',
  X: 'dead',
};

/** `S sleeping`, as the kernel's one letter and a word for it. */
export function stateText(state: string | null): string {
  if (state === null) return '';
  const word = STATE_WORDS[state];
  return word ? `${state} ${word}` : state;
}

/** `sleep` for `sleep 301`, `python3` for `/usr/bin/python3 -c …`: the program's own name. */
export function programName(command: string): string {
  const first = command.split(' ')[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

/** The traceback's last line split as a TargetError: `ZeroDivisionError: division by zero`. */
export function errorOfTraceback(traceback: string): { type: string; message: string; traceback: string } {
  const last = traceback.trimEnd().split('\n').at(-1) ?? '';
  const colon = last.indexOf(':');
  return colon < 0 ? { type: last.trim(), message: '', traceback } : { type: last.slice(0, colon).trim(), message: last.slice(colon + 1).trim(), traceback };
}
