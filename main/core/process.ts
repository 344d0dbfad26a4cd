import { spawn, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import type { Duplex, Readable, Writable } from 'node:stream';
import { DEFAULT_GRACE_MS } from './defaults.js';
import { ProcessStartError } from './errors.js';
import { describeOpenFilesError } from './open-files.js';
import { exitcodeFrom } from './signals.js';
import { processTreeFor } from './process-tree/index.js';
import type { TrackedTree } from './process-tree/types.js';
import { trySignal } from './process-tree/unix-tree.js';
import { CHANNEL_FD_ENV } from './worker-channel.js';
import { chooseWorkerTransport, WORKER_ADDRESS_ENV, WORKER_TRANSPORT_ENV, WorkerSocketListener, type WorkerTransport } from './worker-socket.js';
import { ADDRESS_ENV, AUTHKEY_ENV, checkedAuthkey, runAuthkey } from './authkey.js';
import type { ChannelRegistry } from './channel-server.js';
import { jsonProblem, TargetCall, targetLaunch, type TargetError } from './process-target.js';

interface CommonProcessOptions {
  /** Default: `Process-N`, counting up per run of the app. */
  name?: string;
  /** Daemon jobs end when their owner (pool, app) ends. Default false. */
  daemon?: boolean;
  cwd?: string;
  /** Added to (and overriding) the app's own environment. */
  env?: Record<string, string>;
  /**
   * Open the worker-protocol channel (used by Pool's worker mode): on file descriptor 3, or over a
   * local socket on Windows or when `env` (or the app's environment) says POOLDECK_WORKER_TRANSPORT=socket.
   * @internal
   */
  channel?: boolean;
  /**
   * Its own authkey: exactly 32 bytes (`crypto.randomBytes(32)`). Default: the run's key (`runAuthkey()`),
   * as multiprocessing's processes inherit their parent's.
   */
  authkey?: Buffer;
  /**
   * The channel (a ChannelServer) the process and its descendants can connect to: it gets
   * POOLDECK_ADDRESS, and the server accepts its authkey while it lives. Without one, the process gets
   * POOLDECK_AUTHKEY only.
   */
  channelServer?: ChannelRegistry;
  /**
   * Keep a pipe to the process's standard input open while it runs, for `writeStdin` (a program that
   * asks at a prompt). Default false: stdin reads nothing (/dev/null), so a program reading it to its
   * end does not wait.
   */
  stdin?: boolean;
  /**
   * Starts the program in place of `child_process.spawn` (a Python pool's template forks its workers).
   * @internal
   */
  spawner?: Spawner;
}

/** What the Process reads of the child it started: a ChildProcess, or a stand-in with the same fields and events. */
export interface SpawnedChild {
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly stdio: readonly (Readable | Writable | null | undefined)[];
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

export type Spawner = (command: string, args: readonly string[], options: SpawnOptions) => SpawnedChild;

export interface CommandProcessOptions extends CommonProcessOptions {
  /** The program to run: a name looked up in PATH, or a path. No shell is involved. */
  command: string;
  args?: string[];
  target?: undefined;
}

/**
 * A function to run, as multiprocessing's `Process(target=f)`: `FILE.py:ATTR` (resolved against `cwd`),
 * `MODULE:ATTR` (a Python module, `cwd` first on sys.path), or `FILE.mjs|.cjs|.js:ATTR` (a Node export).
 * ATTR a function is called with `(*args, **kwargs)`; a class is instantiated with them and its `run()`
 * is called. Arguments and the return value are JSON values.
 */
export interface TargetProcessOptions extends CommonProcessOptions {
  target: string;
  command?: undefined;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** The Python interpreter for Python targets. Default `python3` on PATH (`python` on Windows). */
  python?: string;
  /** The Node interpreter for Node targets. Default `node` on PATH. */
  node?: string;
  /** The folder of the helpers (pooldeck_worker.py, pooldeck-worker.cjs). Default: resources/workers of this checkout or build. */
  workersDir?: string;
}

export type ProcessOptions = CommandProcessOptions | TargetProcessOptions;

export type OutputStream = 'stdout' | 'stderr';

export interface ProcessEvents {
  started: [pid: number];
  output: [stream: OutputStream, chunk: Buffer];
  exit: [exitcode: number];
  /** The process could not start (it never got a pid); `start()` rejects with the same error. */
  startFailed: [error: ProcessStartError];
}

export interface StopResult {
  exitcode: number;
  /** True when SIGTERM was not enough and SIGKILL ended the process. */
  forced: boolean;
}

let processCounter = 0;

/** The next default name, as multiprocessing does: Process-1, Process-2, … */
function nextProcessName(): string {
  processCounter += 1;
  return `Process-${processCounter}`;
}

/**
 * The processes of this run that are alive, for `Process.activeChildren()`. A process leaves it when it
 * exits, so an ended Process is never kept reachable from here.
 */
const liveProcesses = new Set<Process>();

/** Longest delay setTimeout honours (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One program run as a child process, with multiprocessing.Process's semantics.
 * terminate/kill reach its whole tree through the platform's seam (process-tree/): on Unix the child
 * leads its own process group; on Windows taskkill walks its tree.
 *
 * After `close()`, the methods that act on the process or ask about it live — `start`, `join`,
 * `terminate`, `kill`, `stop`, `isAlive` and setting `daemon` — throw an error saying the process is
 * closed (`stop` rejects with it), where Python's methods raise `ValueError: process object is closed`. Unlike
 * Python, the record of the run stays readable (`name`, `pid`, `exitcode`, `startedAt`, `endedAt`,
 * `command`, `daemon`…), so a view can still show a closed process's last state; `channel` is null.
 */
export class Process extends EventEmitter<ProcessEvents> {
  readonly command: string;
  readonly args: readonly string[];
  /** The function this process runs (`tasks.py:square`), or null for a program. */
  readonly target: string | null;
  /** The target's arguments (as given; `args` holds the helper's command line). */
  readonly targetArgs: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>> | undefined;
  /** What the target returned (null for Python's None), set before join() resolves; undefined until then or when it did not return. */
  returnValue: unknown = undefined;
  /** What the target raised, or why it could not be loaded; null otherwise. Set before join() resolves. */
  error: TargetError | null = null;
  readonly name: string;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  pid: number | null = null;
  exitcode: number | null = null;
  /** When the OS gave the process its pid (ms since epoch). */
  startedAt: number | null = null;
  /** When the process exited (ms since epoch). */
  endedAt: number | null = null;
  /**
   * The worker-protocol channel, when opened with `channel: true` or for a target: the pipe on fd 3
   * from the start, or in socket mode the worker's connection once it connected (see `channelReady`).
   */
  channel: Duplex | null = null;
  /** How the worker-protocol channel reaches the process; null without one. */
  readonly channelTransport: WorkerTransport | null;
  /** 32 bytes proving, over the channel, that a connection comes from this process's tree: POOLDECK_AUTHKEY. */
  readonly authkey: Buffer;
  readonly channelServer: ChannelRegistry | null;

  #daemon: boolean;
  #withChannel: boolean;
  /** Settles with `channel` once there is one, or null when the process ended (or was closed) without. */
  #channelReady: Promise<Duplex | null> = Promise.resolve(null);
  /** Socket mode: the listener the worker connects to, until it did or the process ended. */
  #workerListener: WorkerSocketListener | null = null;
  #keepStdin: boolean;
  /** The open pipe to the child's stdin; null once the process ended or the child closed its end. */
  #stdin: Writable | null = null;
  #child: SpawnedChild | null = null;
  #spawner: Spawner;
  /** Its tree, from the spawn until close(): identity, descendants, how to signal them. */
  #tree: TrackedTree | null = null;
  #exited: Promise<number> | null = null;
  /** Settles once start() knows whether the process got a pid. */
  #spawned: Promise<void> = Promise.resolve();
  #started = false;
  #startFailed = false;
  #closed = false;
  #endRequested = false;
  #call: TargetCall | null = null;
  /** Withdraws this process's key from the channel server; set while it is admitted. */
  #leaveChannel: (() => void) | null = null;

  constructor(options: ProcessOptions) {
    super();
    const hasCommand = options?.command !== undefined;
    const hasTarget = options?.target !== undefined;
    if (hasCommand === hasTarget) {
      throw new TypeError(
        'Process: give exactly one of `command` (a program to run) and `target` (a function, FILE:ATTR or MODULE:ATTR)' +
          (hasCommand ? ', not both' : ''),
      );
    }
    if (options.target !== undefined) {
      if (typeof options.target !== 'string') throw new TypeError('Process: `target` must be a string, FILE:ATTR or MODULE:ATTR');
      const launch = targetLaunch(options.target, options);
      const problem = jsonProblem(options.args ?? [], 'args') ?? jsonProblem(options.kwargs ?? {}, 'kwargs');
      if (problem) throw new TypeError(`Process: ${problem}`);
      this.command = launch.command;
      this.args = launch.args;
      this.target = options.target;
      this.targetArgs = [...(options.args ?? [])];
      this.kwargs = options.kwargs;
    } else {
      if (typeof options.command !== 'string' || options.command.length === 0) {
        throw new TypeError('Process: `command` must be a non-empty string (the program to run)');
      }
      this.command = options.command;
      this.args = [...(options.args ?? [])];
      this.target = null;
      this.targetArgs = [];
      this.kwargs = undefined;
    }
    this.name = options.name ?? nextProcessName();
    this.cwd = options.cwd;
    this.env = options.env;
    this.#daemon = options.daemon ?? false;
    this.authkey = options.authkey === undefined ? runAuthkey() : checkedAuthkey(options.authkey, `Process ${this.name}`);
    this.channelServer = options.channelServer ?? null;
    this.#withChannel = this.target !== null || (options.channel ?? false);
    // Targets are called over fd 3 only (the helpers' `run` mode); pool workers may use a socket.
    this.channelTransport = !this.#withChannel ? null : this.target !== null ? 'fd3' : chooseWorkerTransport(this.env);
    this.#keepStdin = options.stdin ?? false;
    this.#spawner = options.spawner ?? spawn;
  }

  get daemon(): boolean {
    return this.#daemon;
  }

  set daemon(value: boolean) {
    this.#assertOpen('set daemon on');
    if (this.#started) throw new Error(`${this.name}: daemon can only be set before start()`);
    this.#daemon = value;
  }

  get started(): boolean {
    return this.#started;
  }

  /**
   * Whether terminate(), kill() or stop() was called on it: an end somebody asked for, which a pool
   * does not hold against the program (a worker killed before it spoke is no failed start).
   */
  get endRequested(): boolean {
    return this.#endRequested;
  }

  /**
   * The processes started in this run that are still alive (Python's `active_children()`), pool workers
   * included. Those that ended were already forgotten when they exited.
   */
  static activeChildren(): Process[] {
    return [...liveProcesses];
  }

  isAlive(): boolean {
    this.#assertOpen('ask isAlive() of');
    return this.pid !== null && this.exitcode === null;
  }

  /** Resolves once the OS gave the process a pid; rejects with a ProcessStartError if it could not start. */
  start(): Promise<void> {
    this.#assertOpen('start()');
    const spawned = this.#start();
    this.#spawned = spawned.then(ignore, ignore);
    return spawned;
  }

  #start(): Promise<void> {
    if (this.#started) throw new Error(`${this.name}: a process can only be started once`);
    this.#started = true;
    const cwdProblem = this.cwd === undefined ? null : describeCwdProblem(this.cwd);
    if (cwdProblem) return this.#failStart(new ProcessStartError(`Cannot start ${this.command}: ${cwdProblem}`, 'ENOENT'));

    const extraStdio = this.channelTransport === 'fd3' ? (['pipe'] as const) : [];
    let child: SpawnedChild;
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.env, [AUTHKEY_ENV]: this.authkey.toString('hex'), ...this.#channelEnv() };
    // An address inherited from an app above this one would not take this process's key.
    if (this.channelServer) env[ADDRESS_ENV] = this.channelServer.address;
    else delete env[ADDRESS_ENV];
    // Admitted before the spawn: the child may connect before we hear that it started.
    this.#leaveChannel = this.channelServer?.admit(this) ?? null;
    try {
      child = this.#spawner(this.command, this.args, {
        cwd: this.cwd,
        env,
        stdio: [this.#keepStdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...extraStdio],
        detached: true,
        windowsHide: true,
      });
    } catch (error) {
      return this.#failStart(this.#startError(error as NodeJS.ErrnoException));
    }
    this.#child = child;
    const listener = this.#workerListener;

    return new Promise<void>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (this.pid === null) this.#failStart(this.#startError(error)).catch(reject);
      });
      child.once('spawn', () => {
        this.pid = child.pid ?? null;
        this.startedAt = Date.now();
        if (this.pid !== null) {
          this.#tree = platformTree.track(this.pid);
          liveProcesses.add(this);
        }
        if (this.channelTransport === 'fd3') {
          this.channel = child.stdio[3] as Duplex;
          this.#channelReady = Promise.resolve(this.channel);
        } else if (listener !== null) {
          this.#channelReady = listener.connection.then((socket) => {
            if (socket !== null && this.#closed) socket.destroy();
            else if (socket !== null) this.channel = socket;
            return this.channel;
          });
        }
        if (this.target !== null && this.channel !== null) {
          this.#call = new TargetCall(this.channel, { name: this.name, args: this.targetArgs, kwargs: this.kwargs });
        }
        this.#openStdin(child.stdin);
        this.#pipeOutput('stdout', child.stdout);
        this.#pipeOutput('stderr', child.stderr);
        this.#exited = new Promise<number>((resolveExit) => {
          child.once('exit', (code, signal) => {
            const endedAt = Date.now();
            this.#closeStdin();
            this.#withdrawKey();
            // A worker that never connected will not now.
            this.#workerListener?.close();
            this.#tree?.reaped();
            // Node reports the exit before the last output chunks: deliver those first, so that
            // 'exit' (and join) come after everything the process wrote.
            void Promise.all([outputDrained(child), this.#call?.exited()]).then(([, outcome]) => {
              if (outcome) {
                this.returnValue = outcome.returnValue;
                this.error = outcome.error;
              }
              this.exitcode = exitcodeFrom(code, signal);
              this.endedAt = endedAt;
              liveProcesses.delete(this);
              resolveExit(this.exitcode);
              this.emit('exit', this.exitcode);
            });
          });
        });
        this.emit('started', this.pid!);
        resolve();
      });
    });
  }

  /**
   * Resolves to the exitcode once the process ended, or to null if `timeoutMs` passed first. As in Python,
   * a timeout of 0 or less does not wait: it resolves at once, to null while the process runs. Omitted (or
   * longer than a timer can wait, about 24.8 days) it waits for the end.
   */
  join(timeoutMs?: number): Promise<number | null> {
    this.#assertOpen('join()');
    if (!this.#started) throw new Error(`${this.name}: can only join a started process`);
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs))) {
      throw new TypeError(`${this.name}: join(timeoutMs): timeoutMs must be a number of milliseconds or omitted (wait for the end), not ${String(timeoutMs)}`);
    }
    if (this.exitcode !== null) return Promise.resolve(this.exitcode);
    // A process that never got a pid has nothing to wait for, and no exitcode.
    if (this.#startFailed) return Promise.resolve(null);
    if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(null);
    const exited = this.#exited ?? this.#waitForSpawnThenExit();
    if (timeoutMs === undefined || timeoutMs > MAX_TIMER_MS) return exited;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      void exited.then((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** SIGTERM to the whole process tree. */
  terminate(): void {
    this.#assertOpen('terminate()');
    this.#signalTree('SIGTERM');
    // A stopped process (SIGSTOP, Ctrl+Z) holds SIGTERM pending until it runs again: resume it so the
    // request is acted on now rather than ending in SIGKILL after the grace (systemd does the same).
    if (platformTree.platform !== 'win32') this.#tree?.signal('SIGCONT');
  }

  /** SIGKILL to the whole process tree. */
  kill(): void {
    this.#assertOpen('kill()');
    this.#signalTree('SIGKILL');
  }

  /**
   * Sends `signal` as a user would from htop or a terminal, not as a request to end (a pause, a
   * resume, a reload, a status line): with `wholeTree`, to the process group and the descendants that
   * left it (as Ctrl+Z or fg reach a whole job); else to the process alone. Returns false, sending
   * nothing, when the process is not running. To end it, use terminate() or kill().
   */
  sendSignal(signal: NodeJS.Signals, { wholeTree }: { wholeTree: boolean }): boolean {
    this.#assertOpen('sendSignal()');
    const tree = this.#tree;
    if (tree === null || this.pid === null || !tree.holdsItsPid()) return false;
    // Windows has no process groups and no signals but an end: its tree walk (taskkill) would end the job.
    if (wholeTree && platformTree.platform !== 'win32') this.#signalTree(signal, false);
    else trySignal(this.pid, signal);
    return true;
  }

  /**
   * The termination ladder: SIGTERM, then SIGKILL after `graceMs` (default DEFAULT_GRACE_MS) if anything in
   * the tree is still alive. Called right after `start()`, it first waits for the pid.
   */
  async stop({ graceMs = DEFAULT_GRACE_MS }: { graceMs?: number } = {}): Promise<StopResult> {
    this.#assertOpen('stop()');
    if (!this.#started) throw new Error(`${this.name}: can only stop a started process`);
    await this.#spawned;
    if (this.pid === null) {
      // It never got a pid (a failed start): nothing to signal.
      return { exitcode: this.exitcode ?? -1, forced: false };
    }
    this.terminate();
    const exitcode = await this.join(graceMs);
    const treeGone = await this.#waitForTreeGone(exitcode === null ? 0 : graceMs);
    if (exitcode !== null && treeGone) return { exitcode, forced: false };
    this.kill();
    const finalCode = (await this.join()) ?? -9;
    await this.#waitForTreeGone(graceMs);
    return { exitcode: finalCode, forced: true };
  }

  /**
   * For `await using`: stops the process with the ladder (`stop()`) if it was started, which also ends
   * what its tree left behind after it exited, and signals nothing when nothing is left. Does nothing for
   * a process never started, one that could not start, or a closed one.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed || !this.#started || this.#startFailed) return;
    await this.stop();
  }

  /**
   * Releases what the object holds: its output pipes (a grandchild may still hold them open), the channel,
   * its listeners and the pids it tracked. Throws while the process runs (join or end it first); closing
   * a process never started, or closing twice, is fine. Leftovers of its tree are out of reach afterwards.
   */
  close(): void {
    if (this.#closed) return;
    if (this.#started && !this.#startFailed && this.exitcode === null) {
      throw new Error(
        `Cannot close ${this.name} while it is still running: first wait for it to end with join(), or end it with terminate(), kill() or stop()`,
      );
    }
    this.#closed = true;
    this.#withdrawKey();
    liveProcesses.delete(this);
    for (const stream of this.#child?.stdio ?? []) stream?.destroy();
    this.channel?.destroy();
    this.#child = null;
    this.#call = null;
    this.channel = null;
    this.#exited = null;
    this.#tree?.release();
    this.#tree = null;
    this.removeAllListeners();
  }

  #assertOpen(action: string): void {
    if (this.#closed) {
      throw new Error(`${this.name} is closed: cannot ${action} it (close() released it; create a new Process to run the program again)`);
    }
  }

  #waitForSpawnThenExit(): Promise<number | null> {
    // join() right after start() but before the 'spawn' event: wait for the process to get a pid first.
    return new Promise((resolve) => {
      this.once('exit', resolve);
      this.once('startFailed', () => resolve(null));
    });
  }

  /**
   * The channel's environment: POOLDECK_WORKER_TRANSPORT and, for fd3, POOLDECK_CHANNEL_FD or, for a
   * socket, POOLDECK_WORKER_ADDRESS (its listener is made here). Nothing for a process without one.
   */
  #channelEnv(): Record<string, string> {
    if (this.channelTransport === null) return {};
    if (this.channelTransport === 'fd3') return { [WORKER_TRANSPORT_ENV]: 'fd3', [CHANNEL_FD_ENV]: '3' };
    this.#workerListener = new WorkerSocketListener(this.authkey);
    return { [WORKER_TRANSPORT_ENV]: 'socket', [WORKER_ADDRESS_ENV]: this.#workerListener.address };
  }

  /**
   * Resolves with the worker-protocol channel once there is one: at the start for fd 3, once the
   * worker connected and proved its key in socket mode; null if the process ends (or is closed) first.
   */
  get channelReady(): Promise<Duplex | null> {
    return this.#channelReady;
  }

  #withdrawKey(): void {
    this.#leaveChannel?.();
    this.#leaveChannel = null;
  }

  #failStart(error: ProcessStartError): Promise<never> {
    this.#withdrawKey();
    this.#workerListener?.close();
    this.#startFailed = true;
    this.emit('startFailed', error);
    return Promise.reject(error);
  }

  /** True while the process runs with its stdin pipe open (`stdin: true`, and the program has not closed it). */
  get stdinOpen(): boolean {
    return this.#stdin !== null;
  }

  /** Writes `text` to the process's standard input; resolves once the pipe took it. */
  writeStdin(text: string): Promise<void> {
    const stdin = this.#stdin;
    if (stdin === null) {
      const why = !this.#keepStdin ? 'it was started without stdin: true' : this.exitcode !== null || this.pid === null ? 'it is not running' : 'the program closed it';
      return Promise.reject(new Error(`${this.name}: cannot write to standard input: ${why}`));
    }
    return new Promise((resolve, reject) => stdin.write(text, (error) => (error ? reject(error) : resolve())));
  }

  #openStdin(stdin: Writable | null): void {
    if (stdin === null) return;
    this.#stdin = stdin;
    // EPIPE once the program closed its end: from then on there is no stdin to write to.
    stdin.on('error', () => this.#closeStdin());
    stdin.on('close', () => {
      if (this.#stdin === stdin) this.#stdin = null;
    });
  }

  #closeStdin(): void {
    this.#stdin?.destroy();
    this.#stdin = null;
  }

  #pipeOutput(stream: OutputStream, readable: Readable | null): void {
    // Always consume output: a child whose pipe nobody reads would block once the pipe is full.
    readable?.on('data', (chunk: Buffer) => this.emit('output', stream, chunk));
  }

  #startError(error: NodeJS.ErrnoException): ProcessStartError {
    const code = error.code ?? null;
    const reason =
      code === 'ENOENT'
        ? 'no such program (not found in PATH or at that path)'
        : code === 'EACCES'
          ? 'permission denied (the file is not executable, or a folder on its path is not searchable)'
          : (describeOpenFilesError(code) ?? error.message);
    return new ProcessStartError(`Cannot start ${this.command}: ${reason} [${code ?? 'error'}]`, code);
  }

  async #waitForTreeGone(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#tree?.alive() === true) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  #signalTree(signal: NodeJS.Signals, requestsEnd = true): void {
    if (requestsEnd) this.#endRequested = true;
    this.#tree?.signal(signal);
  }
}

const platformTree = processTreeFor();

/** After the exit, how long to wait for stdout/stderr to end (a grandchild may hold them open). */
const OUTPUT_DRAIN_MS = 50;

/** Resolves once the child's stdout and stderr ended, or after OUTPUT_DRAIN_MS. */
function outputDrained(child: SpawnedChild): Promise<void> {
  const open = [child.stdout, child.stderr].filter(
    (stream): stream is Readable => stream !== null && !stream.readableEnded && !stream.destroyed,
  );
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = open.length;
    const timer = setTimeout(resolve, OUTPUT_DRAIN_MS);
    const done = (): void => {
      left -= 1;
      if (left === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (const stream of open) {
      let counted = false;
      const once = (): void => {
        if (counted) return;
        counted = true;
        done();
      };
      stream.once('end', once);
      stream.once('close', once);
    }
  });
}

function ignore(): void {}

function describeCwdProblem(cwd: string): string | null {
  try {
    if (!statSync(cwd).isDirectory()) return `the working directory ${cwd} is not a folder`;
    return null;
  } catch {
    return `the working directory ${cwd} does not exist`;
  }
}
