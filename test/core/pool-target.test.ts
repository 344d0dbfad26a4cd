// Pool({ target }): values JSON can't carry, in both directions, against the real Python and Node
// helpers. Every pool a test makes is terminated after it, and its workers' groups checked gone.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TaskFailedError } from '../../main/core/errors.js';
import type { Pool } from '../../main/core/pool.js';
import { startedWorkers, trackPools } from '../fixtures/pool-harness.js';

const TARGETS = fileURLToPath(new URL('../fixtures/targets/', import.meta.url));

const { make } = trackPools();

/** What `promise` rejected with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason as Error,
  );
}

async function firstWorkerPid(pool: Pool): Promise<number> {
  return (await startedWorkers(pool))[0]!.pid!;
}

for (const [language, file] of [
  ['Python', 'tasks.py'],
  ['Node', 'tasks.mjs'],
] as const) {
  describe(`${language} Pool({ target }): arguments JSON can't carry are refused before sending`, () => {
    it('names the type and the position, in apply, applyAsync, kwargs, map, starmap, imap and submit', async () => {
      const pool = make({ processes: 1, target: `${file}:square`, cwd: TARGETS });
      const cant = "which JSON can't carry";
      expect((await rejection(pool.apply([Number.NaN]))).message).toBe(`apply(args): args[0] is NaN, ${cant}`);
      expect((await rejection(pool.apply([1, undefined]))).message).toBe(`apply(args): args[1] is undefined, ${cant}`);
      expect(() => pool.applyAsync([() => 1])).toThrow(`applyAsync(args): args[0] is a function, ${cant}`);
      expect((await rejection(pool.apply([1], { n: 1n })))).toHaveProperty('message', `apply: kwargs.n is a bigint, ${cant}`);
      expect((await rejection(pool.map([1, 2, new Map()])))).toHaveProperty('message', `map: item 2 is a Map, ${cant} (only plain objects)`);
      expect((await rejection(pool.map([1, 2, 3, { x: Number.POSITIVE_INFINITY }], { chunksize: 2 })))).toHaveProperty(
        'message',
        `map: item 3.x is Infinity, ${cant}`,
      );
      expect((await rejection(pool.starmap([[1], [2, new Set()]])))).toHaveProperty('message', `starmap: item 1: args[1] is a Set, ${cant} (only plain objects)`);
      expect(() => pool.submit([[1], [Number.NaN]])).toThrow(`submit(argLists): item 1: args[0] is NaN, ${cant}`);
      const imapped: unknown[] = [];
      const imapError = await (async () => {
        for await (const value of pool.imap([1, 2, Number.NaN])) imapped.push(value);
      })().then(
        () => null,
        (reason: unknown) => reason as Error,
      );
      expect(imapError?.message).toBe(`imap: item 2 is NaN, ${cant}`);
      expect(imapped).toEqual([1, 4]);
      // Nothing of the refused calls reached the worker: it runs the next task as the first of its own.
      expect(await pool.map([3, 4])).toEqual([9, 16]);
    });
  });
}

describe('Pool({ target }): kwargs', () => {
  it('passes them as keyword arguments to a Python function, and as one more, last argument to a Node one', async () => {
    const python = make({ processes: 1, target: 'tasks.py:scaled', cwd: TARGETS });
    expect(await python.apply([3], { scale: 10, offset: 2 })).toMatchObject({ value: 32 });
    const node = make({ processes: 1, target: 'tasks.mjs:scaled', cwd: TARGETS });
    expect(await node.apply([3], { scale: 10, offset: 2 })).toMatchObject({ value: 32 });
    const count = make({ processes: 1, target: 'tasks.mjs:argumentCount', cwd: TARGETS });
    expect(await count.apply([1, 2])).toBe(2);
    expect(await count.apply([1, 2], { flag: true })).toBe(3);
  });
});

describe("Pool({ target }): results JSON can't carry are answered with an error naming the type, and the worker keeps serving", () => {
  for (const [language, target, kinds] of [
    [
      'Python',
      'tasks.py:make_value',
      [
        ['set', '(set)'],
        ['datetime', '(datetime)'],
        ['bytes', '(bytes)'],
        ['object', '(Point)'],
        ['nan', '(float)'],
      ],
    ],
    [
      'Node',
      'tasks.mjs:makeValue',
      [
        ['map', 'the value is a Map'],
        ['set', 'the value is a Set'],
        ['date', 'the value is a Date'],
        ['bigint', 'the value is a bigint'],
        ['nan', 'the value is NaN'],
      ],
    ],
  ] as const) {
    it(`${language}: one task at a time, and in a map's chunk`, async () => {
      const pool = make({ processes: 1, target, cwd: TARGETS });
      const pid = await firstWorkerPid(pool);
      for (const [kind, named] of kinds) {
        const error = await rejection(pool.apply([kind]));
        expect(error).toBeInstanceOf(TaskFailedError);
        expect(error.message).toContain(named);
        expect(await pool.apply(['fine'])).toEqual([1, 'two', null, true, { three: 3.5 }]);
      }
      const chunkError = await rejection(pool.map(['fine', 'fine', kinds[0][0], 'fine'], { chunksize: 4 }));
      expect(chunkError).toBeInstanceOf(TaskFailedError);
      expect(chunkError.message).toContain(kinds[0][1]);
      expect(await pool.map(['fine', 'fine'], { chunksize: 2 })).toHaveLength(2);
      // The same worker answered all of it: an unsendable result is an error result, not a lost worker.
      expect(pool.workers.map((worker) => worker.pid)).toEqual([pid]);
    });
  }

  it('Node: fails a task with the helper\'s load error, naming the file, when the target cannot be loaded', async () => {
    const pool = make({ processes: 1, target: 'nowhere.mjs:square', cwd: TARGETS });
    await expect(pool.apply([1])).rejects.toThrow(/cannot load nowhere\.mjs:square: no such file/);
  });
});
