import type { ProcessRow } from '../../main/protocol/rows.js';

/** A running process row for shell tests. */
export function runningRow(overrides: Partial<ProcessRow> = {}): ProcessRow {
  return {
    id: 'p1',
    name: 'Process-1',
    kind: 'process',
    command: 'sleep',
    args: ['60'],
    cwd: null,
    pid: 4242,
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
    cpu: null,
    memory: null,
    startedAt: 0,
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
