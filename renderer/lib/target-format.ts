import type { TargetError } from '../../main/protocol/index.js';

// How a function process reads in the table: the call it makes, and how it ended.

/** `tasks.py:square(7, scale=2)`: the target called with its arguments, as Python would write the call. */
export function formatCall(target: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> | null): string {
  const parts = args.map((value) => JSON.stringify(value));
  for (const [name, value] of Object.entries(kwargs ?? {})) parts.push(`${name}=${JSON.stringify(value)}`);
  return `${target}(${parts.join(', ')})`;
}

/** `ZeroDivisionError: division by zero`, the last line of a Python traceback. */
export function formatTargetError(error: TargetError): string {
  return error.message === '' ? error.type : `${error.type}: ${error.message}`;
}
