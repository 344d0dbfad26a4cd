import { z } from 'zod';

// A workspace: a YAML job file of processes and pools as the forms define them (ProcessSpecSchema,
// PoolSpecSchema), each with a unique name and `autostart`, plus display settings. The file is read
// and written by main/app/workspace; these are the shapes the UI sees and the commands it sends.

const pathField = (field: string) =>
  z
    .string({ error: `${field} must be text: a file path` })
    .trim()
    .min(1, { error: `${field} is required: a file path, e.g. ~/jobs/workspace.yaml` })
    .max(4096, { error: `${field} must be at most 4096 characters` });

export const WorkspacePathArgsSchema = z.strictObject({ path: pathField('path') });

export const WorkspaceJobArgsSchema = z.strictObject({
  name: z.string({ error: 'name must be text: the job as the workspace names it' }).min(1, { error: 'name is required' }).max(200),
});

/** Imports a Procfile or a supervisord config's [program:x] sections into the open workspace. */
export const ImportJobsArgsSchema = z.strictObject({
  path: pathField('path'),
  format: z.enum(['procfile', 'supervisord'], { error: "format must be 'procfile' or 'supervisord'" }),
});

/** What the workspace remembers of the app's display (the renderer's own settings, applied on open). */
export const WorkspaceDisplaySchema = z.strictObject(
  {
    hideExited: z.boolean({ error: 'hideExited must be true or false' }).optional(),
    cpuDividedByCores: z.boolean({ error: 'cpuDividedByCores must be true or false' }).optional(),
    theme: z.enum(['system', 'light', 'dark'], { error: "theme must be 'system', 'light' or 'dark'" }).optional(),
  },
  { error: 'display must be a mapping of settings (hideExited, cpuDividedByCores, theme)' },
);

/** The fields a workspace job has beside its spec. */
export const WorkspaceJobExtrasSchema = z.object({
  autostart: z.boolean({ error: 'autostart must be true or false' }).optional(),
});

/** A pool's task file beside its spec: one task a line, a JSON list of arguments or a line of text (one argument). */
export const WorkspacePoolExtrasSchema = WorkspaceJobExtrasSchema.extend({
  taskFile: pathField('taskFile').optional(),
});

export type WorkspaceDisplay = z.output<typeof WorkspaceDisplaySchema>;

export interface WorkspaceJobRow {
  /** Unique in the workspace: how it is started and how the file names it. */
  name: string;
  kind: 'process' | 'pool';
  autostart: boolean;
  /** The command line or the target, as the forms show it. */
  summary: string;
  /** The process or pool row this job runs as in this session; null while it is not started. */
  rowId: string | null;
}

export interface WorkspaceInfo {
  /** The file; null for the untitled workspace (Save As gives it one). */
  path: string | null;
  jobs: WorkspaceJobRow[];
  display: WorkspaceDisplay;
  /** Changes not yet written to the file (a save is at most a moment away, unless untitled). */
  unsaved: boolean;
  /** Why the last open or save failed (file:line: field: message), null when it did not. */
  error: string | null;
}

export interface ImportResult {
  /** The jobs added to the workspace (not started). */
  added: string[];
  /** What the source said that a workspace cannot carry, one line each (e.g. `web: user=www-data`). */
  notCarriedOver: string[];
  /** How commands were read, e.g. which ran through `sh -c` because they use shell syntax. */
  notes: string[];
  workspace: WorkspaceInfo;
}
