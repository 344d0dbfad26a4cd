import { StringDecoder } from 'node:string_decoder';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeResult,
  encodeTask,
  EXIT_LINE,
  LineSplitter,
  parseWorkerLine,
  Process,
  WORKER_PROTOCOL_MINOR,
  WORKER_PROTOCOL_VERSION,
  WorkerLostError,
  type ParsedWorkerLine,
} from '../../main/core/index.js';
import { encodeBatch } from '../../main/core/worker-channel.js';
import { NODE_WORKER, PY_WORKER, ROGUE_WORKER, SH_WORKER, startedWorkers, trackPools, treeAlive, until } from '../fixtures/pool-harness.js';

const { make } = trackPools();

// Processes started directly (not through a pool) are stopped after each test too.
const started: Process[] = [];
afterEach(async () => {
  const all = started.splice(0);
  await Promise.all(all.map(async (proc) => (proc.isAlive() ? proc.stop({ graceMs: 1000 }) : undefined)));
  for (const proc of all) if (proc.pid !== null) expect(treeAlive(proc.pid)).toBe(false);
});

describe('protocol v1 codec', () => {
  it('encodes kwargs only when some are given', () => {
    expect(encodeTask(3, [1], { scale: 2 })).toBe('{"type":"task","id":3,"args":[1],"kwargs":{"scale":2}}\n');
    expect(encodeTask(3, [1], {})).toBe('{"type":"task","id":3,"args":[1]}\n');
    expect(encodeTask(3, [1])).toBe('{"type":"task","id":3,"args":[1]}\n');
    expect(() => encodeTask(3, [1], { big: 1n })).toThrow(/not JSON-serialisable/);
  });

  it('encodes tasks and exit as single JSON lines', () => {
    expect(encodeTask(7, [1, 'a', { b: null }])).toBe('{"type":"task","id":7,"args":[1,"a",{"b":null}]}\n');
    expect(JSON.parse(encodeTask(1, []))).toEqual({ type: 'task', id: 1, args: [] });
    expect(EXIT_LINE).toBe('{"type":"exit"}\n');
    expect(() => encodeTask(1, [10n])).toThrow(/not JSON-serialisable/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeTask(1, cyclic)).toThrow(TypeError);
  });

  it('parses valid worker messages, leniently where harmless', () => {
    const message = (line: string): unknown => {
      const parsed = parseWorkerLine(line);
      expect(parsed.kind).toBe('message');
      return (parsed as Extract<ParsedWorkerLine, { kind: 'message' }>).message;
    };
    expect(message('{"type":"ready"}')).toEqual({ type: 'ready' });
    expect(message('{"type":"result","id":3,"ok":true,"value":{"x":[1,2]}}')).toEqual({ type: 'result', id: 3, ok: true, value: { x: [1, 2] } });
    expect(message('{"id":3,"value":5,"ok":true,"type":"result"}')).toEqual({ type: 'result', id: 3, ok: true, value: 5 });
    expect(message('{"type":"result","id":3,"ok":true}')).toEqual({ type: 'result', id: 3, ok: true, value: null });
    expect(message('{"type":"result","id":3,"ok":true,"value":1}\r')).toEqual({ type: 'result', id: 3, ok: true, value: 1 });
    expect(message(' {"type":"result", "id": 3, "ok": true, "value": "sp aced"} ')).toMatchObject({ value: 'sp aced' });
    expect(message('{"type":"result","id":4,"ok":false,"error":{"type":"KeyError","message":"k","traceback":"tb"}}')).toEqual({
      type: 'result',
      id: 4,
      ok: false,
      error: { type: 'KeyError', message: 'k', traceback: 'tb' },
    });
    expect(message('{"type":"result","id":4,"ok":false,"error":{"message":"no type"}}')).toMatchObject({ error: { type: 'Error', message: 'no type' } });
    // The fast path for results must agree with a full parse on tricky lines.
    expect(message('{"type":"result","id":5,"ok":true,"value":1,"extra":true}')).toMatchObject({ id: 5, value: 1 });
    expect(message('{"type":"result","id":5,"ok":true,"value":"}"}')).toMatchObject({ value: '}' });
    expect(encodeResult(9, { ok: true, value: undefined })).toBe('{"type":"result","id":9,"ok":true,"value":null}\n');
  });

  it('ignores unknown types and blank lines; rejects anything else with a reason and the start of the line', () => {
    expect(parseWorkerLine('{"type":"progress","done":0.5}')).toEqual({ kind: 'ignored', type: 'progress' });
    expect(parseWorkerLine('')).toEqual({ kind: 'blank' });
    expect(parseWorkerLine('   ')).toEqual({ kind: 'blank' });
    const invalid: [string, RegExp][] = [
      ['hello world', /not JSON/],
      ['[1,2]', /not a JSON object/],
      ['null', /not a JSON object/],
      ['42', /not a JSON object/],
      ['{"id":1}', /"type"/],
      ['{"type":5}', /"type"/],
      ['{"type":"result","id":"1","ok":true,"value":1}', /"id" must be an integer/],
      ['{"type":"result","id":1.5,"ok":true,"value":1}', /"id" must be an integer/],
      ['{"type":"result","ok":true,"value":1}', /"id" must be an integer/],
      ['{"type":"result","id":1,"ok":"yes","value":1}', /"ok" must be true or false/],
      ['{"type":"result","id":1,"value":1}', /"ok" must be true or false/],
      ['{"type":"result","id":1,"ok":false}', /"error" must be an object/],
      ['{"type":"result","id":1,"ok":false,"error":"boom"}', /"error" must be an object/],
      ['{"type":"result","id":1,"ok":false,"error":{"type":"E"}}', /"error.message" must be a string/],
      ['{"type":"result","id":01,"ok":true,"value":1}', /not JSON/],
      ['{"type":"result","id":1,"ok":true,"value":}', /not JSON/],
    ];
    for (const [line, reason] of invalid) {
      const parsed = parseWorkerLine(line);
      expect(parsed.kind, line).toBe('invalid');
      const { reason: why, excerpt } = parsed as Extract<ParsedWorkerLine, { kind: 'invalid' }>;
      expect(why).toMatch(reason);
      expect(excerpt).toBe(`'${line}'`); // as written, so it can be searched for
    }
    const long = parseWorkerLine(`oops ${'x'.repeat(500)}`) as Extract<ParsedWorkerLine, { kind: 'invalid' }>;
    expect(long.excerpt).toBe(`'oops ${'x'.repeat(75)}…'`);
    const control = parseWorkerLine('bad\ttab\u0001') as Extract<ParsedWorkerLine, { kind: 'invalid' }>;
    expect(control.excerpt).toBe(String.raw`'bad\ttab\u0001'`);
  });

  it('splits lines across chunks, including a UTF-8 character cut between chunks', () => {
    const bytes = Buffer.from('{"a":"é✓"}\n{"b":1}\n{"c":', 'utf8');
    const decoder = new StringDecoder('utf8');
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) splitter.push(decoder.write(bytes.subarray(i, i + 3)), (line) => void lines.push(line));
    expect(lines).toEqual(['{"a":"é✓"}', '{"b":1}']);
    expect(splitter.pending).toBe('{"c":');
    splitter.push('2}\n\n', (line) => void lines.push(line));
    expect(lines).toEqual(['{"a":"é✓"}', '{"b":1}', '{"c":2}', '']);
    // A callback returning false stops the split (the pool stops reading a worker that broke the protocol).
    const few: string[] = [];
    new LineSplitter().push('a\nb\nc\n', (line) => {
      few.push(line);
      return line !== 'b';
    });
    expect(few).toEqual(['a', 'b']);
    const small = new LineSplitter(10);
    expect(() => small.push('x'.repeat(11), () => undefined)).toThrow(/longer than 10 characters/);
    const pieces = new LineSplitter(10);
    pieces.push('xxxx', () => undefined);
    expect(() => pieces.push('xxxxxxx', () => undefined)).toThrow(/longer than 10 characters/);
  });

  it('a long line (a batch result) split into many chunks comes out whole, once', () => {
    const line = `{"type":"batch_result","id":1,"ok":true,"values":[${Array.from({ length: 5000 }, (_, i) => i).join(',')}]}`;
    const text = `${line}\n{"type":"ready"}\n${line}\n`;
    const lines: string[] = [];
    const splitter = new LineSplitter();
    for (let i = 0; i < text.length; i += 997) splitter.push(text.slice(i, i + 997), (l) => void lines.push(l));
    expect(lines).toEqual([line, '{"type":"ready"}', line]);
    expect(splitter.pending).toBe('');
  });

  it('batch extension: ready opts in, batch lines, batch results parsed and checked', () => {
    expect(encodeBatch(5, '[1,2]', false)).toBe('{"type":"batch","id":5,"items":[1,2]}\n');
    expect(encodeBatch(5, '[[1],[2,3]]', true)).toBe('{"type":"batch","id":5,"args":[[1],[2,3]]}\n');
    const message = (line: string): unknown => {
      const parsed = parseWorkerLine(line);
      expect(parsed.kind, line).toBe('message');
      return (parsed as Extract<ParsedWorkerLine, { kind: 'message' }>).message;
    };
    expect(message('{"type":"ready","batch":true}')).toEqual({ type: 'ready', batch: true });
    // A v1.0 worker says only its major version; v1.1 adds the minor one.
    expect(message('{"type":"ready","version":1,"batch":true}')).toEqual({ type: 'ready', version: 1, batch: true });
    expect(message('{"type":"ready","version":1,"minor":1}')).toEqual({ type: 'ready', version: 1, minor: 1 });
    expect(message('{"type":"ready","batch":"yes"}')).toEqual({ type: 'ready' });
    expect(message('{"type":"batch_result","id":5,"ok":true,"values":[1,{"a":2},null]}')).toEqual({
      type: 'batch_result',
      id: 5,
      ok: true,
      values: [1, { a: 2 }, null],
    });
    expect(message('{"ok":true,"values":[1],"id":5,"type":"batch_result"}')).toEqual({ type: 'batch_result', id: 5, ok: true, values: [1] });
    expect(message('{"type":"batch_result","id":5,"ok":false,"index":2,"error":{"type":"ValueError","message":"bad","traceback":"tb"}}')).toEqual({
      type: 'batch_result',
      id: 5,
      ok: false,
      index: 2,
      error: { type: 'ValueError', message: 'bad', traceback: 'tb' },
    });
    for (const [line, reason] of [
      ['{"type":"batch_result","id":5,"ok":true,"values":3}', /"values" must be an array/],
      ['{"type":"batch_result","id":5,"ok":true}', /"values" must be an array/],
      ['{"type":"batch_result","id":5,"ok":false,"error":{"message":"m"}}', /"index" must be an integer/],
      ['{"type":"batch_result","id":5,"ok":false,"index":-1,"error":{"message":"m"}}', /"index" must be an integer/],
      ['{"type":"batch_result","id":"5","ok":true,"values":[]}', /"id" must be an integer/],
    ] as const) {
      const parsed = parseWorkerLine(line);
      expect(parsed.kind, line).toBe('invalid');
      expect((parsed as Extract<ParsedWorkerLine, { kind: 'invalid' }>).reason).toMatch(reason);
    }
  });
});

describe('protocol v1 on the wire, with the helpers', () => {
  async function converse(command: string, args: string[], send: string, expectedLines: number): Promise<{ proc: Process; lines: string[] }> {
    const proc = new Process({ command, args, channel: true });
    started.push(proc);
    await proc.start();
    const lines: string[] = [];
    const splitter = new LineSplitter();
    proc.channel!.setEncoding('utf8');
    proc.channel!.on('data', (chunk: string) => splitter.push(chunk, (line) => void lines.push(line)));
    proc.channel!.write(send);
    await until(() => lines.length >= expectedLines, `${expectedLines} lines from ${command}`);
    return { proc, lines };
  }

  for (const [helper, command, script] of [
    ['Python', 'python3', PY_WORKER],
    ['Node', 'node', NODE_WORKER],
  ] as const) {
    it(`${helper} helper: ready, results by id in the exact wire format, exit 0 on {"type":"exit"}`, async () => {
      const send = encodeTask(1, ['echo', 'x']) + encodeTask(2, ['fail', 'bad']) + encodeTask(40, ['echo']) + '{"type":"later-message"}\n';
      const { proc, lines } = await converse(command, [script], send, 4);
      expect(lines[0]).toBe(`{"type":"ready","version":${WORKER_PROTOCOL_VERSION},"minor":${WORKER_PROTOCOL_MINOR},"batch":true}`);
      expect(parseWorkerLine(lines[0])).toEqual({
        kind: 'message',
        message: { type: 'ready', version: WORKER_PROTOCOL_VERSION, minor: WORKER_PROTOCOL_MINOR, batch: true },
      });
      expect(lines[1]).toBe('{"type":"result","id":1,"ok":true,"value":["x"]}');
      const failed = JSON.parse(lines[2]);
      expect(failed).toMatchObject({ type: 'result', id: 2, ok: false, error: { message: 'bad' } });
      expect(typeof failed.error.type).toBe('string');
      expect(typeof failed.error.traceback).toBe('string');
      expect(lines[3]).toBe('{"type":"result","id":40,"ok":true,"value":[]}');
      proc.channel!.write(EXIT_LINE);
      expect(await proc.join(10_000)).toBe(0);
    });

    it(`${helper} helper: exits when the channel closes`, async () => {
      const { proc } = await converse(command, [script], encodeTask(1, ['echo']), 2);
      proc.channel!.end();
      expect(await proc.join(10_000)).toBe(0);
    });

    it(`${helper} helper: run without a channel, it says so and exits 2`, async () => {
      const proc = new Process({ command, args: [script] });
      started.push(proc);
      let stderr = '';
      proc.on('output', (stream, chunk) => {
        if (stream === 'stderr') stderr += chunk.toString();
      });
      await proc.start();
      expect(await proc.join(10_000)).toBe(2);
      expect(stderr).toMatch(/POOLDECK_CHANNEL_FD is not set/);
    });
  }

  it('any program can be a worker: a plain sh script', async () => {
    const pool = make({ processes: 2, command: SH_WORKER });
    expect(await pool.map(['a', 'b', 'c'])).toEqual(['sh:1', 'sh:2', 'sh:3']);
    pool.close();
    await pool.join();
  });
});

describe('a worker that breaks the protocol fails its task, never the app, and is replaced', () => {
  const rogue = (mode: string) => make({ processes: 1, command: 'node', args: [ROGUE_WORKER, mode] });

  for (const [mode, detail] of [
    ['malformed', /protocol error: not JSON: 'this is not json at all, hello from the worker'/],
    ['not-object', /protocol error: not a JSON object: '\[1,2,3\]'/],
    ['bad-fields', /protocol error: "id" must be an integer: '\{"type":"result","id":"1","ok":true/],
    ['wrong-id', /protocol error: a result for task id 1001, which this worker was not given/],
  ] as const) {
    it(`${mode}: WorkerLostError naming the worker, then a fresh worker serves`, async () => {
      const pool = rogue(mode);
      const [first] = await startedWorkers(pool);
      const error = await pool.apply(['bad']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerLostError);
      expect((error as Error).message).toMatch(detail);
      expect((error as Error).message).toContain(`pid ${first.pid}`);
      const pid = await pool.apply(['ok']);
      expect(pid).not.toBe(first.pid);
      await until(() => first.exitcode !== null, 'the rogue worker to be stopped');
      expect(pool.tasks[0]).toMatchObject({ state: 'failed', error: { type: 'WorkerLostError' } });
    });
  }

  it('unknown message types are ignored', async () => {
    const pool = rogue('unknown-type');
    expect(await pool.map(['a', 'b'])).toEqual(['fine', 'fine']);
  });

  it('tasks handed to a worker behind the one it broke on are not lost', async () => {
    const pool = rogue('wrong-id');
    const results = await Promise.allSettled([pool.apply(['bad']), pool.apply(['ok']), pool.apply(['ok'])]);
    expect(results[0].status).toBe('rejected');
    expect(results.slice(1).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('a worker that keeps breaking: after a few tries, queued tasks fail at once instead of waiting', async () => {
    const pool = rogue('exit-3');
    let workers = 0;
    pool.on('worker', () => (workers += 1));
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => pool.apply(['bad'])));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof WorkerLostError)).toBe(true);
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toMatch(/exited with code 3/);
    expect(workers).toBeLessThan(10);
    // While no worker is up, new tasks fail at once too; the pool tries again (with backoff) and
    // once a worker is up, tasks run again.
    await expect(pool.apply(['ok'])).rejects.toBeInstanceOf(WorkerLostError);
    await until(() => pool.workers.some((w) => w.isAlive()), 'a new worker');
    expect(typeof (await pool.apply(['ok']))).toBe('number');
    expect(typeof (await pool.apply(['ok']))).toBe('number');
  });
});
