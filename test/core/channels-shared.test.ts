// Value and SharedArray: shared files written by the app and by Python processes (no message per write).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../main/core/channels/broker.js';
import { removeStaleSharedFiles, SharedArray, Value } from '../../main/core/channels/shared-memory.js';
import { openChannel, runTarget } from '../fixtures/channels-harness.js';

describe('Value and SharedArray in the app', () => {
  it('hold their type: integers wrap as C does, a float into an integer type throws', () => {
    const broker = new Broker();
    const v = new Value('i', 5, { broker });
    expect(v.value).toBe(5);
    v.value = 2 ** 31;
    expect(v.value).toBe(-(2 ** 31));
    expect(() => (v.value = 1.5)).toThrow(/Value-1 holds 'i' values: an integer is needed, not 1.5/);
    const cases: [string, number, number][] = [['b', 200, -56], ['B', 300, 44], ['h', 40000, -25536], ['H', -1, 65535], ['I', -1, 4294967295], ['q', -5, -5], ['Q', 2 ** 40, 2 ** 40], ['l', -7, -7], ['L', 9, 9]];
    for (const [typecode, written, read] of cases) {
      const value = new Value(typecode, written, { broker });
      expect([typecode, value.value]).toEqual([typecode, read]);
    }
    const f = new Value('f', 0.1, { broker });
    expect(f.value).toBeCloseTo(0.1, 6);
    expect(new Value('d', 0.1, { broker }).value).toBe(0.1);
    expect(() => new Value('x', 0, { broker })).toThrow(/the typecode must be one of b B h H i I l L q Q f d/);
  });

  it('SharedArray: get, set, length, toArray, bounds; close() removes the file', () => {
    const broker = new Broker();
    const array = new SharedArray('d', [1.5, 2.5, 3.5], { broker });
    expect([array.length, array.get(1)]).toEqual([3, 2.5]);
    array.set(2, -1);
    expect(array.toArray()).toEqual([1.5, 2.5, -1]);
    expect(() => array.get(3)).toThrow(/index 3 is outside 0…2/);
    expect(new SharedArray('i', 4, { broker }).toArray()).toEqual([0, 0, 0, 0]);
    expect(array.getLock().name).toBe('SharedArray-1.lock');
    expect(existsSync(array.path)).toBe(true);
    array.close();
    expect(existsSync(array.path)).toBe(false);
    expect(broker.get('SharedArray-1')).toBeUndefined();
  });
});

describe('shared files of a crashed run', () => {
  it('are removed; those of live processes stay', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pooldeck-shm-test-'));
    try {
      const ended = spawn('true');
      await new Promise((resolve) => ended.once('exit', resolve));
      const stale = join(folder, `pooldeck-shm-${ended.pid}-abc`);
      const ours = join(folder, `pooldeck-shm-${process.pid}-def`);
      const parent = join(folder, `pooldeck-shm-${process.ppid}-ghi`);
      const unrelated = join(folder, 'something-else');
      for (const path of [stale, ours, parent, unrelated]) writeFileSync(path, 'x');
      expect(removeStaleSharedFiles(folder)).toEqual([stale]);
      expect([ours, parent, unrelated].every((path) => existsSync(path))).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('Value and SharedArray in Python processes', () => {
  it('behave as multiprocessing.Value and Array, in the same memory as the app', async () => {
    const { server, broker } = await openChannel();
    const v = new Value('i', 3, { broker });
    const arr = new SharedArray('i', [1, 2, 3], { broker });
    expect(await runTarget(server, 'py_channels.py:value_ops', [v, arr])).toEqual({
      value: 3,
      arr: [1, 2, 3],
      len: 3,
      arr0: 1,
      wrapped: -(2 ** 31),
      float_into_int: 'TypeError',
      arr_after: [5, 6, 3],
    });
    expect(v.value).toBe(41);
    expect(arr.toArray()).toEqual([5, 6, 3]);
  });

  it('opens them by name', async () => {
    const { server, broker } = await openChannel();
    const v = new Value('q', 0, { name: 'total', broker });
    new SharedArray('d', [0.5], { name: 'total-array', broker });
    expect(await runTarget(server, 'py_channels.py:open_value_by_name', ['total'])).toEqual([0.5]);
    expect(v.value).toBe(99);
  });

  it('Node: the same memory, typed, and opened by name', async () => {
    const { server, broker } = await openChannel();
    const v = new Value('i', 3, { broker });
    const arr = new SharedArray('d', [0.5, 1.5], { broker });
    expect(await runTarget(server, 'node_channels.cjs:valueOps', [v, arr])).toEqual({
      value: 3,
      arr: [0.5, 1.5],
      length: 2,
      wrapped: -(2 ** 31),
      fractionIntoInt: 'TypeError',
      arrAfter: [0.5, 7],
      byName: -(2 ** 31),
    });
    expect(v.value).toBe(41);
    expect(arr.get(1)).toBe(7);
  });

  it('four processes (Python and Node) incrementing one Value under its lock reach the exact total', async () => {
    const { server, broker } = await openChannel();
    const v = new Value('i', 0, { broker });
    // 400,000 in all (100,000 each) is the bench's figure (npm run bench:channels); fewer here keeps the test short.
    const each = 2_000;
    const targets = ['py_channels.py:increment_value', 'py_channels.py:increment_value', 'py_channels.py:increment_value', 'node_channels.cjs:incrementValue'];
    await Promise.all(targets.map((target) => runTarget(server, target, [v, each])));
    expect(v.value).toBe(4 * each);
  });
});
