import type { AppEvent, CommandArgs, CommandName, CommandOutcome, CommandResult } from '../../main/protocol/index.js';

/**
 * The renderer's only way to reach the app. Two transports implement it: Electron IPC through the
 * preload bridge, and HTTP + WebSocket against the headless server.
 */
export interface PooldeckApi {
  /**
   * Never rejects: both transports turn a lost connection, a refused token or a bad answer into an
   * `{ ok: false }` outcome, so callers handle one kind of failure.
   */
  call<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutcome<CommandResult<N>>>;
  /** Receives a snapshot first, then deltas; returns the unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
}
