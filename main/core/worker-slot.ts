// One worker-mode worker: its Process, the protocol channel (fd 3 or its socket), and the tasks it holds.
// It reads and validates lines and reports to the Pool through hooks; the Pool decides what to do.

import type { Duplex } from 'node:stream';
import { DEFAULT_GRACE_MS } from './defaults.js';
import type { Process } from './process.js';
import { InflightList, type TaskEntry } from './pool-task.js';
import { EXIT_LINE, LineSplitter, parseWorkerLine, type WorkerToMainMessage } from './worker-channel.js';

export type WorkerSlotState =
  /** start() not settled yet; tasks wait in the pool's queue. */
  | 'starting'
  /** Running and taking tasks. */
  | 'up'
  /** Told to exit (maxTasksPerChild, close, or its channel ended); takes no more tasks. */
  | 'retiring'
  /** Broke the protocol or was asked to stop; being stopped. */
  | 'stopping'
  /** Exited (or never started). */
  | 'gone';

export interface WorkerSlotHooks {
  started(slot: WorkerSlot): void;
  startFailed(slot: WorkerSlot, error: Error): void;
  message(slot: WorkerSlot, message: WorkerToMainMessage): void;
  protocolError(slot: WorkerSlot, detail: string): void;
  /** One chunk of channel data was processed: a good moment to hand out more tasks. */
  drained(slot: WorkerSlot): void;
  /** The process exited and its channel was read to the end (or a short while passed). */
  gone(slot: WorkerSlot, exitcode: number | null): void;
}

/** After the process exits, how long to wait for the rest of its channel (a grandchild may hold it open). */
const CHANNEL_DRAIN_MS = 300;
/** A retiring worker that has not exited after this long is stopped with the ladder. */
const RETIRE_TIMEOUT_MS = 10_000;
/** A worker that closed its end of the channel but stays alive is stopped after this long. */
const CHANNEL_CLOSED_TIMEOUT_MS = 1_000;
/** How much of a worker's stderr is kept to explain its death. */
const STDERR_TAIL = 1024;

export class WorkerSlot {
  readonly proc: Process;
  state: WorkerSlotState = 'starting';
  /** Tasks handed to this worker and not answered yet, oldest first. The first is the running one. */
  readonly inflight = new InflightList();
  /** Items handed to this worker over its life (a chunk counts as its items). */
  assigned = 0;
  /** True once it said {"type":"ready"}. */
  ready = false;
  /**
   * Whether it takes `batch` messages: true once its ready said `"batch": true`; false once it said
   * a plain ready, answered before saying ready, or kept quiet for a while; null until then.
   */
  batch: boolean | null = null;
  /** performance.now() of its last answer (or of its start). */
  lastAnswerAt = 0;
  /** Whether it ever answered a task. */
  answeredAny = false;
  /**
   * Whether it ever wrote a line (a message, known or not). A task sent to a worker that ends
   * before that is not said to have been running.
   */
  spoke = false;
  /** Set by the pool when it retires or stops this worker: its end is expected, not a loss. */
  dismissed = false;
  stderrTail = '';

  #hooks: WorkerSlotHooks;
  #channel: Duplex | null = null;
  #splitter = new LineSplitter();
  #timers: NodeJS.Timeout[] = [];
  #started: Promise<void> | null = null;
  #gone: Promise<void>;
  #resolveGone!: () => void;

  constructor(proc: Process, hooks: WorkerSlotHooks) {
    this.proc = proc;
    this.#hooks = hooks;
    this.#gone = new Promise((resolve) => {
      this.#resolveGone = resolve;
    });
  }

  /** The task the worker is working on: the oldest one it holds. */
  get head(): TaskEntry | undefined {
    return this.inflight.first;
  }

  /** Whether start() was called. */
  get launched(): boolean {
    return this.#started !== null;
  }

  start(): void {
    if (this.state === 'gone') return;
    this.proc.on('output', (stream, chunk) => {
      if (stream !== 'stderr') return;
      const text = this.stderrTail + chunk.toString('utf8');
      this.stderrTail = text.length > STDERR_TAIL ? text.slice(-STDERR_TAIL) : text;
    });
    this.proc.once('exit', (exitcode) => this.#onExit(exitcode));
    this.#started = this.proc.start().then(
      () => {
        // fd 3 is there from the start; a socket once the worker connected (the slot stays 'starting' until then).
        if (this.proc.channel !== null) this.#onStarted(this.proc.channel);
        else void this.proc.channelReady.then((channel) => this.#onStarted(channel));
      },
      (error: Error) => {
        this.#finish(null, false);
        this.#hooks.startFailed(this, error);
      },
    );
  }

  /** Writes `text` (one or more '\n'-terminated lines) to the worker. */
  send(text: string): void {
    this.#channel?.write(text);
  }

  /** Runs `run` after `ms` unless the worker is gone by then. */
  after(ms: number, run: () => void): void {
    this.#later(ms, () => {
      if (this.state !== 'gone') run();
    });
  }

  /** Asks the worker to exit (sends {"type":"exit"} and closes our end); stops it if it does not. */
  retire(): void {
    if (this.state === 'gone' || this.state === 'stopping' || this.state === 'retiring') return;
    const wasStarting = this.state === 'starting';
    this.state = 'retiring';
    if (wasStarting) return; // #onStarted sends the exit once the channel exists
    this.#sendExit();
  }

  /** Stops the worker with the termination ladder; resolves once it is gone. Safe to call repeatedly. */
  async stop(graceMs: number): Promise<void> {
    if (this.state !== 'gone') this.state = 'stopping';
    if (this.#started === null) {
      // Never started (stopped before its start): nothing to end.
      this.#finish(null, false);
      return;
    }
    await this.#started;
    if (this.proc.isAlive()) await this.proc.stop({ graceMs }).catch(() => undefined);
    await this.#gone;
  }

  #sendExit(): void {
    const channel = this.#channel;
    if (channel && !channel.destroyed && channel.writable) channel.end(EXIT_LINE);
    this.#later(RETIRE_TIMEOUT_MS, () => void this.stop(DEFAULT_GRACE_MS));
  }

  #onStarted(channel: Duplex | null): void {
    this.lastAnswerAt = performance.now();
    // No channel: the worker ended before it connected; its exit tells the pool.
    if (this.state === 'gone' || channel === null) return;
    this.#channel = channel;
    channel.setEncoding('utf8');
    channel.on('data', this.#onData);
    // A socket comes paused (what it received during the handshake waits in it).
    channel.resume();
    channel.on('error', () => {
      // EPIPE/ECONNRESET when the worker dies: its exit is handled by the 'exit' event.
    });
    channel.once('end', () => {
      // The worker closed its side: it cannot answer any more. Give it a moment to exit on its own.
      if (this.proc.isAlive() && this.state !== 'gone') {
        if (this.state === 'up') this.state = 'retiring';
        this.#later(CHANNEL_CLOSED_TIMEOUT_MS, () => void this.stop(DEFAULT_GRACE_MS));
      }
    });
    if (this.state === 'retiring') {
      this.#sendExit();
      return;
    }
    if (this.state === 'stopping') return;
    this.state = 'up';
    this.#hooks.started(this);
  }

  #onData = (chunk: string): void => {
    if (!this.#listening()) return;
    try {
      this.#splitter.push(chunk, this.#onLine);
    } catch (error) {
      this.#hooks.protocolError(this, (error as Error).message);
      return;
    }
    if (this.#listening()) this.#hooks.drained(this);
  };

  /** Whether lines from the worker still count (not once it broke the protocol or is being stopped). */
  #listening(): boolean {
    return this.state !== 'stopping' && this.state !== 'gone';
  }

  #onLine = (line: string): boolean => {
    const parsed = parseWorkerLine(line);
    if (parsed.kind !== 'blank') this.spoke = true;
    if (parsed.kind === 'message') {
      this.#hooks.message(this, parsed.message);
    } else if (parsed.kind === 'invalid') {
      this.#hooks.protocolError(this, `${parsed.reason}: ${parsed.excerpt}`);
    }
    // 'ignored' (a message type this version does not know) and 'blank' lines are skipped.
    return this.#listening();
  };

  #onExit(exitcode: number): void {
    const channel = this.#channel;
    if (!channel || channel.readableEnded || channel.destroyed) {
      this.#finish(exitcode, true);
      return;
    }
    // Results written just before the exit may still be in the channel: read them first.
    const done = (): void => this.#finish(exitcode, true);
    channel.once('end', done);
    channel.once('close', done);
    this.#later(CHANNEL_DRAIN_MS, done);
  }

  #finish(exitcode: number | null, report: boolean): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    const channel = this.#channel;
    if (channel) {
      channel.off('data', this.#onData);
      channel.destroy();
    }
    this.#resolveGone();
    if (report) this.#hooks.gone(this, exitcode);
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(run, ms);
    timer.unref();
    this.#timers.push(timer);
  }
}
