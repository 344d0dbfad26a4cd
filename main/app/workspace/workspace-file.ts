import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { PoolSpecSchema, ProcessSpecSchema, type PoolSpec, type ProcessSpec } from '../../protocol/schemas.js';
import { WorkspaceDisplaySchema, WorkspaceJobExtrasSchema, WorkspacePoolExtrasSchema, type WorkspaceDisplay } from '../../protocol/workspace.js';
import { writeFileAtomic } from './atomic-write.js';

// A workspace file: YAML read into a yaml Document (kept, so the app's edits keep the user's comments
// and layout) and checked with the protocol's schemas. Every error names the file, the line and the field.

export interface WorkspaceProcessJob {
  kind: 'process';
  name: string;
  autostart: boolean;
  spec: ProcessSpec;
}

export interface WorkspacePoolJob {
  kind: 'pool';
  name: string;
  autostart: boolean;
  /** With the tasks of its task file, when it has one. */
  spec: PoolSpec;
}

export type WorkspaceJob = WorkspaceProcessJob | WorkspacePoolJob;

export interface WorkspaceContent {
  jobs: WorkspaceJob[];
  display: WorkspaceDisplay;
}

/** What an import (Procfile, supervisord) reads from a file: jobs for the workspace, and what it could not carry over. */
export interface ImportedJobs {
  jobs: WorkspaceJob[];
  notCarriedOver: string[];
  notes: string[];
}

type YamlPath = (string | number)[];

/** A workspace that cannot be read: `file:line: field: message`. */
export class WorkspaceFileError extends Error {
  override name = 'WorkspaceFileError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${field === null ? '' : `${field}: `}${reason}`);
  }
}

type Section = 'processes' | 'pools';
const TOP_LEVEL_KEYS = new Set(['processes', 'pools', 'display']);

/** A parsed workspace file: the Document to edit and save, and where its lines are. */
export class WorkspaceFile {
  private constructor(
    /** Where save() writes; Save As changes it. */
    public path: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** An empty workspace (untitled until saved with a path). */
  static empty(path: string): WorkspaceFile {
    return WorkspaceFile.parse(path, '# A Pooldeck workspace: processes and pools, started with `npm start -- this-file.yaml`.\n');
  }

  static async load(path: string): Promise<WorkspaceFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new WorkspaceFileError(path, null, null, `cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    return WorkspaceFile.parse(path, text);
  }

  /** Parses YAML text (no schema check yet: see content()). */
  static parse(path: string, text: string): WorkspaceFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const syntax = doc.errors[0];
    if (syntax !== undefined) {
      const line = lines.linePos(syntax.pos[0]).line;
      throw new WorkspaceFileError(path, line, null, `not valid YAML: ${syntax.message.split('\n')[0]}`);
    }
    return new WorkspaceFile(path, doc, lines);
  }

  /** The jobs and display settings, checked with the protocol's schemas; throws WorkspaceFileError. */
  async content(): Promise<WorkspaceContent> {
    const top: unknown = this.doc.toJS();
    if (top === null || top === undefined) return { jobs: [], display: {} };
    if (typeof top !== 'object' || Array.isArray(top)) {
      throw this.error([], null, 'a workspace is a mapping with processes:, pools: and display:');
    }
    const record = top as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!TOP_LEVEL_KEYS.has(key)) throw this.error([], key, `unknown section ${key}: a workspace has processes:, pools: and display:`);
    }
    const jobs: WorkspaceJob[] = [];
    const names = new Set<string>();
    for (const section of ['processes', 'pools'] as const) {
      const list = record[section];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw this.error([section], null, `${section} must be a list of jobs (- name: …)`);
      for (const [index, entry] of list.entries()) {
        const job = await this.job(section, index, entry);
        if (names.has(job.name)) throw this.error([section, index, 'name'], null, `another job is already named ${job.name}: names are unique in a workspace`);
        names.add(job.name);
        jobs.push(job);
      }
    }
    const display = WorkspaceDisplaySchema.safeParse(record.display ?? {});
    if (!display.success) throw this.issueError(['display'], display.error.issues);
    return { jobs, display: display.data };
  }

  async save(): Promise<void> {
    await writeFileAtomic(this.path, this.doc.toString());
  }

  /** Adds a job at the end of its section (created when missing), in the forms' field order. */
  addJob(job: WorkspaceJob): void {
    const section = sectionOf(job.kind);
    const entry = { name: job.name, ...job.spec, autostart: job.autostart };
    entry.name = job.name;
    const node = this.doc.createNode(entry);
    // Lists of plain values ([-m, http.server], a task's arguments) read best on one line.
    visit(node, {
      Seq: (_key, seq) => {
        if (seq.items.every((item) => isScalar(item))) seq.flow = true;
      },
    });
    if (!isSeq(this.doc.get(section, true))) this.doc.set(section, this.doc.createNode([]));
    this.doc.addIn([section], node);
  }

  /** Removes the named job; false when the file has none of that name. */
  removeJob(kind: WorkspaceJob['kind'], name: string): boolean {
    const section = sectionOf(kind);
    const list = this.doc.get(section, true);
    if (!isSeq(list)) return false;
    const index = list.items.findIndex((item) => isMap(item) && item.get('name') === name);
    if (index < 0) return false;
    list.delete(index);
    return true;
  }

  private async job(section: Section, index: number, entry: unknown): Promise<WorkspaceJob> {
    const at: YamlPath = [section, index];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw this.error(at, null, `each job is a mapping (name:, command: or target:, …)`);
    }
    const record = entry as Record<string, unknown>;
    if (record.name === undefined) throw this.error(at, null, 'name is required: each job of a workspace has a unique name');
    const { autostart, taskFile, ...specFields } = record;
    if (section === 'processes') {
      if (taskFile !== undefined) throw this.error(at, 'taskFile', 'taskFile is for a pool');
      const extras = this.check(WorkspaceJobExtrasSchema, { autostart }, at);
      const spec = this.check(ProcessSpecSchema, specFields, at);
      return { kind: 'process', name: spec.name!, autostart: extras.autostart ?? false, spec };
    }
    const extras = this.check(WorkspacePoolExtrasSchema, { autostart, taskFile }, at);
    if (extras.taskFile !== undefined) {
      if (specFields.tasks !== undefined) throw this.error(at, 'taskFile', 'give tasks or taskFile, not both');
      specFields.tasks = await readTaskFile(resolve(dirname(this.path), extras.taskFile));
    }
    const spec = this.check(PoolSpecSchema, specFields, at);
    return { kind: 'pool', name: spec.name!, autostart: extras.autostart ?? false, spec };
  }

  private check<S extends z.ZodType>(schema: S, value: unknown, at: YamlPath): z.output<S> {
    const result = schema.safeParse(value);
    if (!result.success) throw this.issueError(at, result.error.issues);
    return result.data;
  }

  private issueError(at: YamlPath, issues: readonly z.core.$ZodIssue[]): WorkspaceFileError {
    const issue = issues[0]!;
    const path = [...at, ...issue.path.filter((part): part is string | number => typeof part !== 'symbol')];
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      return this.error(path, key, `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`);
    }
    const nested = (issue as { issues?: readonly z.core.$ZodIssue[] }).issues?.[0];
    return this.error(path, null, issue.code === 'invalid_key' && nested ? nested.message : issue.message);
  }

  /** An error at `path` (or at its key `key`): the line of the deepest node the file has on that path. */
  private error(path: YamlPath, key: string | null, reason: string): WorkspaceFileError {
    const fullPath = key === null ? path : [...path, key];
    return new WorkspaceFileError(this.path, this.lineOf(fullPath), this.fieldName(fullPath), reason);
  }

  private lineOf(path: YamlPath): number {
    let node: unknown = this.doc.contents;
    let offset = (this.doc.contents?.range?.[0] ?? 0);
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
        if (pair === undefined) break;
        offset = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
        node = node.items[part];
        const range = (node as { range?: [number, number, number] }).range;
        if (range) offset = range[0];
      } else {
        break;
      }
    }
    return this.lines.linePos(offset).line;
  }

  /** `processes[1] (web).args[0]`: the path as a person reads it, with the job's name. */
  private fieldName(path: YamlPath): string | null {
    if (path.length === 0) return null;
    let name = '';
    for (const [index, part] of path.entries()) {
      if (typeof part === 'number') {
        name += `[${part}]`;
        const jobName = index === 1 ? this.doc.getIn([...path.slice(0, 2), 'name']) : undefined;
        if (typeof jobName === 'string') name += ` (${jobName})`;
      } else {
        name += name === '' ? part : `.${part}`;
      }
    }
    return name;
  }
}

function sectionOf(kind: WorkspaceJob['kind']): Section {
  return kind === 'process' ? 'processes' : 'pools';
}

/** One task a line: a JSON list of arguments (`[1, "a"]`), or else the line as one text argument; blank lines skipped. */
async function readTaskFile(path: string): Promise<unknown[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WorkspaceFileError(path, null, null, `cannot read the task file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const tasks: unknown[][] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('[')) {
      tasks.push([trimmed]);
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed)) throw new Error('not a list');
      tasks.push(parsed);
    } catch {
      throw new WorkspaceFileError(path, index + 1, null, 'a line starting with [ must be a JSON list of arguments, e.g. [1, "a"]');
    }
  }
  return tasks;
}
