// The command names the preload binds, without importing the schemas: a sandboxed preload is one small
// CommonJS bundle, and zod must stay out of it. The type makes the list exhaustive: a command missing
// here, or one that does not exist, fails to compile; a test also compares it with `commandNames`.
import type { CommandName } from '../protocol/commands.js';

const COMMANDS: { readonly [N in CommandName]: true } = {
  getSnapshot: true,
  createProcess: true,
  createPool: true,
  submitTasks: true,
  terminate: true,
  kill: true,
  stop: true,
  restart: true,
  remove: true,
  signal: true,
  getProcessDetails: true,
  getInspection: true,
  getProcessTree: true,
  signalDescendant: true,
  listInspectedPools: true,
  checkSpec: true,
  closePool: true,
  terminatePool: true,
  joinPool: true,
  removePool: true,
  listTasks: true,
  readLogs: true,
  searchLogs: true,
  readLogFile: true,
  writeStdin: true,
  runDemo: true,
  listTargets: true,
  listChannels: true,
  putQueueItem: true,
  drainQueue: true,
  sendOnPipe: true,
  setSharedValue: true,
  setEvent: true,
  listRuns: true,
  readRunLog: true,
  searchRunLog: true,
  runAgain: true,
  retryFailedTasks: true,
};

export const preloadCommandNames = Object.keys(COMMANDS) as CommandName[];
