import { z } from 'zod';
import { jsonValueField } from './schemas.js';

// The Channels view's commands: which object (by name) and what to do with it. Values are JSON.

export const CHANNEL_LIMITS = {
  /** Rows listChannels carries at most. */
  maxRows: 500,
  /** Items a queue row peeks at. */
  peekedItems: 5,
  /** Characters of each peeked item's JSON text. */
  peekedChars: 300,
  /** Numbers an array row carries. */
  arrayValuesShown: 32,
  /** Samples kept per sparkline: a minute at 1 Hz. */
  historyLength: 60,
  /** The longest a pipe console waits for an answer. */
  maxReplyWaitMs: 60_000,
} as const;

const channelName = z
  .string({ error: 'name must be text: the channel object\'s name, as the Channels view shows it' })
  .min(1, { error: 'name is required: the channel object\'s name' })
  .max(200, { error: 'name must be at most 200 characters' });

export const PutQueueItemArgsSchema = z.strictObject({ name: channelName, value: jsonValueField('value') });

export const DrainQueueArgsSchema = z.strictObject({ name: channelName });

export const SendOnPipeArgsSchema = z.strictObject({
  name: channelName,
  end: z.union([z.literal(0), z.literal(1)], { error: 'end must be 0 or 1: which end of the pipe the app sends on' }),
  value: jsonValueField('value'),
  replyWaitMs: z
    .number({ error: 'replyWaitMs must be a number of milliseconds' })
    .int({ error: 'replyWaitMs must be a whole number of milliseconds' })
    .min(0, { error: 'replyWaitMs must be 0 or more (0: do not wait for an answer)' })
    .max(CHANNEL_LIMITS.maxReplyWaitMs, { error: `replyWaitMs must be at most ${CHANNEL_LIMITS.maxReplyWaitMs}` })
    .optional(),
});

export const SetSharedValueArgsSchema = z.strictObject({
  name: channelName,
  index: z
    .number({ error: 'index must be a number: the position in the array (0 for a Value)' })
    .int({ error: 'index must be a whole number' })
    .min(0, { error: 'index must be 0 or more' })
    .optional(),
  value: z.number({ error: 'value must be a number' }).refine(Number.isFinite, { error: 'value must be a finite number' }),
});

export const SetEventArgsSchema = z.strictObject({
  name: channelName,
  set: z.boolean({ error: 'set must be true (set the event) or false (clear it)' }),
});
