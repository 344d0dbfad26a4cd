// The Channels view's commands refuse bad input with an error naming the field.
import { describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../main/protocol/dispatch.js';
import type { CommandHandlers } from '../../main/protocol/commands.js';

const handlers = new Proxy({}, { get: () => async () => ({}) }) as CommandHandlers;

describe("the Channels view's commands", () => {
  it.each([
    ['putQueueItem', { name: 'jobs' }, 'value', /value is required: a JSON value/],
    ['putQueueItem', { name: '', value: 1 }, 'name', /name is required/],
    ['sendOnPipe', { name: 'p', end: 2, value: 1 }, 'end', /end must be 0 or 1/],
    ['setSharedValue', { name: 'v', value: 'ten' }, 'value', /value must be a number/],
    ['setSharedValue', { name: 'v', index: -1, value: 1 }, 'index', /index must be 0 or more/],
    ['setEvent', { name: 'e', set: 'yes' }, 'set', /set must be true/],
    ['drainQueue', { name: 'q', extra: 1 }, 'extra', /unknown field: extra/],
  ] as const)('%s refuses %j at %s', async (command, args, field, message) => {
    const outcome = await dispatchCommand(handlers, command, args);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid', field, message: expect.stringMatching(message) } });
  });

  it('accepts any JSON value as a queue item, nested no deeper than the limit', async () => {
    expect(await dispatchCommand(handlers, 'putQueueItem', { name: 'jobs', value: ['hello', 1, { a: null }] })).toMatchObject({ ok: true });
    let deep: unknown = 1;
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(await dispatchCommand(handlers, 'putQueueItem', { name: 'jobs', value: deep })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/levels deep/) } });
  });
});
