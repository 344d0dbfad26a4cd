// Which values travel between the app and a target or a pool worker: JSON values (null, booleans,
// finite numbers, strings, arrays and plain objects of those). JSON.stringify would silently turn a
// NaN into null, drop an undefined or a function, and make a Map or a Set `{}`: such a value is
// refused before sending, with where it is and what it is.

/** Where in a value JSON would lose or refuse something (keys and indexes from the top), and what is there. */
export interface JsonProblem {
  path: (string | number)[];
  /** `is NaN, which JSON can't carry`, `is a Map, …` */
  what: string;
}

const CANT_CARRY = "which JSON can't carry";

/**
 * The first place in `value` JSON would lose or refuse, or null when it round-trips. Paths are built
 * only on the way back from a problem, so a value that round-trips costs one walk and no allocation.
 */
export function findJsonProblem(value: unknown): JsonProblem | null {
  try {
    return problemIn(value, []);
  } catch (error) {
    // Nested past the stack: JSON.stringify then refuses it too, with its own message.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

function problemIn(value: unknown, ancestors: object[]): JsonProblem | null {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : { path: [], what: `is ${String(value)}, ${CANT_CARRY}` };
    case 'undefined':
      return { path: [], what: `is undefined, ${CANT_CARRY}` };
    case 'object':
      break;
    default:
      return { path: [], what: `is a ${typeof value}, ${CANT_CARRY}` };
  }
  const object = value as object;
  if (ancestors.includes(object)) return { path: [], what: `refers back to itself, ${CANT_CARRY}` };
  ancestors.push(object);
  const problem = Array.isArray(object) ? problemInArray(object, ancestors) : problemInObject(object, ancestors);
  ancestors.pop();
  return problem;
}

function problemInArray(array: unknown[], ancestors: object[]): JsonProblem | null {
  for (let index = 0; index < array.length; index += 1) {
    const problem = problemIn(array[index], ancestors);
    if (problem) {
      problem.path.unshift(index);
      return problem;
    }
  }
  return null;
}

/** Marks objects that travel as their toJSON() (the channel objects' `{"$pooldeck":…}` tags), so that they pass. */
export const CARRIED_AS_TAG = Symbol.for('pooldeck.carriedAsTag');

function problemInObject(object: object, ancestors: object[]): JsonProblem | null {
  if ((object as { [CARRIED_AS_TAG]?: unknown })[CARRIED_AS_TAG] === true) return null;
  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype !== Object.prototype && prototype !== null) {
    return { path: [], what: `is a ${object.constructor?.name ?? 'object'}, ${CANT_CARRY} (only plain objects)` };
  }
  const keys = Object.keys(object);
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index]!;
    const problem = problemIn((object as Record<string, unknown>)[key], ancestors);
    if (problem) {
      problem.path.unshift(key);
      return problem;
    }
  }
  return null;
}

/** `args[1] is NaN, which JSON can't carry`: a problem named from `at`. */
export function describeJsonProblem(at: string, { path, what }: JsonProblem): string {
  let where = at;
  for (const step of path) where += typeof step === 'number' ? `[${step}]` : `.${step}`;
  return `${where} ${what}`;
}

/** Where in `value` JSON would lose or refuse something (`args[1] is NaN, which JSON can't carry`), named from `at`, or null. */
export function jsonProblem(value: unknown, at: string): string | null {
  const problem = findJsonProblem(value);
  return problem && describeJsonProblem(at, problem);
}
