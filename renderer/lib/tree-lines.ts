import type { InspectedPoolRow, InspectedProcessRow, Inspection, ProcessRow, ProcessTree, TreeProcessRow } from '../../main/protocol/index.js';

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
export function withTreeLines(rows: readonly ProcessRow[], expanded: ReadonlySet<string>, trees: ReadonlyMap<string, readonly (TreeLine | TreeNote)[] | TreeNote>): readonly TableLine[] {
  if (expanded.size === 0) return rows;
  const lines: TableLine[] = [];
  for (const row of rows) {
    lines.push(row);
    if (!expanded.has(row.id)) continue;
    const below = trees.get(row.id) ?? { key: `${row.id}:note`, jobId: row.id, note: 'Reading the process tree…' };
    if ('jobId' in below) lines.push(below);
    else lines.push(...below);
  }
  return lines;
}

/** Objects shown per kind at most below a job: the list is a glance, not the Channels view. */
const OBJECTS_SHOWN = 20;

/** `Queue-1` for the key `4120:Queue-1` (the pid that made it, then its name there), with its kind when the name lacks it. */
function objectLabel(key: string, kind: string): string {
  const name = key.slice(key.indexOf(':') + 1);
  return name.startsWith(kind) ? name : `${kind} ${name}`;
}

/** One line per Queue and Value/Array the inspector saw in the job: `Queue-1 · 3 items of at most 10`, `Value-1 ('i') = 5`. */
export function objectNotes(jobId: string, inspection: Inspection | null): TreeNote[] {
  const notes: TreeNote[] = [];
  for (const queue of inspection?.queues.slice(0, OBJECTS_SHOWN) ?? []) {
    const size = queue.size === null ? 'size unknown' : `${queue.size} item${queue.size === 1 ? '' : 's'}`;
    notes.push({ key: `${jobId}:queue:${queue.key}`, jobId, note: `${objectLabel(queue.key, queue.kind)} · ${size}${queue.maxsize > 0 ? ` of at most ${queue.maxsize}` : ''}` });
  }
  for (const value of inspection?.values.slice(0, OBJECTS_SHOWN) ?? []) {
    const shown = JSON.stringify(value.value) ?? String(value.value);
    const length = value.length === null ? '' : ` (${value.length} items)`;
    notes.push({ key: `${jobId}:value:${value.key}`, jobId, note: `${objectLabel(value.key, value.kind)} ('${value.typecode}') = ${shown.length > 120 ? `${shown.slice(0, 119)}…` : shown}${length}` });
  }
  return notes;
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
