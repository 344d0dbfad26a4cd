import type { PooldeckApi } from './api.js';

/**
 * connecting: no event stream yet; open: events flowing; reconnecting: the stream dropped and a retry
 * is scheduled; unauthorized: the server refused our token (only a fresh link from it helps).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

import type { MenuAction } from '../../main/protocol/bridge.js';

export type { MenuAction };

/** A PooldeckApi plus what the UI needs to know about the link itself. */
export interface Transport extends PooldeckApi {
  readonly kind: 'ipc' | 'http';
  /** Calls `listener` at once with the current state, then on every change. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** The desktop shell's menu; absent in a browser. */
  onMenuAction?(listener: (action: MenuAction) => void): () => void;
  /** The desktop's native open-file dialog (a path, or null when cancelled); absent in a browser. */
  readonly pickFile?: () => Promise<string | null>;
  dispose(): void;
}
