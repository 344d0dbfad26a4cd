import { mkdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CommandFailure, errorFromIssues } from '../../protocol/errors.js';
import { PoolSpecSchema, ProcessSpecSchema, type PoolSpec, type ProcessSpec } from '../../protocol/schemas.js';
import type { ImportResult, WorkspaceDisplay, WorkspaceInfo, WorkspaceJobRow } from '../../protocol/workspace.js';
import type { Supervisor } from '../supervisor.js';
import { importProcfile } from './import-procfile.js';
import { importSupervisord } from './import-supervisord.js';
import { RecentWorkspaces } from './recent-workspaces.js';
import { WorkspaceFile, type ImportedJobs, type WorkspaceJob } from './workspace-file.js';

// The open workspace: its file (a yaml Document, so comments survive), its jobs and which row each
// runs as in this session. It follows what the UI changes (jobs created and removed) and saves the
// file a moment later, atomically, so a crash or a kill of the app never loses or corrupts it.
// Before the user gives it a file (Save As), the workspace is untitled and saved just the same, to
// `<dataDir>/workspaces/untitled.yaml`: the next launch reopens it when no other workspace was open.

export interface WorkspaceStoreOptions {
  dataDir: string;
  supervisor: Pick<Supervisor, 'createProcess' | 'createPool' | 'processOf' | 'poolOf'>;
  /** A change is written this long after the last one. Default 500 ms. */
  saveDelayMs?: number;
}


export class WorkspaceStore {
  readonly recent: RecentWorkspaces;
  readonly #supervisor: WorkspaceStoreOptions['supervisor'];
  readonly #saveDelayMs: number;
  readonly #untitledPath: string;
  #file: WorkspaceFile;
  #untitled = true;
  #jobs = new Map<string, { job: WorkspaceJob; rowId: string | null }>();
  #display: WorkspaceDisplay = {};
  #unsaved = false;
  #error: string | null = null;
  #saveTimer: NodeJS.Timeout | null = null;
  /** Saves run one after another: each writes the document as it is then. */
  #saving: Promise<void> = Promise.resolve();

  constructor(options: WorkspaceStoreOptions) {
    this.recent = new RecentWorkspaces(options.dataDir);
    this.#supervisor = options.supervisor;
    this.#saveDelayMs = options.saveDelayMs ?? 500;
    this.#untitledPath = join(options.dataDir, 'workspaces', 'untitled.yaml');
    this.#file = WorkspaceFile.empty(this.#untitledPath);
  }

  info(): WorkspaceInfo {
    const jobs: WorkspaceJobRow[] = [...this.#jobs.values()].map(({ job, rowId }) => ({
      name: job.name,
      kind: job.kind,
      autostart: job.autostart,
      summary: summaryOf(job),
      rowId,
    }));
    return { path: this.#untitled ? null : this.#file.path, jobs, display: this.#display, unsaved: this.#unsaved, error: this.#error };
  }

  /**
   * On launch: the given workspace, else the last one opened (if it still exists), else the untitled
   * one of the last session. Never throws: the error is in info(). The untitled one is also loaded when
   * the chosen file cannot be read, so that the next change does not overwrite its jobs with none.
   */
  async openAtLaunch(path?: string): Promise<void> {
    const chosen = path ?? (await this.recent.list())[0];
    if (chosen !== undefined && (await this.open(chosen).then(() => true, () => false))) return;
    await this.#loadUntitled();
  }

  /** The untitled workspace's jobs, listed as not started (jobs made in the UI never autostart). */
  async #loadUntitled(): Promise<void> {
    let content;
    try {
      const file = WorkspaceFile.parse(this.#untitledPath, await readFile(this.#untitledPath, 'utf8'));
      content = await file.content();
      this.#file = file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // none yet
      // Unreadable (edited by hand?): set aside, not overwritten by the next save, and said.
      const aside = `${this.#untitledPath}.unreadable`;
      await rename(this.#untitledPath, aside).catch(() => undefined);
      this.#error = `the untitled workspace could not be read and was moved to ${aside}: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    this.#jobs = new Map(content.jobs.map((job) => [job.name, { job, rowId: null }]));
    this.#display = content.display;
    this.#unsaved = content.jobs.length > 0;
  }

  /** Opens a workspace and starts its autostart jobs; jobs of the previous one keep running, as rows. */
  async open(path: string): Promise<WorkspaceInfo> {
    const absolute = resolve(path);
    let file: WorkspaceFile;
    let content;
    try {
      file = await WorkspaceFile.load(absolute);
      content = await file.content();
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      throw new CommandFailure({ code: 'invalid', message: this.#error, field: 'path' });
    }
    await this.flush();
    this.#file = file;
    this.#untitled = false;
    this.#jobs = new Map(content.jobs.map((job) => [job.name, { job, rowId: null }]));
    this.#display = content.display;
    this.#unsaved = false;
    this.#error = null;
    await this.recent.opened(absolute);
    for (const job of content.jobs) {
      if (!job.autostart) continue;
      await this.startJob(job.name).catch((error: unknown) => {
        this.#error = `${job.name} could not start: ${error instanceof Error ? error.message : String(error)}`;
      });
    }
    return this.info();
  }

  /** Starts a job of the workspace as a new row (again, when its last run ended). */
  async startJob(name: string): Promise<{ id: string }> {
    const entry = this.#jobs.get(name);
    if (entry === undefined) throw new CommandFailure({ code: 'not_found', message: `the workspace has no job named ${name}` });
    if (entry.rowId !== null && this.#isRunning(entry.job.kind, entry.rowId)) {
      throw new CommandFailure({ code: 'conflict', message: `${name} is already running` });
    }
    const base = this.#untitled ? undefined : dirname(this.#file.path);
    // Paths in a workspace are relative to its file: a job without a cwd runs in the file's folder.
    const cwd = base === undefined ? entry.job.spec.cwd : resolve(base, entry.job.spec.cwd ?? '.');
    const row = entry.job.kind === 'process'
      ? await this.#supervisor.createProcess({ ...entry.job.spec, cwd })
      : this.#supervisor.createPool({ ...entry.job.spec, cwd });
    entry.rowId = row.id;
    return { id: row.id };
  }

  /** The UI created a process or pool: it joins the workspace, under its row's name (made unique). */
  jobCreated(kind: 'process', spec: ProcessSpec, row: { id: string; name: string }): void;
  jobCreated(kind: 'pool', spec: PoolSpec, row: { id: string; name: string }): void;
  jobCreated(kind: WorkspaceJob['kind'], spec: ProcessSpec | PoolSpec, row: { id: string; name: string }): void {
    const name = this.#uniqueName(spec.name ?? row.name);
    const job = { kind, name, autostart: false, spec: { ...spec, name } } as WorkspaceJob;
    this.#file.addJob(job);
    this.#jobs.set(name, { job, rowId: row.id });
    this.#changed();
  }

  /** Takes a job out of the workspace (the Not started list's Remove); one that is running stays. */
  removeJob(name: string): WorkspaceInfo {
    const entry = this.#jobs.get(name);
    if (entry === undefined) throw new CommandFailure({ code: 'not_found', message: `the workspace has no job named ${name}` });
    if (entry.rowId !== null && this.#isRunning(entry.job.kind, entry.rowId)) {
      throw new CommandFailure({ code: 'conflict', message: `${name} is running: stop it first, then remove its row` });
    }
    this.#file.removeJob(entry.job.kind, name);
    this.#jobs.delete(name);
    this.#changed();
    return this.info();
  }

  /** The UI removed a row: the job it ran leaves the workspace. */
  rowRemoved(id: string): void {
    for (const [name, entry] of this.#jobs) {
      if (entry.rowId !== id) continue;
      this.#file.removeJob(entry.job.kind, name);
      this.#jobs.delete(name);
      this.#changed();
      return;
    }
  }

  /** Adds a Procfile's or a supervisord config's programs as jobs (not started). */
  async importJobs(path: string, format: 'procfile' | 'supervisord'): Promise<ImportResult> {
    const absolute = resolve(path);
    let text: string;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      throw new CommandFailure({ code: 'invalid', field: 'path', message: `cannot read ${absolute}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
    }
    let imported: ImportedJobs;
    try {
      imported = format === 'procfile' ? importProcfile(text, dirname(absolute)) : importSupervisord(text, dirname(absolute));
    } catch (error) {
      throw new CommandFailure({ code: 'invalid', field: 'path', message: `${absolute}: ${error instanceof Error ? error.message : String(error)}` });
    }
    const added: string[] = [];
    const notCarriedOver = [...imported.notCarriedOver];
    for (const job of imported.jobs) {
      const name = this.#uniqueName(job.name);
      const checked = (job.kind === 'process' ? ProcessSpecSchema : PoolSpecSchema).safeParse({ ...job.spec, name });
      if (!checked.success) {
        const issue = errorFromIssues(checked.error.issues);
        notCarriedOver.push(`${job.name}: the whole job (${issue.field === undefined ? '' : `${issue.field}: `}${issue.message})`);
        continue;
      }
      const renamed = { ...job, name, spec: checked.data } as WorkspaceJob;
      this.#file.addJob(renamed);
      this.#jobs.set(name, { job: renamed, rowId: null });
      added.push(name);
    }
    if (added.length > 0) this.#changed();
    return { added, notCarriedOver, notes: imported.notes, workspace: this.info() };
  }

  async save(): Promise<WorkspaceInfo> {
    if (this.#untitled) throw new CommandFailure({ code: 'conflict', message: 'this workspace has no file yet: use Save As and give it a path' });
    await this.#saveNow();
    return this.info();
  }

  async saveAs(path: string): Promise<WorkspaceInfo> {
    const absolute = resolve(path);
    const wasUntitled = this.#untitled;
    this.#file.path = absolute;
    this.#untitled = false;
    await this.#saveNow();
    await this.recent.opened(absolute);
    // Its jobs now live in the chosen file: an untitled file left behind would bring them back one day.
    if (wasUntitled) await unlink(this.#untitledPath).catch(() => undefined);
    return this.info();
  }

  /** Writes a change still waiting for its moment (before quitting). */
  async flush(): Promise<void> {
    if (this.#saveTimer !== null) await this.#saveNow().catch(() => undefined);
    await this.#saving;
  }

  async dispose(): Promise<void> {
    await this.flush();
  }

  #changed(): void {
    this.#unsaved = true;
    if (this.#saveTimer !== null) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.#saveNow().catch(() => undefined), this.#saveDelayMs);
  }

  async #saveNow(): Promise<void> {
    if (this.#saveTimer !== null) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    const file = this.#file;
    if (this.#untitled) await mkdir(dirname(this.#untitledPath), { recursive: true, mode: 0o700 });
    const save = this.#saving.then(() => file.save());
    this.#saving = save.catch(() => undefined);
    try {
      await save;
      // An untitled workspace stays unsaved (in the UI's words) until the user gives it a file.
      if (file === this.#file) {
        this.#unsaved = this.#untitled && this.#jobs.size > 0;
        this.#error = null;
      }
    } catch (error) {
      this.#error = `could not save ${file.path}: ${error instanceof Error ? error.message : String(error)}`;
      throw new CommandFailure({ code: 'invalid', field: 'path', message: this.#error });
    }
  }

  #uniqueName(wanted: string): string {
    if (!this.#jobs.has(wanted)) return wanted;
    let suffix = 2;
    while (this.#jobs.has(`${wanted}-${suffix}`)) suffix++;
    return `${wanted}-${suffix}`;
  }

  #isRunning(kind: WorkspaceJob['kind'], rowId: string): boolean {
    try {
      if (kind === 'process') return this.#supervisor.processOf(rowId).isAlive();
      const state = this.#supervisor.poolOf(rowId).state;
      return state === 'running' || state === 'closed';
    } catch {
      return false; // the row is gone
    }
  }
}

function summaryOf(job: WorkspaceJob): string {
  const spec = job.spec;
  const head = spec.target ?? spec.command ?? '';
  const args = spec.target === undefined ? (spec.args ?? []).map(String) : [];
  const line = [head, ...args].join(' ');
  if (job.kind === 'process') return line;
  return `${line} · pool of ${job.spec.processes}${job.spec.mode === 'exec' ? ', exec mode' : ''}`;
}

