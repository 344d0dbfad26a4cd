// The contract between the app and any UI. Pure: no Node, no Electron, safe for the renderer.
export * from './commands.js';
export * from './errors.js';
export * from './events.js';
export * from './schemas.js';
export * from './signals.js';
export * from './signal-args.js';
export * from './channel-args.js';
export type * from './channel-rows.js';
export type * from './rows.js';
export type * from './inspection.js';
export * from './history.js';
export type * from './job-tree.js';
export * from './workspace.js';
export type * from './vocabulary.js';
export * from './bridge.js';
export * from './dispatch.js';
