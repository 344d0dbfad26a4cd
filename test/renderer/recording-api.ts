import type { PooldeckApi } from '../../renderer/lib/api.js';
import type { CommandName, CommandOutcome } from '../../main/protocol/index.js';

export interface RecordedCall {
  name: CommandName;
  args: unknown;
}

/** Answers shaped like the app's where an empty object would not be one: a check that found nothing. */
const DEFAULT_ANSWERS: Partial<Record<CommandName, unknown>> = { checkSpec: { problems: [] }, listRuns: { total: 0, offset: 0, runs: [] } };

type Responder = (args: never) => CommandOutcome<unknown> | Promise<CommandOutcome<unknown>>;

/**
 * A stand-in for the transport: records every call and answers from per-command responders
 * (`{ ok: true, value: {} }`, or DEFAULT_ANSWERS', when none is given).
 */
export function recordingApi(responders: Partial<Record<CommandName, Responder>> = {}): PooldeckApi & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const api = {
    calls,
    async call(name: CommandName, args: unknown) {
      calls.push({ name, args });
      const respond = responders[name] as ((args: unknown) => CommandOutcome<unknown> | Promise<CommandOutcome<unknown>>) | undefined;
      return respond ? respond(args) : { ok: true, value: DEFAULT_ANSWERS[name] ?? {} };
    },
    subscribe() {
      return () => {};
    },
  };
  return api as unknown as PooldeckApi & { calls: RecordedCall[] };
}
