import type { AppStats, Delta, PoolRow, ProcessRow, Snapshot } from '../../main/protocol/index.js';

// Rows and events as the supervisor sends them, with only the fields a test cares about spelled out.

export function processRow(overrides: Partial<ProcessRow> & { id: string }): ProcessRow {
  return {
    name: overrides.id,
    kind: 'process',
    command: 'python3',
    args: ['job.py'],
    cwd: null,
    pid: 1000,
    isAlive: true,
    daemon: false,
    exitcode: null,
    state: 'running',
    suspended: false,
    error: null,
    target: null,
    targetArgs: [],
    kwargs: null,
    returnValue: null,
    targetError: null,
    cpu: 0,
    memory: 10 * 1024 * 1024,
    startedAt: 1_000_000,
    endedAt: null,
    poolId: null,
    poolName: null,
    tasksDone: 0,
    restarts: 0,
    nextRestartAt: null,
    previousExitcodes: [],
    ...overrides,
  };
}

/** `count` running processes named proc-0001… with pids from 2000. */
export function manyRows(count: number): ProcessRow[] {
  return Array.from({ length: count }, (_, i) =>
    processRow({ id: `p${i}`, name: `proc-${String(i).padStart(4, '0')}`, pid: 2000 + i }),
  );
}

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 1,
    time: 1_000_000,
    processes: [],
    pools: [],
    tasks: [],
    cpuHistory: {},
    app: null,
    sampleIntervalMs: 1000,
    ...overrides,
  };
}

export function delta(seq: number, overrides: Partial<Delta> = {}): Delta {
  return {
    seq,
    time: 1_000_000 + seq * 1000,
    processes: [],
    removedProcesses: [],
    pools: [],
    removedPools: [],
    tasks: [],
    sampled: false,
    app: null,
    ...overrides,
  };
}

export const appStats = (overrides: Partial<AppStats> = {}): AppStats => ({ cpu: 1.5, memory: 80 * 1024 * 1024, cores: 4, ...overrides });

/** A running worker-mode pool of 4, 100 tasks in: 50 queued, 4 running, 40 done, 4 failed, 2 cancelled. */
export function poolRow(overrides: Partial<PoolRow> = {}): PoolRow {
  return {
    id: 'pool-1',
    name: 'squares',
    mode: 'worker',
    processes: 4,
    command: 'python3',
    args: ['worker.py'],
    target: null,
    initializer: null,
    maxTasksPerChild: null,
    daemon: true,
    state: 'running',
    error: null,
    counts: { queued: 50, running: 4, done: 40, failed: 4, cancelled: 2 },
    total: 100,
    createdAt: 0,
    etaMs: 83_000,
    ...overrides,
  };
}
