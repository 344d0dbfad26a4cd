import type { Delta, Snapshot } from './rows.js';

/** Everything the app pushes to a UI: a full snapshot on connect, then deltas in order. */
export type AppEvent = { type: 'snapshot'; snapshot: Snapshot } | { type: 'delta'; delta: Delta };

/** The message the Electron shell asks the renderer to answer before quitting, and the answers. */
export type QuitChoice = 'wait' | 'terminate' | 'cancel';
