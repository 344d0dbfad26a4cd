import { describe, expect, it } from 'vitest';
import { ProcessSpecSchema } from '../../main/protocol/index.js';
import { SPEC_FIELDS, SpecDraft, submitSpec } from '../../renderer/lib/spec-draft.svelte.js';

describe('SpecDraft', () => {
  it('reads the shared fields, leaving out the empty optional ones', () => {
    const draft = new SpecDraft({ daemon: true });
    draft.command = '  python3 ';
    expect(draft.read()).toEqual({ spec: { command: 'python3', daemon: true }, errors: {} });
    draft.argsText = "-c 'print(1)'";
    draft.envText = 'A=1';
    draft.name = 'job';
    draft.cwd = '/tmp';
    expect(draft.read().spec).toEqual({ command: 'python3', args: ['-c', 'print(1)'], env: { A: '1' }, name: 'job', cwd: '/tmp', daemon: true });
  });

  it('names the text box whose text does not parse', () => {
    const draft = new SpecDraft({ daemon: false });
    draft.command = 'sh';
    draft.argsText = "'unclosed";
    draft.envText = 'no equals sign';
    expect(Object.keys(draft.read().errors).sort()).toEqual(['args', 'env']);
  });
});

describe('submitSpec', () => {
  const ok = async () => ({ ok: true as const, value: { id: 'p1' } });

  it('sends nothing while the schema or a text box finds an error', async () => {
    const sent: unknown[] = [];
    const result = await submitSpec({ command: '', daemon: false }, { args: 'unclosed quote' }, ProcessSpecSchema, SPEC_FIELDS, async (spec) => {
      sent.push(spec);
      return ok();
    });
    expect(sent).toEqual([]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.fields).sort()).toEqual(['args', 'command']);
  });

  it('returns the new id, or places the app error under the field it names', async () => {
    expect(await submitSpec({ command: 'sh', daemon: false }, {}, ProcessSpecSchema, SPEC_FIELDS, ok)).toEqual({ ok: true, id: 'p1' });
    const refused = await submitSpec({ command: 'sh', cwd: '/nope', daemon: false }, {}, ProcessSpecSchema, SPEC_FIELDS, async () => ({
      ok: false as const,
      error: { code: 'invalid' as const, field: 'cwd', message: 'cwd: no such folder /nope' },
    }));
    expect(refused).toEqual({ ok: false, fields: { cwd: 'no such folder /nope' }, general: [] });
  });
});
