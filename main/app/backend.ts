import { Supervisor, SupervisorError } from './supervisor.js';
import type { ProcessRow } from '../protocol/rows.js';
import type { ProcessSpec } from '../protocol/schemas.js';
import type { AppEventSource } from '../protocol/bridge.js';
import { CoalescedEvents } from './coalesced-events.js';
import type { CommandHandlers } from '../protocol/commands.js';
import { demoWorkspace } from './demo.js';
import { channelDemo } from './demo-channels.js';
import { listTargets } from './target-list.js';
import { CommandFailure } from '../protocol/errors.js';
import { sendSignal } from './send-signal.js';
import { checkProcessSpec } from './spec-check.js';
import { inspectedPools, processTreeOf, signalDescendant } from './job-tree.js';
import { resolve } from 'node:path';
import { WorkspaceStore } from './workspace/workspace-store.js';
import { workspaceCommands, type WorkspaceCommandName } from './workspace/workspace-commands.js';
import { RunHistory } from './run-history/run-history.js';

export interface AppBackendOptions {
  /** Where logs go. */
  dataDir: string;
  sampleIntervalMs?: number;
  /** Deltas are coalesced to at most one per this interval. Default 250 ms. */
  deltaIntervalMs?: number;
  /** Where the worker helpers and the demo worker live; each shell knows its own layout (source tree or package). */
  workersDir: string;
  graceMs?: number;
  /** See SupervisorOptions.maxLiveProcesses. */
  maxLiveProcesses?: number;
  /** The workspace file to open on launch; left out, the last one opened (if any). */
  workspacePath?: string;
  /** Runs the history keeps (`<dataDir>/history/runs.jsonl`), the oldest dropped first. Default 100,000. */
  maxHistoryRuns?: number;
}

/** The app as both shells see it: command handlers, the event stream, and the quit-time controls. */
export interface AppBackend {
  handlers: CommandHandlers;
  events: AppEventSource;
  supervisor: Supervisor;
  /** Every run recorded, across launches of the app. */
  history: RunHistory;
  runningNonDaemon(): ProcessRow[];
  waitForNonDaemon(): Promise<void>;
  shutdown(options: { terminateAll: boolean; graceMs?: number }): Promise<{ stillRunning: ProcessRow[] }>;
  dispose(): Promise<void>;
}

export function createAppBackend(options: AppBackendOptions): AppBackend {
  const supervisor = new Supervisor({
    dataDir: options.dataDir,
    sampleIntervalMs: options.sampleIntervalMs,
    graceMs: options.graceMs,
    maxLiveProcesses: options.maxLiveProcesses,
    workersDir: options.workersDir,
  });
  const workersDir = options.workersDir;
  const events = new CoalescedEvents(supervisor, options.deltaIntervalMs ?? 250);
  const history = new RunHistory(supervisor, { dataDir: options.dataDir, maxRuns: options.maxHistoryRuns });

  const coreHandlers = {
    getSnapshot: async () => supervisor.snapshot(),
    createProcess: async (spec) => {
      const row = await guardAsync(() => supervisor.createProcess(spec));
      return { id: row.id, row };
    },
    createPool: async (spec) => {
      const row = guard(() => supervisor.createPool(spec));
      return { id: row.id, row };
    },
    submitTasks: async ({ poolId, tasks }) => ({ count: guard(() => supervisor.submitTasks(poolId, tasks)) }),
    terminate: async ({ id }) => (guard(() => supervisor.terminate(id)), {}),
    kill: async ({ id }) => (guard(() => supervisor.kill(id)), {}),
    stop: async ({ id, graceMs }) => guardAsync(() => supervisor.stop(id, graceMs)),
    restart: async ({ id }) => ({ id: (await guardAsync(() => supervisor.restart(id))).id }),
    remove: async ({ id }) => (guard(() => supervisor.remove(id)), {}),
    signal: async ({ id, signal }) => guard(() => sendSignal(supervisor, id, signal)),
    getProcessDetails: async ({ id }) =>
      guard(() => {
        const process = supervisor.processOf(id);
        return { argv: [process.command, ...process.args], cwd: resolve(process.cwd ?? '.'), env: { ...process.env } };
      }),
    getInspection: async ({ id }) => ({ inspection: guard(() => supervisor.inspection(id)) }),
    getProcessTree: async ({ id }) => guard(() => processTreeOf(supervisor, id)),
    signalDescendant: async (args) => guard(() => signalDescendant(supervisor, args)),
    listInspectedPools: async () => ({ jobs: inspectedPools(supervisor) }),
    checkSpec: async (spec) => ({ problems: checkProcessSpec(spec) }),
    closePool: async ({ id }) => (guard(() => supervisor.closePool(id)), {}),
    terminatePool: async ({ id }) => (await guardAsync(() => supervisor.terminatePool(id)), {}),
    joinPool: async ({ id }) => ({ joined: await settlesWithin(guardAsync(() => supervisor.joinPool(id)), JOIN_ANSWER_MS) }),
    removePool: async ({ id }) => (guard(() => supervisor.removePool(id)), {}),
    listTasks: async ({ poolId, ...page }) => guard(() => supervisor.listTasks(poolId, page)),
    readLogs: async ({ id, afterSeq, limit }) => guard(() => supervisor.readLogs(id, afterSeq, limit)),
    searchLogs: async ({ id, text, limit }) => guardAsync(() => supervisor.searchLogs(id, text, limit)),
    readLogFile: async ({ id, offset }) => guardAsync(() => supervisor.readLogFile(id, offset)),
    writeStdin: async ({ id, text }) => (await guardAsync(() => supervisor.writeStdin(id, text)), {}),
    runDemo: async () => guardAsync(async () => {
      const demo = demoWorkspace(workersDir);
      const poolIds: string[] = [];
      for (const spec of demo.pools) {
        const row = supervisor.createPool(spec);
        // Closed at once, so Join is available and the pool finishes on its own.
        supervisor.closePool(row.id);
        poolIds.push(row.id);
      }
      const processIds: string[] = [];
      for (const spec of demo.processes) processIds.push((await supervisor.createProcess(spec)).id);
      const channels = channelDemo(workersDir);
      for (const spec of channels.processes) processIds.push((await supervisor.createProcess(spec)).id);
      // The parent's side runs on: the Channels view shows the gets and the answer as they happen.
      void channels.runParent().catch(() => undefined);
      const [first, ...rest] = demo.processesOneByOne;
      if (first !== undefined) {
        const started = await supervisor.createProcess(first);
        processIds.push(started.id);
        void startEachAfterThePrevious(started.id, rest);
      }
      return { processIds, poolIds };
    }),
    listTargets: async (args) => listTargets({ ...args, workersDir }),
    listChannels: async () => supervisor.channels.list(),
    putQueueItem: async ({ name, value }) => guard(() => supervisor.channelActions.putQueueItem(name, value)),
    drainQueue: async ({ name }) => guard(() => supervisor.channelActions.drainQueue(name)),
    sendOnPipe: async ({ name, end, value, replyWaitMs }) => guardAsync(() => supervisor.channelActions.sendOnPipe(name, end, value, replyWaitMs)),
    setSharedValue: async ({ name, index, value }) => (guard(() => supervisor.channelActions.setSharedValue(name, index, value)), {}),
    setEvent: async ({ name, set }) => guard(() => supervisor.channelActions.setEvent(name, set)),
    listRuns: async ({ filter, offset, limit }) => history.list(filter, offset, limit),
    readRunLog: async ({ runId, offset }) => guardAsync(() => history.readLog(runId, offset)),
    searchRunLog: async ({ runId, text, limit }) => guardAsync(() => history.searchLog(runId, text, limit)),
    runAgain: async ({ runId }) => guardAsync(() => history.runAgain(runId)),
    retryFailedTasks: async ({ runId }) => guard(() => history.retryFailedTasks(runId)),
  } satisfies Omit<CommandHandlers, WorkspaceCommandName>;
  const workspace = new WorkspaceStore({ dataDir: options.dataDir, supervisor });
  const workspaceReady = workspace.openAtLaunch(options.workspacePath);
  const handlers: CommandHandlers = { ...coreHandlers, ...workspaceCommands(workspace, workspaceReady, coreHandlers) };

  /** Stops the demo's one-by-one processes from starting once the app shuts down. */
  const shuttingDown = new AbortController();

  /** As `p.start(); p.join()` in a loop: each spec starts once the process before it has ended. */
  async function startEachAfterThePrevious(firstId: string, specs: ProcessSpec[]): Promise<void> {
    let previousId = firstId;
    try {
      for (const spec of specs) {
        await supervisor.processOf(previousId).join();
        if (shuttingDown.signal.aborted) return;
        previousId = (await supervisor.createProcess(spec)).id;
      }
    } catch {
      // The user removed a row, or one could not start: the rest of the run is left out.
    }
  }

  return {
    handlers,
    events,
    supervisor,
    history,
    runningNonDaemon: () => supervisor.runningNonDaemon(),
    waitForNonDaemon: () => supervisor.waitForNonDaemon(),
    shutdown: (shutdownOptions) => {
      shuttingDown.abort();
      return supervisor.shutdown(shutdownOptions);
    },
    dispose: async () => {
      shuttingDown.abort();
      events.dispose();
      await workspaceReady;
      await workspace.dispose();
      await supervisor.dispose();
      // After the supervisor: the runs that ended while it shut down are recorded too.
      history.dispose();
    },
  };
}

/**
 * joinPool answers within this time: `joined: false` means the workers are still exiting (a worker that
 * never exits would otherwise hold the command open for good); the pool's row says 'joined' when done.
 */
const JOIN_ANSWER_MS = 1_000;

/** True if `work` resolves within `ms`, false if it is still going (it goes on); rejects if it fails first. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const stillGoing = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  // A failure after we answered has no one to tell; the row shows the pool's state.
  work.catch(() => undefined);
  try {
    return await Promise.race([work.then(() => true), stillGoing]);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns the supervisor's refusals and the core's option errors into command errors for the UI. */
function toFailure(error: unknown): unknown {
  if (error instanceof SupervisorError) return new CommandFailure({ code: error.code, message: error.message });
  if (error instanceof TypeError || error instanceof RangeError) {
    return new CommandFailure({ code: 'invalid', message: error.message });
  }
  return error;
}

function guard<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw toFailure(error);
  }
}

async function guardAsync<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw toFailure(error);
  }
}
