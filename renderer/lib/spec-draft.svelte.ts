import { tick } from 'svelte';
import type { z } from 'zod';
import type { CommandOutcome } from '../../main/protocol/index.js';
import { splitArgs } from './args-input.js';
import { parseEnvInput } from './env-input.js';
import { fieldErrorsFromIssues, placeAppError, type FieldErrors } from './form-errors.js';

/** What a process spec and a pool spec have in common, as the app receives it. */
export interface CommonSpec {
  /** Command mode: the program to run. */
  command?: string;
  args?: string[];
  /** Function mode: FILE:ATTR. */
  target?: string;
  cwd?: string;
  env?: Record<string, string>;
  name?: string;
  daemon: boolean;
}

/** What a form runs: a program (argv), or a function or class of a Python or Node file. */
export type RunMode = 'command' | 'function';

/** The fields both "New process" and "New pool" ask for, as typed (SpecFields binds to them). */
export class SpecDraft {
  mode = $state<RunMode>('command');
  command = $state('');
  argsText = $state('');
  cwd = $state('');
  envText = $state('');
  name = $state('');
  daemon = $state(false);
  /** Function mode: the file as typed (the app resolves it against the working directory). */
  file = $state('');
  /** Function mode: the function or class picked from the file's list. */
  targetName = $state('');

  constructor(defaults: { daemon: boolean }) {
    this.daemon = defaults.daemon;
  }

  /** The common part of the spec (empty optional fields left out), and the errors of the text boxes. */
  read(): { spec: CommonSpec; errors: FieldErrors } {
    const errors: FieldErrors = {};
    const spec: CommonSpec = { daemon: this.daemon };
    if (this.mode === 'command') {
      spec.command = this.command.trim();
      const args = splitArgs(this.argsText);
      if (!args.ok) errors.args = args.message;
      else if (args.args.length > 0) spec.args = args.args;
    } else {
      const file = this.file.trim();
      if (file === '') errors.file = 'file is required: a Python or Node file, e.g. tasks.py or tasks.mjs';
      else if (this.targetName === '') errors.target = 'pick the function or class to run from the list';
      else spec.target = `${file}:${this.targetName}`;
    }
    const env = parseEnvInput(this.envText);
    if (!env.ok) errors.env = env.message;
    else if (env.count > 0) spec.env = env.env;
    if (this.name.trim() !== '') spec.name = this.name.trim();
    if (this.cwd.trim() !== '') spec.cwd = this.cwd.trim();
    return { spec, errors };
  }
}

/** The field names SpecFields shows, where the app's errors about them are placed. */
export const SPEC_FIELDS = ['command', 'args', 'target', 'file', 'cwd', 'env', 'name', 'daemon'] as const;

export type SubmitResult = { ok: true; id: string } | { ok: false; fields: FieldErrors; general: string[] };

/** Asks the app what would keep a valid spec from starting (a missing program or folder), by field. */
export type SpecCheck<S> = (spec: S) => Promise<FieldErrors>;

/**
 * Checks a spec against its schema (the text boxes' own errors win: they name the line or
 * character), then with the app when `check` is given, then sends it; an app error goes under the
 * field it names when the form shows it.
 */
export async function submitSpec<S>(
  spec: S,
  parseErrors: FieldErrors,
  schema: z.ZodType,
  knownFields: readonly string[],
  send: (spec: S) => Promise<CommandOutcome<{ id: string }>>,
  check?: SpecCheck<S>,
): Promise<SubmitResult> {
  const checked = schema.safeParse(spec);
  const found = checked.success ? { fields: {}, general: [] } : fieldErrorsFromIssues(checked.error.issues);
  const fields = { ...found.fields, ...parseErrors };
  // A field the form could not read is missing from the spec, so the schema's whole-spec complaints
  // (no command and no target) only repeat it: the field's own message says it better.
  const general = Object.keys(parseErrors).length > 0 ? [] : found.general;
  if (Object.keys(fields).length > 0 || general.length > 0) return { ok: false, fields, general };
  const problems = (await check?.(spec)) ?? {};
  if (Object.keys(problems).length > 0) return { ok: false, fields: problems, general: [] };

  // The api never rejects: a lost connection comes back as an outcome like any other error.
  const outcome = await send(spec);
  if (outcome.ok) return { ok: true, id: outcome.value.id };
  const placed = placeAppError(outcome.error, knownFields);
  return placed.field ? { ok: false, fields: { [placed.field]: placed.message }, general: [] } : { ok: false, fields: {}, general: [placed.message] };
}

/** A New form's submission: its errors (by field and general) and whether a send is under way. */
export class SpecSubmission {
  errors = $state<FieldErrors>({});
  general = $state<string[]>([]);
  submitting = $state(false);

  /** Checks and sends the spec; returns the new id, or null after showing the errors and focusing the first invalid field. */
  async submit<S>(
    form: HTMLFormElement | undefined,
    read: { spec: S; errors: FieldErrors },
    schema: z.ZodType,
    knownFields: readonly string[],
    send: (spec: S) => Promise<CommandOutcome<{ id: string }>>,
    check?: SpecCheck<S>,
  ): Promise<string | null> {
    if (this.submitting) return null;
    this.submitting = true;
    const result = await submitSpec(read.spec, read.errors, schema, knownFields, send, check);
    this.submitting = false;
    if (result.ok) return result.id;
    this.errors = result.fields;
    this.general = result.general;
    await tick();
    form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return null;
  }
}
