// Exec mode's argument templates, after GNU parallel: `{}` stands for all of a task's arguments,
// `{1}`, `{2}`, … for one of them; with no placeholder at all, the arguments are appended.

/** `{}` or `{N}` with N a positive integer (no leading zero). Anything else in braces is left alone. */
const PLACEHOLDER = /\{([1-9]\d*)?\}/g;

/** True when some argument of `template` contains `{}` or `{N}`. */
export function hasPlaceholder(template: readonly string[]): boolean {
  return template.some((arg) => {
    PLACEHOLDER.lastIndex = 0;
    return PLACEHOLDER.test(arg);
  });
}

/**
 * The argv for one task.
 * - an argument that is exactly `{}` becomes the task's arguments, one argv entry each;
 * - `{}` inside a longer argument becomes the task's arguments joined by single spaces;
 * - `{N}` becomes the task's N-th argument (1-based), or '' when the task has fewer (as GNU parallel does);
 * - with no placeholder anywhere, the task's arguments are appended.
 * Arguments are stringified with `String(x)`.
 */
export function expandTemplate(template: readonly string[], taskArgs: readonly unknown[]): string[] {
  const values = taskArgs.map((value) => String(value));
  if (!hasPlaceholder(template)) return [...template, ...values];
  const argv: string[] = [];
  for (const arg of template) {
    if (arg === '{}') {
      argv.push(...values);
      continue;
    }
    argv.push(arg.replace(PLACEHOLDER, (_whole, digits: string | undefined) => (digits === undefined ? values.join(' ') : (values[Number(digits) - 1] ?? ''))));
  }
  return argv;
}
