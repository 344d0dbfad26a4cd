import { describe, expect, it, vi } from 'vitest';
import { CPU_HISTORY_LENGTH, CpuRing, PooldeckStore } from '../../renderer/lib/store.svelte.js';
import type { PoolRow, TaskRow } from '../../main/protocol/index.js';
import { appStats, delta, processRow, snapshot } from './process-rows.js';

const pool = (id: string, overrides: Partial<PoolRow> = {}): PoolRow => ({
  id,
  name: id,
  mode: 'worker',
  processes: 3,
  command: 'python3',
  args: [],
  target: null,
  initializer: null,
  maxTasksPerChild: null,
  daemon: false,
  state: 'running',
  error: null,
  counts: { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 },
  total: 0,
  createdAt: 0,
  etaMs: null,
  ...overrides,
});

const task = (poolId: string, taskId: number, overrides: Partial<TaskRow> = {}): TaskRow => ({
  key: `${poolId}:${taskId}`,
  poolId,
  taskId,
  args: [taskId],
  state: 'queued',
  workerPid: null,
  workerName: null,
  queuedAt: 0,
  startedAt: null,
  endedAt: null,
  result: null,
  error: null,
  ...overrides,
});

describe('PooldeckStore', () => {
  it('applies a snapshot, then deltas in order', () => {
    const store = new PooldeckStore({ now: () => 1_000_000 });
    expect(store.loaded).toBe(false);

    store.handle({
      type: 'snapshot',
      snapshot: snapshot({
        seq: 5,
        processes: [processRow({ id: 'a' }), processRow({ id: 'b' })],
        pools: [pool('pool-1')],
        tasks: [task('pool-1', 1)],
        app: appStats(),
      }),
    });
    expect(store.loaded).toBe(true);
    expect(store.processList.map((row) => row.id)).toEqual(['a', 'b']);
    expect(store.poolList).toHaveLength(1);
    expect(store.app?.cores).toBe(4);

    const before = store.processes;
    const untouched = store.processes.get('b');
    store.handle({
      type: 'delta',
      delta: delta(6, {
        processes: [processRow({ id: 'a', isAlive: false, state: 'exited', exitcode: -15 }), processRow({ id: 'c' })],
        removedProcesses: ['b'],
        tasks: [task('pool-1', 1, { state: 'done' }), task('pool-1', 2)],
        app: appStats({ cpu: 3 }),
      }),
    });
    expect(store.seq).toBe(6);
    expect(store.processList.map((row) => row.id)).toEqual(['a', 'c']);
    expect(store.processes.get('a')?.exitcode).toBe(-15);
    expect(store.app?.cpu).toBe(3);
    // Replaced, not mutated: readers holding the old map see the old state.
    expect(store.processes).not.toBe(before);
    expect(before.get('b')).toBe(untouched);
    expect(store.counts).toEqual({ running: 1, total: 2, pools: 1 });
  });

  it('drops deltas older than what it holds', () => {
    const store = new PooldeckStore();
    store.applySnapshot(snapshot({ seq: 10, processes: [processRow({ id: 'a', name: 'new' })] }));
    expect(store.applyDelta(delta(9, { processes: [processRow({ id: 'a', name: 'old' })] }))).toBe('stale');
    expect(store.applyDelta(delta(10, { processes: [processRow({ id: 'a', name: 'old' })] }))).toBe('stale');
    expect(store.processes.get('a')?.name).toBe('new');
  });

  it('holds deltas that arrive before the first snapshot and applies the newer ones after it', () => {
    const store = new PooldeckStore();
    expect(store.applyDelta(delta(3, { processes: [processRow({ id: 'old' })] }))).toBe('buffered');
    expect(store.applyDelta(delta(5, { processes: [processRow({ id: 'x' })] }))).toBe('buffered');
    store.applySnapshot(snapshot({ seq: 4, processes: [processRow({ id: 'a' })] }));
    expect(store.processList.map((row) => row.id)).toEqual(['a', 'x']);
    expect(store.seq).toBe(5);
  });

  it('asks for a snapshot on a gap and resumes from it', () => {
    const requestSnapshot = vi.fn();
    const store = new PooldeckStore({ requestSnapshot });
    store.applySnapshot(snapshot({ seq: 1, processes: [processRow({ id: 'a' })] }));

    expect(store.applyDelta(delta(3, { processes: [processRow({ id: 'b' })] }))).toBe('gap');
    expect(requestSnapshot).toHaveBeenCalledTimes(1);
    expect(store.resyncing).toBe(true);
    // Nothing applied past the hole, and later deltas wait too.
    expect(store.processes.has('b')).toBe(false);
    expect(store.applyDelta(delta(4, { processes: [processRow({ id: 'c' })] }))).toBe('buffered');
    expect(requestSnapshot).toHaveBeenCalledTimes(1);

    // The fresh snapshot already includes seq 3; the held delta 4 follows it.
    store.applySnapshot(snapshot({ seq: 3, processes: [processRow({ id: 'a' }), processRow({ id: 'b' })] }));
    expect(store.resyncing).toBe(false);
    expect(store.processList.map((row) => row.id)).toEqual(['a', 'b', 'c']);
    expect(store.seq).toBe(4);
  });

  it('keeps a one-minute CPU history per process, fed by sampled deltas', () => {
    const store = new PooldeckStore();
    store.applySnapshot(
      snapshot({
        seq: 0,
        processes: [processRow({ id: 'busy', cpu: 50 }), processRow({ id: 'idle', cpu: 0 })],
        cpuHistory: { busy: [10, 20, 30] },
      }),
    );
    expect(store.cpuHistory('busy')).toEqual([10, 20, 30]);
    expect(store.cpuHistory('idle')).toEqual([]);

    const version = store.historyVersion;
    // A delta without a sample changes rows but not the history.
    store.applyDelta(delta(1, { processes: [processRow({ id: 'busy', cpu: 60 })] }));
    expect(store.cpuHistory('busy')).toEqual([10, 20, 30]);
    expect(store.historyVersion).toBe(version);

    // A sampled delta adds a point for every live process, including the idle one it did not mention.
    store.applyDelta(delta(2, { processes: [processRow({ id: 'busy', cpu: 70 })], sampled: true }));
    expect(store.cpuHistory('busy')).toEqual([10, 20, 30, 70]);
    expect(store.cpuHistory('idle')).toEqual([0]);
    expect(store.historyVersion).toBeGreaterThan(version);

    // Ended processes keep their history but get no new points; removed ones lose it.
    store.applyDelta(delta(3, { processes: [processRow({ id: 'idle', isAlive: false, state: 'exited', exitcode: 0 })], sampled: true }));
    expect(store.cpuHistory('idle')).toEqual([0]);
    store.applyDelta(delta(4, { removedProcesses: ['busy'] }));
    expect(store.cpuHistory('busy')).toEqual([]);
  });

  it('keeps only the last minute of samples', () => {
    const store = new PooldeckStore();
    store.applySnapshot(snapshot({ seq: 0, processes: [processRow({ id: 'a', cpu: 0 })] }));
    for (let seq = 1; seq <= CPU_HISTORY_LENGTH + 15; seq += 1) {
      store.applyDelta(delta(seq, { processes: [processRow({ id: 'a', cpu: seq })], sampled: true }));
    }
    const history = store.cpuHistory('a');
    expect(history).toHaveLength(CPU_HISTORY_LENGTH);
    expect(history[0]).toBe(16);
    expect(history.at(-1)).toBe(CPU_HISTORY_LENGTH + 15);
  });

  it('removes a pool', () => {
    const store = new PooldeckStore();
    store.applySnapshot(snapshot({ seq: 0, pools: [pool('p1'), pool('p2')], tasks: [task('p1', 1), task('p2', 1)] }));
    store.applyDelta(delta(1, { removedPools: ['p1'] }));
    expect(store.poolList.map((p) => p.id)).toEqual(['p2']);
  });

  it('follows the supervisor clock for uptimes', () => {
    let local = 500_000;
    const store = new PooldeckStore({ now: () => local });
    store.applySnapshot(snapshot({ seq: 0, time: 510_000 }));
    expect(store.serverTime()).toBe(510_000);
    local = 501_000;
    expect(store.serverTime()).toBe(511_000);
  });

  it('tracks the connection state', () => {
    const store = new PooldeckStore();
    expect(store.connection).toBe('connecting');
    store.setConnection('reconnecting');
    expect(store.connection).toBe('reconnecting');
  });
});

describe('CpuRing', () => {
  it('reads oldest first across the wrap', () => {
    const ring = new CpuRing();
    for (let i = 0; i < CPU_HISTORY_LENGTH + 2; i += 1) ring.push(i);
    const values = ring.toArray();
    expect(values[0]).toBe(2);
    expect(values.at(-1)).toBe(CPU_HISTORY_LENGTH + 1);
    expect(ring.length).toBe(CPU_HISTORY_LENGTH);
  });
});
