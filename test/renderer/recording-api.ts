import type { PooldeckApi } from '../../renderer/lib/api.js';
import type { CommandName, CommandOutcome } from '../../main/protocol/index.js';

export interface RecordedCall {
  name: CommandName;
  args: unknown;
}

type Responder = (args: never) => CommandOutcome<unknown> | Promise<CommandOutcome<unknown>>;

/**
 * A stand-in for the transport: records every call and answers from per-command responders
 * (`{ ok: true, value: {} }` when none is given).
 */
export function recordingApi(responders: Partial<Record<CommandName, Responder>> = {}): PooldeckApi & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const api = {
    calls,
    async call(name: CommandName, args: unknown) {
      calls.push({ name, args });
      const respond = responders[name] as ((args: unknown) => CommandOutcome<unknown> | Promise<CommandOutcome<unknown>>) | undefined;
      return respond ? respond(args) : { ok: true, value: {} };
    },
    subscribe() {
      return () => {};
    },
  };
  return api as unknown as PooldeckApi & { calls: RecordedCall[] };
}
