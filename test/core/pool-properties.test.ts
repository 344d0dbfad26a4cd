// Property tests of the pool's containers against plain-array models: Deque, InflightList, TaskBook.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque, InflightList, TaskBook, TaskEntry } from '../../main/core/pool-task.js';

const entry = (id: number, count = 1): TaskEntry => new TaskEntry(id, [], 0, '', null, 0, count, count > 1, true);

describe('Deque', () => {
  type Op = { kind: 'push' | 'unshift'; value: number } | { kind: 'shift' | 'peek' | 'drain' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ kind: fc.constantFrom('push' as const, 'unshift' as const), value: fc.integer() }) },
    { weight: 8, arbitrary: fc.record({ kind: fc.constantFrom('shift' as const, 'peek' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
  );

  it('behaves like an array used at both ends, across growth and wrap-around', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const deque = new Deque<number>();
        let model: number[] = [];
        for (const step of ops) {
          if (step.kind === 'push') {
            deque.push(step.value);
            model.push(step.value);
          } else if (step.kind === 'unshift') {
            deque.unshift(step.value);
            model.unshift(step.value);
          } else if (step.kind === 'shift') {
            expect(deque.shift()).toBe(model.shift());
          } else if (step.kind === 'peek') {
            expect(deque.peek()).toBe(model[0]);
          } else {
            expect(deque.drain()).toEqual(model);
            model = [];
          }
          expect(deque.length).toBe(model.length);
        }
        const seen: number[] = [];
        deque.forEach((value) => seen.push(value));
        expect(seen).toEqual(model);
      }),
    );
  });
});

describe('InflightList', () => {
  type Op = { kind: 'push'; count: number } | { kind: 'take' | 'find'; pick: number } | { kind: 'drain' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('push' as const), count: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('take' as const, 'find' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
  );

  it('takes and finds by id like a list searched in order, oldest first', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const list = new InflightList();
        let model: TaskEntry[] = [];
        let nextId = 1;
        for (const step of ops) {
          if (step.kind === 'push') {
            const added = entry(nextId, step.count);
            nextId += step.count;
            list.push(added);
            model.push(added);
          } else if (step.kind === 'drain') {
            expect(list.drain()).toEqual(model);
            model = [];
          } else {
            // Any id ever given, held or not (taken ones must not be found again).
            const id = (step.pick % nextId) + 1;
            if (step.kind === 'take') {
              const index = model.findIndex((held) => held.id === id);
              const expected = index >= 0 ? model.splice(index, 1)[0] : undefined;
              expect(list.take(id)).toBe(expected);
            } else {
              expect(list.find(id)).toBe(model.find((held) => id >= held.id && id < held.id + held.count));
            }
          }
          expect(list.size).toBe(model.length);
          expect(list.first).toBe(model[0]);
        }
      }),
    );
  });
});

describe('TaskBook', () => {
  const scenario = (maxCount: number) =>
    fc.record({
      limit: fc.integer({ min: 1, max: 6 }),
      counts: fc.array(fc.integer({ min: 1, max: maxCount }), { minLength: 1, maxLength: 60 }),
      // Finishing order: indices into the entries, in any order, some never finished.
      order: fc.array(fc.nat(), { maxLength: 80 }),
    });

  function run({ limit, counts, order }: { limit: number; counts: number[]; order: number[] }) {
    const book = new TaskBook(limit);
    const entries: TaskEntry[] = [];
    let nextId = 1;
    for (const count of counts) {
      const added = entry(nextId, count);
      nextId += count;
      entries.push(added);
      book.add(added);
    }
    for (const pick of order) {
      const chosen = entries[pick % entries.length];
      if (chosen.finished) continue;
      chosen.state = 'done';
      book.finished(chosen);
    }
    return { book, entries, listed: book.list() };
  }

  it('lists every unfinished item, in submission order, and exactly min(finished, limit) finished items', () => {
    fc.assert(
      fc.property(scenario(5), (input) => {
        const { entries, listed } = run(input);
        const ids = listed.map((task) => task.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        const unfinished = entries.filter((e) => !e.finished).flatMap((e) => Array.from({ length: e.count }, (_, i) => e.id + i));
        const listedUnfinished = listed.filter((task) => task.state !== 'done').map((task) => task.id);
        expect(listedUnfinished).toEqual(unfinished);
        const finishedItems = entries.filter((e) => e.finished).reduce((sum, e) => sum + e.count, 0);
        expect(listed.filter((task) => task.state === 'done')).toHaveLength(Math.min(finishedItems, input.limit));
      }),
    );
  });

  it('with single tasks, the finished ones listed are the newest (by submission)', () => {
    fc.assert(
      fc.property(scenario(1), (input) => {
        const { entries, listed } = run(input);
        const newest = entries
          .filter((e) => e.finished)
          .map((e) => e.id)
          .slice(-input.limit);
        expect(listed.filter((task) => task.state === 'done').map((task) => task.id)).toEqual(newest);
      }),
    );
  });
});
