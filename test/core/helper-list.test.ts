// The helpers' list mode on its own (`pooldeck_worker.py list FILE`, `pooldeck-worker.cjs list FILE`):
// one JSON line on stdout, whatever the file prints or leaves running; exit 1 with an error line naming
// the file and the cause.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { python } from '../helpers/platform.js';

const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const TARGETS = fileURLToPath(new URL('../fixtures/app-targets/', import.meta.url));

interface ListRun {
  code: number | null;
  lines: string[];
  answer: { type: string; error?: { type: string; message: string }; targets?: { name: string; kind: string; signature: string | null; doc: string | null }[] };
  stderr: string;
}

/** Runs a helper's list mode on `file` in the fixtures folder (by default the helper of its language). */
function list(file: string, language: 'python' | 'node' = file.endsWith('.py') ? 'python' : 'node'): Promise<ListRun> {
  const [command, helper] = language === 'python' ? [python, `${WORKERS}pooldeck_worker.py`] : ['node', `${WORKERS}pooldeck-worker.cjs`];
  const child = spawn(command, [helper, 'list', file], { cwd: TARGETS, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const lines = stdout.split('\n').filter((line) => line !== '');
      resolve({ code, lines, answer: JSON.parse(lines[0] ?? 'null') as ListRun['answer'], stderr });
    });
  });
}

describe("the Python helper's list mode", () => {
  it('answers one line, sending what the file prints at import to stderr', async () => {
    const run = await list('jobs.py');
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(1);
    expect(run.stderr).toMatch(/jobs\.py printed this while it was imported/);
    expect(run.answer.targets!.map((target) => target.name)).toEqual(['square', 'fail', 'init', 'tagged', 'Counter']);
  });

  it('answers at once although the file left a thread running', async () => {
    const run = await list('lingers.py');
    expect(run).toMatchObject({ code: 0, answer: { type: 'targets', targets: [{ name: 'ready', kind: 'function', signature: '()' }] } });
  });

  it('fails with exit 1 and an error line naming the file and the cause', async () => {
    const exits = await list('exits_on_import.py');
    expect(exits.code).toBe(1);
    expect(exits.answer.error).toMatchObject({ type: 'SystemExit', message: expect.stringMatching(/cannot load exits_on_import\.py: importing it raised SystemExit 3/) });
    const broken = await list('broken.py');
    expect(broken.code).toBe(1);
    expect(broken.answer.error).toMatchObject({ type: 'SyntaxError', message: expect.stringMatching(/broken\.py line 3/) });
    const other = await list('jobs.mjs', 'python');
    expect(other.code).toBe(1);
    expect(other.answer.error!.message).toMatch(/cannot list jobs\.mjs: not a Python file/);
  });
});

describe("the Node helper's list mode", () => {
  it('answers one line although the file prints and leaves a timer running', async () => {
    const run = await list('lingers.mjs');
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(1);
    expect(run.stderr).toMatch(/lingers\.mjs printed this/);
    expect(run.answer.targets).toEqual([{ name: 'ready', kind: 'function', signature: '()', doc: null }]);
  });

  it("reads a CommonJS module's exports off module.exports, functions only", async () => {
    const run = await list('../list-common.cjs');
    expect(run.answer.targets).toEqual([{ name: 'add', kind: 'function', signature: '(a, b)', doc: null }]);
  });

  it('fails with exit 1 and an error line naming the file and the cause', async () => {
    const missing = await list('nowhere.mjs');
    expect(missing.code).toBe(1);
    expect(missing.answer.error).toMatchObject({ type: 'FileNotFoundError', message: expect.stringMatching(/cannot load nowhere\.mjs: no such file/) });
    const broken = await list('broken.mjs');
    expect(broken.answer.error).toMatchObject({ type: 'SyntaxError', message: expect.stringMatching(/broken\.mjs:3/) });
    const other = await list('jobs.py', 'node');
    expect(other.answer.error!.message).toMatch(/cannot list jobs\.py: not a Node file/);
  });
});
