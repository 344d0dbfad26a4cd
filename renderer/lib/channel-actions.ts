// The Channels view's actions from typed text: parsed here (a JSON item, a number), sent, and turned
// into the message the view shows under the box (null when it worked).
import type { PooldeckApi } from './api.js';

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonValue(text: string, field: string): Parsed {
  if (text.trim() === '') return { ok: false, message: `${field} is required: a JSON value, e.g. ["hello", 1]` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `${field} is not valid JSON (${error instanceof Error ? error.message : String(error)}); text needs quotes, e.g. "hello"` };
  }
}

function parseNumber(text: string, field: string): Parsed {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) return { ok: false, message: `${field} must be a number, e.g. 42 or 1.5` };
  return { ok: true, value };
}

export async function putQueueItem(api: PooldeckApi, name: string, text: string): Promise<string | null> {
  const parsed = parseJsonValue(text, 'item');
  if (!parsed.ok) return parsed.message;
  const outcome = await api.call('putQueueItem', { name, value: parsed.value as never });
  return outcome.ok ? null : outcome.error.message;
}

export async function setSharedValue(api: PooldeckApi, name: string, index: number, text: string): Promise<string | null> {
  const parsed = parseNumber(text, 'value');
  if (!parsed.ok) return parsed.message;
  const outcome = await api.call('setSharedValue', { name, index, value: parsed.value as number });
  return outcome.ok ? null : outcome.error.message;
}
