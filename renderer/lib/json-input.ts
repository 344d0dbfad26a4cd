// The JSON text boxes of Function mode (args, kwargs, initargs): parsed here, so a mistake shows at its
// field in words ("args must be a JSON array, e.g. [1, "a"]") before anything is sent.

export type JsonListResult = { ok: true; value: unknown[] | undefined } | { ok: false; message: string };
export type JsonObjectResult = { ok: true; value: Record<string, unknown> | undefined } | { ok: false; message: string };

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string, field: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${field} is not valid JSON (${reason})` };
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A JSON array; empty text means "none given" (undefined). */
export function parseJsonList(text: string, field: string): JsonListResult {
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJson(text, field);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) {
    return { ok: false, message: `${field} must be a JSON array, e.g. [1, "a"]; this is ${kindOf(parsed.value)}` };
  }
  return { ok: true, value: parsed.value as unknown[] };
}

/** A JSON object; empty text means "none given" (undefined). */
export function parseJsonObject(text: string, field: string): JsonObjectResult {
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJson(text, field);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: `${field} must be a JSON object, e.g. {"verbose": true}; this is ${kindOf(value)}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
