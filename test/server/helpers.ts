import http from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppEvent, AppEventSource, CommandHandlers, Delta, Snapshot } from '../../main/protocol/index.js';

// Test doubles for the backend (the server itself is never mocked): handlers that record their calls
// and an event source the test drives by hand.

function emptySnapshot(seq = 1): Snapshot {
  return { seq, time: Date.now(), processes: [], pools: [], tasks: [], cpuHistory: {}, app: null, sampleIntervalMs: 1000 };
}

function delta(seq: number, padding = 0): Delta {
  return {
    seq,
    time: Date.now(),
    processes: [],
    removedProcesses: padding > 0 ? ['x'.repeat(padding)] : [],
    pools: [],
    removedPools: [],
    tasks: [],
    sampled: false,
    app: null,
  };
}

export class ManualEventSource implements AppEventSource {
  readonly listeners = new Set<(event: AppEvent) => void>();
  subscriptions = 0;
  seq = 1;

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.subscriptions += 1;
    this.listeners.add(listener);
    listener({ type: 'snapshot', snapshot: emptySnapshot(this.seq) });
    return () => this.listeners.delete(listener);
  }

  emitDelta(padding = 0): void {
    this.seq += 1;
    const event: AppEvent = { type: 'delta', delta: delta(this.seq, padding) };
    for (const listener of [...this.listeners]) listener(event);
  }
}

export interface Call {
  name: string;
  args: unknown;
}

/** Handlers for every command that record the validated arguments and answer something plausible. */
export function recordingHandlers(calls: Call[]): CommandHandlers {
  const record = (name: string, value: unknown) => async (args: unknown) => {
    calls.push({ name, args });
    if (value instanceof Error) throw value;
    return value;
  };
  const handlers = {
    getSnapshot: record('getSnapshot', emptySnapshot()),
    createProcess: record('createProcess', { id: 'p1', row: {} }),
    createPool: record('createPool', { id: 'pool1', row: {} }),
    submitTasks: record('submitTasks', { count: 0 }),
    terminate: record('terminate', {}),
    kill: record('kill', {}),
    stop: record('stop', { exitcode: -15, forced: false }),
    restart: record('restart', { id: 'p2' }),
    remove: record('remove', new Error('boom')),
    closePool: record('closePool', {}),
    terminatePool: record('terminatePool', {}),
    joinPool: record('joinPool', { joined: true }),
    removePool: record('removePool', {}),
    listTasks: record('listTasks', { tasks: [] }),
    readLogs: record('readLogs', { lines: [], lastSeq: 0, droppedBytes: 0, filePath: null }),
    runDemo: record('runDemo', { processIds: [], poolIds: [] }),
    listTargets: record('listTargets', { file: 'tasks.py', language: 'python', targets: [] }),
  };
  return handlers as unknown as CommandHandlers;
}

/** A folder shaped like out/renderer, plus a secret file next to it that must never be served. */
export function makeRendererDir(): { root: string; rendererDir: string; secret: string } {
  const root = mkdtempSync(join(tmpdir(), 'pooldeck-server-'));
  const rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Pooldeck</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(rendererDir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const secret = 'TOP-SECRET-' + Math.random().toString(36).slice(2);
  writeFileSync(join(root, 'secret.txt'), secret);
  return { root, rendererDir, secret };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request with exactly the given path and headers (no normalization of `..`, any Host),
 * which fetch would not allow.
 */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Host: `127.0.0.1:${port}`, ...options.headers };
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}
