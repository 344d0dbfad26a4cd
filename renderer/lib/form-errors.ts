import type { z } from 'zod';
import type { CommandError } from '../../main/protocol/index.js';

// Turning schema issues and app errors into messages shown next to the form field they concern.

/** Field name → the message to show under that field. */
export type FieldErrors = Partial<Record<string, string>>;

/** The first issue per top-level field (`env.FOO` and `args.3` belong to `env` and `args`). */
export function fieldErrorsFromIssues(issues: readonly z.core.$ZodIssue[]): { fields: FieldErrors; general: string[] } {
  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      general.push(`unknown field: ${issue.keys.join(', ')}`);
      continue;
    }
    const field = issue.path.length > 0 ? String(issue.path[0]) : null;
    if (field === null) general.push(issue.message);
    else fields[field] ??= issue.message;
  }
  return { fields, general };
}

/** An app error goes under its field when the form shows that field, else at the top of the form. */
export function placeAppError(error: CommandError, knownFields: readonly string[]): { field: string | null; message: string } {
  const field = error.field?.split('.')[0] ?? null;
  if (field !== null && knownFields.includes(field)) {
    // The app's message starts with "field: " for people reading it out of context; the form already says which field.
    const prefix = `${error.field}: `;
    return { field, message: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message };
  }
  return { field: null, message: error.message };
}
