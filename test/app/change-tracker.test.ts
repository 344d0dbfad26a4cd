import { describe, expect, it } from 'vitest';
import { ChangeTracker } from '../../main/app/change-tracker.js';
import type { TaskRow } from '../../main/protocol/rows.js';

function taskRow(key: string): TaskRow {
  const [poolId, taskId] = key.split(':');
  return { key, poolId, taskId: Number(taskId), args: [], state: 'queued', workerPid: null, workerName: null, queuedAt: 0, startedAt: null, endedAt: null, result: null, error: null };
}

describe('ChangeTracker', () => {
  it('hands out each change once, under consecutive seqs, and nothing (no seq) when nothing changed', () => {
    let told = 0;
    const changes = new ChangeTracker(() => (told += 1));
    expect(changes.take()).toBeNull();
    expect(changes.seq).toBe(0);
    changes.process('p1');
    changes.pool('pool1');
    changes.task(taskRow('pool1:1'));
    expect(told).toBe(2);
    expect(changes.take()).toEqual({ seq: 1, processIds: ['p1'], removedProcesses: [], poolIds: ['pool1'], removedPools: [], tasks: [taskRow('pool1:1')], sampled: false });
    expect(changes.take()).toBeNull();
    changes.sampled();
    expect(changes.take()).toMatchObject({ seq: 2, sampled: true, processIds: [] });
    expect(changes.seq).toBe(2);
  });

  it('a removal cancels the pending change of the same row, and a removed pool takes its task rows along', () => {
    const changes = new ChangeTracker(() => undefined);
    changes.process('p1');
    changes.processRemoved('p1');
    changes.pool('pool1');
    changes.task(taskRow('pool1:1'));
    changes.task(taskRow('pool2:1'));
    changes.poolRemoved('pool1', ['pool1:1']);
    expect(changes.take()).toMatchObject({ processIds: [], removedProcesses: ['p1'], poolIds: [], removedPools: ['pool1'], tasks: [taskRow('pool2:1')] });
  });

  it('sample-driven changes wait for sampled() to tell anyone', () => {
    let told = 0;
    const changes = new ChangeTracker(() => (told += 1));
    changes.processSampled('p1');
    changes.poolSampled('pool1');
    expect(told).toBe(0);
    changes.sampled();
    expect(told).toBe(1);
    expect(changes.take()).toMatchObject({ processIds: ['p1'], poolIds: ['pool1'], sampled: true });
  });
});
