import type { z } from 'zod';

/** How a command failed, as a value the UI shows where it belongs (`field` names the form field). */
export interface CommandError {
  /** `forbidden`: the sender itself was refused (not the app's own window), whatever it asked. */
  code: 'invalid' | 'not_found' | 'conflict' | 'start_failed' | 'unknown_command' | 'forbidden' | 'internal';
  message: string;
  field?: string;
}

export type CommandOutcome<T> = { ok: true; value: T } | { ok: false; error: CommandError };

/** Thrown by command handlers to fail with a specific code; anything else becomes `internal`. */
export class CommandFailure extends Error {
  constructor(readonly error: CommandError) {
    super(error.message);
  }
}

/** The first schema issue, phrased for a person: "processes: processes must be at least 1". */
export function errorFromIssues(issues: readonly z.core.$ZodIssue[]): CommandError {
  const issue = issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  let message = issue?.message ?? 'invalid input';
  // A bad key in a record (an env name) nests the reason one level down.
  const nested = (issue as { issues?: readonly z.core.$ZodIssue[] } | undefined)?.issues?.[0];
  if (issue?.code === 'invalid_key' && nested) message = nested.message;
  if (issue?.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    message = `unknown field${keys.length === 1 ? '' : 's'}: ${keys.join(', ')}`;
    return { code: 'invalid', message, field: keys[0] };
  }
  return field ? { code: 'invalid', message: `${field}: ${message}`, field } : { code: 'invalid', message };
}
