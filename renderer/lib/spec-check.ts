import type { CommandArgs } from '../../main/protocol/index.js';
import type { PooldeckApi } from './api.js';
import type { FieldErrors } from './form-errors.js';

// The New forms' check before starting: what would keep a spec from starting (a missing program or
// folder, a whole command line typed into Command), by field, so the form says it there and stays open.

/** The app's problems with `spec`, by field; none when the app cannot check (the start then says it). */
export async function checkSpecAtFields(api: PooldeckApi, spec: CommandArgs<'checkSpec'>): Promise<FieldErrors> {
  const outcome = await api.call('checkSpec', spec);
  if (!outcome.ok) return {};
  return Object.fromEntries(outcome.value.problems.map((problem) => [problem.field, problem.message]));
}

/** What a pool's workers are started from, as the process spec the check takes (one per worker, or per task in exec mode). */
export function workerSpecOf(spec: CommandArgs<'createPool'>): CommandArgs<'checkSpec'> {
  const { command, target, args, cwd, env, python, node } = spec;
  const worker: CommandArgs<'checkSpec'> = {};
  if (command !== undefined) worker.command = command;
  if (target !== undefined) worker.target = target;
  if (command !== undefined && args !== undefined) worker.args = args;
  if (cwd !== undefined) worker.cwd = cwd;
  if (env !== undefined) worker.env = env;
  if (python !== undefined) worker.python = python;
  if (node !== undefined) worker.node = node;
  return worker;
}
