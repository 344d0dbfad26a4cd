// The restart policy's fields in a process spec: checked, with errors naming the field and what is valid.
import { describe, expect, it } from 'vitest';
import { LIMITS, ProcessSpecSchema, errorFromIssues } from '../../main/protocol/index.js';

function firstError(value: unknown) {
  const parsed = ProcessSpecSchema.safeParse(value);
  expect(parsed.success).toBe(false);
  return errorFromIssues(parsed.error!.issues);
}

describe('process spec: restart policy', () => {
  it('accepts each policy with its limits, and leaves them out by default', () => {
    for (const restart of ['no', 'on-failure', 'always'] as const) {
      expect(ProcessSpecSchema.parse({ command: 'sh', restart, maxRestarts: 3, stableAfterMs: 2000 })).toMatchObject({ restart, maxRestarts: 3, stableAfterMs: 2000 });
    }
    expect(ProcessSpecSchema.parse({ command: 'sh' }).restart).toBeUndefined();
  });

  it('names restart and lists the valid policies', () => {
    expect(firstError({ command: 'sh', restart: 'unless-stopped' })).toMatchObject({ field: 'restart', message: "restart: restart must be 'no', 'on-failure' or 'always'" });
  });

  it('names maxRestarts and stableAfterMs when they are not whole numbers in range', () => {
    expect(firstError({ command: 'sh', maxRestarts: -1 })).toMatchObject({ field: 'maxRestarts', message: 'maxRestarts: maxRestarts must be at least 0' });
    expect(firstError({ command: 'sh', maxRestarts: 2.5 })).toMatchObject({ field: 'maxRestarts', message: 'maxRestarts: maxRestarts must be a whole number' });
    expect(firstError({ command: 'sh', maxRestarts: LIMITS.maxRestarts + 1 }).message).toBe(`maxRestarts: maxRestarts must be at most ${LIMITS.maxRestarts}`);
    expect(firstError({ command: 'sh', stableAfterMs: '10s' })).toMatchObject({ field: 'stableAfterMs', message: 'stableAfterMs: stableAfterMs must be a number' });
    expect(firstError({ command: 'sh', stableAfterMs: LIMITS.maxStableAfterMs + 1 }).field).toBe('stableAfterMs');
  });
});
