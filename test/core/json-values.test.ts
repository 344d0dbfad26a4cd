// Which values travel as JSON: the check the main side runs on every target argument and pool task.
import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../../main/core/json-values.js';

describe('jsonProblem', () => {
  it('accepts what JSON round-trips, null-prototype objects included', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(jsonProblem([null, true, -0.5, 'x', [[]], { a: { b: [1] } }, bare], 'args')).toBeNull();
  });

  it('names the first value JSON would lose or refuse, with its path', () => {
    expect(jsonProblem([1, { list: [2, Number.NEGATIVE_INFINITY] }], 'args')).toBe("args[1].list[1] is -Infinity, which JSON can't carry");
    expect(jsonProblem({ at: Symbol('s') }, 'kwargs')).toBe("kwargs.at is a symbol, which JSON can't carry");
    expect(jsonProblem([new Uint8Array(2)], 'args')).toBe("args[0] is a Uint8Array, which JSON can't carry (only plain objects)");
  });

  it('names a cycle instead of overflowing the stack', () => {
    const node: { next?: unknown } = {};
    node.next = [node];
    expect(jsonProblem({ node }, 'kwargs')).toBe("kwargs.node.next[0] refers back to itself, which JSON can't carry");
    // The same object twice, side by side, is no cycle.
    const shared = { a: 1 };
    expect(jsonProblem([shared, shared], 'args')).toBeNull();
  });

  it('leaves a value nested past the stack to JSON.stringify, which refuses it with its own error', () => {
    let deep: unknown = 1;
    for (let depth = 0; depth < 200_000; depth += 1) deep = [deep];
    expect(jsonProblem(deep, 'args')).toBeNull();
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
  });
});
