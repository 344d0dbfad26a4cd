import { tick } from 'svelte';
import type { z } from 'zod';
import type { CommandOutcome } from '../../main/protocol/index.js';
import { splitArgs } from './args-input.js';
import { parseEnvInput } from './env-input.js';
import { fieldErrorsFromIssues, placeAppError, type FieldErrors } from './form-errors.js';

/** What a process spec and a pool spec have in common, as the app receives it. */
export interface CommonSpec {
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  name?: string;
  daemon: boolean;
}

/** The fields both "New process" and "New pool" ask for, as typed (SpecFields binds to them). */
export class SpecDraft {
  command = $state('');
  argsText = $state('');
  cwd = $state('');
  envText = $state('');
  name = $state('');
  daemon = $state(false);

  constructor(defaults: { daemon: boolean }) {
    this.daemon = defaults.daemon;
  }

  /** The common part of the spec (empty optional fields left out), and the errors of the text boxes. */
  read(): { spec: CommonSpec; errors: FieldErrors } {
    const errors: FieldErrors = {};
    const spec: CommonSpec = { command: this.command.trim(), daemon: this.daemon };
    const args = splitArgs(this.argsText);
    if (!args.ok) errors.args = args.message;
    else if (args.args.length > 0) spec.args = args.args;
    const env = parseEnvInput(this.envText);
    if (!env.ok) errors.env = env.message;
    else if (env.count > 0) spec.env = env.env;
    if (this.name.trim() !== '') spec.name = this.name.trim();
    if (this.cwd.trim() !== '') spec.cwd = this.cwd.trim();
    return { spec, errors };
  }
}

/** The field names SpecFields shows, where the app's errors about them are placed. */
export const SPEC_FIELDS = ['command', 'args', 'cwd', 'env', 'name', 'daemon'] as const;

export type SubmitResult = { ok: true; id: string } | { ok: false; fields: FieldErrors; general: string[] };

/**
 * Checks a spec against its schema (the text boxes' own errors win: they name the line or
 * character), then sends it; an app error goes under the field it names when the form shows it.
 */
export async function submitSpec<S>(
  spec: S,
  parseErrors: FieldErrors,
  schema: z.ZodType,
  knownFields: readonly string[],
  send: (spec: S) => Promise<CommandOutcome<{ id: string }>>,
): Promise<SubmitResult> {
  const checked = schema.safeParse(spec);
  const found = checked.success ? { fields: {}, general: [] } : fieldErrorsFromIssues(checked.error.issues);
  const fields = { ...found.fields, ...parseErrors };
  if (Object.keys(fields).length > 0 || found.general.length > 0) return { ok: false, fields, general: found.general };

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
  ): Promise<string | null> {
    if (this.submitting) return null;
    this.submitting = true;
    const result = await submitSpec(read.spec, read.errors, schema, knownFields, send);
    this.submitting = false;
    if (result.ok) return result.id;
    this.errors = result.fields;
    this.general = result.general;
    await tick();
    form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return null;
  }
}
