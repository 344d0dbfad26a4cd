// The template a Python pool keeps on Linux (multiprocessing's forkserver): one process that loaded
// the helper and the target once and forks each worker from itself, so that workers share its pages
// and skip the interpreter's start. resources/workers/pooldeck_template.py is its other half and
// documents the control channel. A forked worker is still a Process: `spawner` hands Process a
// stand-in child whose pid, output pipes and exit status come from the template (the worker is the
// template's child, so only the template can reap it). The worker talks the worker protocol over
// its own authenticated socket, as any socket-mode worker.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ProcessStartError } from './errors.js';
import { readProcStat } from './proc-stat.js';
import { Process, type SpawnedChild, type Spawner } from './process.js';
import type { ChannelRegistry } from './channel-server.js';
import { signalNameOf } from './signals.js';
import { LineSplitter } from './worker-channel.js';
import { WORKER_TRANSPORT_ENV } from './worker-socket.js';

/** `0` in a pool's `env` (or the app's environment) starts its Python workers by spawn, one interpreter each. */
export const PYTHON_TEMPLATE_ENV = 'POOLDECK_PYTHON_TEMPLATE';
/** The helper's file, whose `serve` command line a template replaces. */
const HELPER_FILE = 'pooldeck_worker.py';
const TEMPLATE_FILE = 'pooldeck_template.py';
/** The per-worker environment the template must add for a forked worker: its socket's address and transport. */
const WORKER_ENV_PREFIX = 'POOLDECK_WORKER_';
/** How often a worker left behind by a dead template is looked at until it is gone. */
const ORPHAN_POLL_MS = 20;

type TemplateMessage =
  | { type: 'forked'; id: number; pid: number; stdout: number; stderr: number }
  | { type: 'fork_failed'; id: number; message: string }
  | { type: 'exited'; pid: number; code?: number; signal?: number };

const isInt = (value: unknown): value is number => Number.isSafeInteger(value);

/** The template's message in `value`, or null for anything else ('ready', a later version's message, a line the target printed). */
function templateMessage(value: unknown): TemplateMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  if (m.type === 'forked' && isInt(m.id) && isInt(m.pid) && isInt(m.stdout) && isInt(m.stderr)) return m as TemplateMessage;
  if (m.type === 'fork_failed' && isInt(m.id) && typeof m.message === 'string') return m as TemplateMessage;
  if (m.type === 'exited' && isInt(m.pid) && (m.code === undefined || isInt(m.code)) && (m.signal === undefined || isInt(m.signal))) return m as TemplateMessage;
  return null;
}

export interface TemplateOptions {
  name: string;
  /** The worker's command line: the Python helper's `serve` mode (else no template is made). */
  command: string;
  args: readonly string[];
  cwd: string | undefined;
  env: Readonly<Record<string, string>> | undefined;
  authkey: Buffer;
  channelServer: ChannelRegistry | undefined;
}

/**
 * One worker forked by the template, as Process sees a child: 'spawn' once the template said its
 * pid, 'exit' once it reported its status, 'error' if it could not fork. When the template cannot
 * fork it (it died, or never loaded the target), the worker is spawned as before and this forwards
 * that child's events.
 */
class ForkedChild extends EventEmitter implements SpawnedChild {
  pid: number | undefined = undefined;
  stdin: SpawnedChild['stdin'] = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  stdio: SpawnedChild['stdio'] = [];
  /** Its start time, with the pid its identity: a worker left by a dead template is ended only under it. */
  startTime: number | null = null;

  constructor(readonly spawnInstead: () => ChildProcess) {
    super();
  }

  forked(pid: number, stdout: Readable | null, stderr: Readable | null): void {
    this.pid = pid;
    this.startTime = readProcStat(pid)?.startTime ?? null;
    this.stdout = stdout;
    this.stderr = stderr;
    this.stdio = [null, stdout, stderr];
    this.emit('spawn');
  }

  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.emit('exit', code, signal);
  }

  failed(error: Error): void {
    this.emit('error', error);
  }

  spawnedInstead(): void {
    const child = this.spawnInstead();
    child.once('error', (error) => this.emit('error', error));
    child.once('spawn', () => {
      this.pid = child.pid;
      this.stdin = child.stdin;
      this.stdout = child.stdout;
      this.stderr = child.stderr;
      this.stdio = child.stdio;
      this.emit('spawn');
    });
    child.once('exit', (code, signal) => this.emit('exit', code, signal));
  }

  /** Whether the worker still runs under the pid and start time it was forked with. */
  running(): boolean {
    if (this.pid === undefined) return false;
    const stat = readProcStat(this.pid);
    return stat !== null && stat.startTime === this.startTime && stat.state !== 'Z';
  }
}

/** The template's command line for a worker command line that runs the Python helper's `serve` mode; null for any other. */
function templateLaunch(command: string, args: readonly string[]): { command: string; args: string[] } | null {
  const helper = args[0];
  if (helper === undefined || basename(helper) !== HELPER_FILE || args[1] !== 'serve') return null;
  return { command, args: [join(dirname(helper), TEMPLATE_FILE), ...args.slice(1)] };
}

export class PythonTemplate extends EventEmitter<{ ended: [] }> {
  readonly #proc: Process;
  #nextId = 0;
  /** Fork requests not answered yet, by request id. */
  readonly #pending = new Map<number, ForkedChild>();
  /** Forked workers whose exit was not reported yet, by pid. */
  readonly #workers = new Map<number, ForkedChild>();
  #splitter = new LineSplitter();
  /** Requests made before the template had its channel (workers are asked for right after it was). */
  #unsent: string[] = [];
  /** No more fork requests: finish() closed the channel, or the template ended. */
  #closed = false;
  /** The template process exited (or could not start). */
  #gone = false;
  /** ...and every worker it left behind is gone too. */
  #ended = false;

  /** A template for a pool whose workers run the Python helper's `serve` mode, on Linux, unless PYTHON_TEMPLATE_ENV says 0; else null. */
  static forPool(options: TemplateOptions): PythonTemplate | null {
    if (process.platform !== 'linux') return null;
    if ((options.env?.[PYTHON_TEMPLATE_ENV] ?? process.env[PYTHON_TEMPLATE_ENV]) === '0') return null;
    const launch = templateLaunch(options.command, options.args);
    return launch === null ? null : new PythonTemplate(options, launch);
  }

  private constructor(options: TemplateOptions, launch: { command: string; args: string[] }) {
    super();
    this.#proc = new Process({
      command: launch.command,
      args: launch.args,
      name: `${options.name}-template`,
      daemon: true,
      cwd: options.cwd,
      env: { ...options.env, [WORKER_TRANSPORT_ENV]: 'fd3' },
      authkey: options.authkey,
      channelServer: options.channelServer,
      channel: true,
    });
    this.#proc.once('exit', () => this.#onEnded());
    this.#proc.start().then(
      () => this.#listen(),
      () => this.#onEnded(),
    );
  }

  /** Whether the template process is gone (or never started), and any worker it left behind. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The pid of the template process, null before it started. */
  get pid(): number | null {
    return this.#proc.pid;
  }

  /** A worker Process's environment: the pool's, with the socket transport a forked worker needs. */
  workerEnv(env: Readonly<Record<string, string>> | undefined): Record<string, string> {
    return { ...env, [WORKER_TRANSPORT_ENV]: 'socket' };
  }

  /** Process's `spawner` for the pool's workers: a fork from the template, or a spawn when it cannot fork any more. */
  readonly spawner: Spawner = (command, args, options) => {
    const child = new ForkedChild(() => spawn(command, args, options));
    if (this.#closed) {
      child.spawnedInstead();
      return child;
    }
    this.#nextId += 1;
    this.#pending.set(this.#nextId, child);
    this.#send({ type: 'fork', id: this.#nextId, env: workerEnvironment(options) });
    return child;
  };

  /** Asks for no more workers: the template exits once every worker it forked ended. */
  finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#proc.channel?.end(); // else #listen ends it once it is there
  }

  /** Ends the template (and any worker it still has) with the termination ladder. */
  async stop(graceMs: number): Promise<void> {
    this.#closed = true;
    if (this.#proc.started && !this.#gone) await this.#proc.stop({ graceMs }).catch(() => undefined);
  }

  #send(message: object): void {
    const line = `${JSON.stringify(message)}\n`;
    const channel = this.#proc.channel;
    if (channel === null) this.#unsent.push(line);
    else if (channel.writable) channel.write(line);
  }

  #listen(): void {
    const channel = this.#proc.channel;
    if (channel === null) return;
    channel.setEncoding('utf8');
    channel.on('error', () => {
      // EPIPE when the template dies: its exit is handled by the 'exit' event.
    });
    if (this.#unsent.length > 0) channel.write(this.#unsent.join(''));
    this.#unsent = [];
    if (this.#closed) channel.end();
    channel.on('data', (chunk: string) => {
      try {
        this.#splitter.push(chunk, this.#onLine);
      } catch {
        // A line too long for the channel: the template is not ours to trust; it is ended.
        void this.stop(0);
      }
    });
  }

  #onLine = (line: string): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return true; // a blank line, or one the target printed to fd 3 while loading
    }
    const message = templateMessage(value);
    if (message === null) return true;
    if (message.type === 'forked') {
      const child = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      const stdout = this.#openPipe(message.stdout);
      const stderr = this.#openPipe(message.stderr);
      this.#send({ type: 'opened', id: message.id });
      if (child === undefined) return true;
      this.#workers.set(message.pid, child);
      child.forked(message.pid, stdout, stderr);
    } else if (message.type === 'fork_failed') {
      const child = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      child?.failed(new ProcessStartError(`Cannot fork a worker from ${this.#proc.name}: ${message.message}`, null));
    } else if (message.type === 'exited') {
      const child = this.#workers.get(message.pid);
      this.#workers.delete(message.pid);
      const signal = message.signal === undefined ? null : (signalNameOf(message.signal) as NodeJS.Signals | null);
      child?.exited(message.code ?? null, signal);
    }
    return true;
  };

  /**
   * The read end of a worker's output pipe, opened through the template's fd (Linux lets a pipe be
   * opened again by its /proc link). Non-blocking: an open of a pipe whose writers are gone must not wait.
   */
  #openPipe(fd: number): Readable | null {
    try {
      const own = openSync(`/proc/${this.#proc.pid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
      return new Socket({ fd: own, readable: true, writable: false });
    } catch {
      return null; // its output is lost; the worker itself is not
    }
  }

  #onEnded(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#closed = true;
    // Requests it never answered: those workers are spawned as they were before templates.
    for (const child of this.#pending.values()) child.spawnedInstead();
    this.#pending.clear();
    // Workers it can no longer report on: ended, as their pool cannot supervise them without it.
    const orphans = [...this.#workers.values()];
    this.#workers.clear();
    for (const child of orphans) {
      if (child.running()) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    void Promise.all(orphans.map(endOfOrphan)).then(() => {
      this.#ended = true;
      this.emit('ended');
    });
  }
}

/** The environment entries the template adds for one worker (the rest it has from its own start). */
function workerEnvironment(options: SpawnOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (key.startsWith(WORKER_ENV_PREFIX) && value !== undefined) out[key] = value;
  }
  return out;
}

/** Resolves once a worker of a dead template is gone, having reported it killed: its real status died with the template. */
async function endOfOrphan(child: ForkedChild): Promise<void> {
  while (child.running()) await new Promise((resolve) => setTimeout(resolve, ORPHAN_POLL_MS));
  child.exited(null, 'SIGKILL');
}
