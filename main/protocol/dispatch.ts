import { commandSchemas, isCommandName, type CommandHandlers } from './commands.js';
import { CommandFailure, errorFromIssues, type CommandOutcome } from './errors.js';

/**
 * The one entry for a command from outside (IPC or HTTP): checks the name, validates the payload
 * against its schema, runs the handler, and turns every failure into a value. Never throws.
 */
export async function dispatchCommand(
  handlers: CommandHandlers,
  name: unknown,
  payload: unknown,
): Promise<CommandOutcome<unknown>> {
  if (!isCommandName(name)) {
    return { ok: false, error: { code: 'unknown_command', message: `unknown command: ${String(name).slice(0, 100)}` } };
  }
  const parsed = commandSchemas[name].safeParse(payload ?? {});
  if (!parsed.success) return { ok: false, error: errorFromIssues(parsed.error.issues) };
  try {
    const handler = handlers[name] as (args: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof CommandFailure) return { ok: false, error: error.error };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'internal', message } };
  }
}


