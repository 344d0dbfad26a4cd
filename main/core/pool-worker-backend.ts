// Worker mode: N long-lived workers speaking worker protocol v1 on fd 3 or a socket (see docs/worker-protocol.md).
// This is CPython's task handler and result handler: it hands queued tasks to workers (pipelined,
// in batches) and routes their answers back to the tasks. Keeping the workers alive is
// WorkerUpkeep's job (pool-worker-upkeep.ts).

import { DEFAULT_GRACE_MS } from './defaults.js';
import { TaskFailedError, WorkerLostError } from './errors.js';
import { describeExit } from './exit-status.js';
import type { PoolBackend, PoolCore } from './pool-backend.js';
import type { Encoder } from './pool-plan.js';
import type { TaskEntry } from './pool-task.js';
import { SPAWN_SLICE, WorkerUpkeep } from './pool-worker-upkeep.js';
import { Process } from './process.js';
import { PythonTemplate } from './python-template.js';
import { argumentsJson, decodeTaskLine, encodeBatch, encodeTask, quoteExcerpt, type WorkerErrorInfo, type WorkerToMainMessage } from './worker-channel.js';
import { WorkerSlot, type WorkerSlotHooks } from './worker-slot.js';

/** Pipelining: hand a worker enough tasks to cover this much of its work, so it never waits for the next one. */
const PIPELINE_TARGET_MS = 2;
const MAX_PIPELINE_DEPTH = 256;
/** Depth before the first answers tell how long tasks take. */
const INITIAL_PIPELINE_DEPTH = 2;
/** Chunks a worker may hold: the one it runs and the next, so that it never waits between them. */
const CHUNK_PIPELINE_DEPTH = 2;
/**
 * How long a started worker that has neither said ready nor answered is given before chunks go
 * to it as per-item lines: the ready message says whether it takes batches, and a chunk sent as
 * lines loses most of the batch's gain.
 */
const BATCH_READY_GRACE_MS = 500;
/** A worker that broke the protocol is stopped with this grace: it is not trusted to exit cleanly. */
const PROTOCOL_ERROR_GRACE_MS = 1000;

function taskError(error: WorkerErrorInfo): TaskFailedError {
  const { type, message: text, traceback } = error;
  return new TaskFailedError(text === '' ? type : text, { remoteType: type, traceback: traceback ?? null });
}

/** What a lost worker was doing with the task it held: it ran it only if the worker ever said anything. */
function heldTask(label: string, spoke: boolean): string {
  return spoke ? ` while running ${label}` : ` before it said anything (${label} had been sent to it; it never started)`;
}

export class WorkerBackend implements PoolBackend {
  readonly encoder: Encoder;
  #slots = new Set<WorkerSlot>();
  /** Tasks (and chunks) held by all workers together. */
  #inflight = 0;
  /** Moving average of how long a task keeps a worker busy (ms); null until measured. */
  #serviceMs: number | null = null;
  #hooks: WorkerSlotHooks;
  #upkeep: WorkerUpkeep;
  /** Python workers are forked from it on Linux (null: each is spawned). */
  #template: PythonTemplate | null;

  constructor(private readonly core: PoolCore) {
    this.encoder = {
      takesChunks: true,
      task: (id, args, kwargs) => {
        try {
          return encodeTask(id, args, kwargs);
        } catch (error) {
          throw this.#encodeError(error);
        }
      },
      chunk: (id, items, star) => {
        try {
          return encodeBatch(id, argumentsJson(items), star);
        } catch (error) {
          throw this.#encodeError(error);
        }
      },
      decode: decodeTaskLine,
    };
    this.#hooks = {
      started: (slot) => this.#onSlotStarted(slot),
      startFailed: (slot, error) => this.#onSlotStartFailed(slot, error),
      message: (slot, message) => this.#onMessage(slot, message),
      protocolError: (slot, detail) => this.#onProtocolError(slot, detail),
      drained: () => core.changed(),
      gone: (slot, exitcode) => this.#onSlotGone(slot, exitcode),
    };
    this.#upkeep = new WorkerUpkeep(core.name, {
      get active() {
        return core.active;
      },
      missing: () => (core.windingDown ? 0 : core.processes) - this.#slots.size,
      spawn: () => this.#launchSlot(this.#createSlot()),
      changed: () => core.changed(),
      brokenChanged: (error) => core.brokenChanged(error),
    });
    this.#template = PythonTemplate.forPool(core);
    this.#template?.on('ended', () => core.changed());
    // The first workers start on the next microtask, so that listeners attached right after
    // `new Pool(...)` see their 'worker' events; `pool.workers` lists each once it has a pid. The
    // rest follow in slices, one per turn of the event loop (see SPAWN_SLICE).
    const slots: WorkerSlot[] = [];
    for (let i = 0; i < core.processes; i += 1) slots.push(this.#createSlot());
    queueMicrotask(() => this.#launchInSlices(slots, 0));
  }

  /** Starts `slots` from `from`, SPAWN_SLICE of them now and the rest on later turns of the event loop. */
  #launchInSlices(slots: WorkerSlot[], from: number): void {
    const end = Math.min(slots.length, from + SPAWN_SLICE);
    for (let i = from; i < end; i += 1) this.#launchSlot(slots[i]);
    if (end < slots.length) setImmediate(() => this.#launchInSlices(slots, end));
  }

  workers(): Process[] {
    const out: Process[] = [];
    for (const slot of this.#slots) if (slot.state !== 'gone' && slot.proc.isAlive()) out.push(slot.proc);
    return out;
  }

  get idle(): boolean {
    return this.#slots.size === 0 && !this.#upkeep.waiting && (this.#template?.ended ?? true);
  }

  submitted(): void {
    this.#upkeep.taskSubmitted();
  }

  windDown(): void {
    this.#upkeep.stop();
    for (const slot of this.#slots) {
      if (!slot.launched) this.#discardSlot(slot);
      else if ((slot.state === 'up' || slot.state === 'starting') && slot.inflight.size === 0) {
        slot.dismissed = true;
        slot.retire();
      }
    }
    // It exits once the workers it forked are gone: it alone can report their ends.
    this.#template?.finish();
  }

  terminate(): Promise<void> {
    this.#upkeep.stop();
    const stops: Promise<void>[] = [];
    for (const slot of this.#slots) {
      for (const entry of slot.inflight.drain()) this.core.cancel(entry);
      slot.dismissed = true;
      stops.push(slot.stop(DEFAULT_GRACE_MS));
    }
    this.#inflight = 0;
    return Promise.allSettled(stops).then(async () => {
      await this.#template?.stop(DEFAULT_GRACE_MS);
      this.#slots.clear();
    });
  }

  /**
   * Hands queued tasks to workers: round-robin, each up to its pipelining allowance, one write per
   * worker per round. The allowance is the adaptive depth (two for chunks), capped by a fair share
   * of the work so that a few tasks spread over all workers, and by maxTasksPerChild. A chunk goes
   * as one `batch` message to a worker that opted in, as per-item lines to one that did not, and
   * waits for a worker that has not said which yet (see BATCH_READY_GRACE_MS).
   */
  dispatch(): void {
    const queue = this.core.queue;
    if (queue.length === 0) return;
    const up: WorkerSlot[] = [];
    let live = 0;
    for (const slot of this.#slots) {
      if (slot.state === 'up') up.push(slot);
      if (slot.state === 'up' || slot.state === 'starting') live += 1;
    }
    if (up.length === 0) {
      this.#upkeep.maintain();
      const broken = this.#upkeep.brokenError;
      if (broken && !this.#anyWorkerStarting()) this.core.failQueued(broken);
      return;
    }
    const fair = Math.ceil((queue.length + this.#inflight) / live);
    const chunked = queue.frontIsChunk;
    const cap = Math.min(chunked ? CHUNK_PIPELINE_DEPTH : this.#depth(), fair);
    // Refill a worker once it is down to half its allowance, so that refills go out in batches
    // (one write for many tasks) rather than one write per answer.
    const lowWater = cap >> 1;
    const allowance = up.map((slot) => (slot.inflight.size > lowWater ? 0 : cap - slot.inflight.size));
    const limit = this.core.maxTasksPerChild ?? Infinity;
    const batches: string[][] = up.map(() => []);
    const now = performance.now();
    let progress = true;
    while (progress && queue.length > 0) {
      progress = false;
      for (let i = 0; i < up.length && queue.length > 0; i += 1) {
        const slot = up[i];
        // maxTasksPerChild counts items; a chunk is not split, so it may take a worker past the limit.
        if (allowance[i] <= 0 || slot.assigned >= limit) continue;
        if (slot.batch === null && queue.frontIsChunk) continue;
        allowance[i] -= 1;
        progress = true;
        const entry = queue.shift()!;
        entry.sentAt = now;
        slot.inflight.push(entry);
        slot.assigned += entry.count;
        this.#inflight += 1;
        if (slot.inflight.size === 1) this.core.markRunning(entry, slot.proc.pid, slot.proc.name);
        const chunk = entry.batch;
        if (chunk === null) {
          batches[i].push(entry.line);
        } else if (slot.batch) {
          chunk.sentAsBatch = true;
          batches[i].push(entry.line);
        } else {
          chunk.lineValues = new Array(entry.count);
          chunk.lineAnswered = new Uint8Array(entry.count);
          batches[i].push(entry.itemLines(encodeTask));
        }
      }
    }
    for (let i = 0; i < up.length; i += 1) {
      const batch = batches[i];
      if (batch.length > 0) up[i].send(batch.length === 1 ? batch[0] : batch.join(''));
    }
  }

  /** Arguments that cannot be sent: the error names the pool. */
  #encodeError(error: unknown): TypeError {
    return new TypeError(`${this.core.name}: ${(error as Error).message}`, { cause: error });
  }

  // ---- the workers ----------------------------------------------------------------------------

  #createSlot(): WorkerSlot {
    const core = this.core;
    const proc = new Process({
      command: core.command,
      args: [...core.args],
      name: core.nextProcessName(),
      daemon: core.daemon,
      cwd: core.cwd,
      env: this.#template ? this.#template.workerEnv(core.env) : core.env ? { ...core.env } : undefined,
      authkey: core.authkey,
      channelServer: core.channelServer,
      channel: true,
      spawner: this.#template?.spawner,
    });
    const slot = new WorkerSlot(proc, this.#hooks);
    this.#slots.add(slot);
    return slot;
  }

  #launchSlot(slot: WorkerSlot): void {
    if (slot.state !== 'starting') return;
    if (!this.core.active || this.core.windingDown) {
      this.#discardSlot(slot);
      return;
    }
    this.core.announce(slot.proc);
    slot.start();
  }

  /** A worker closed or terminated before it was started: it never starts. */
  #discardSlot(slot: WorkerSlot): void {
    slot.dismissed = true;
    void slot.stop(0);
    this.#slots.delete(slot);
  }

  #anyWorkerStarting(): boolean {
    for (const slot of this.#slots) if (slot.state === 'starting' || slot.state === 'up') return true;
    return false;
  }

  #depth(): number {
    const service = this.#serviceMs;
    if (service === null) return INITIAL_PIPELINE_DEPTH;
    return Math.max(1, Math.min(MAX_PIPELINE_DEPTH, Math.ceil(PIPELINE_TARGET_MS / Math.max(service, 0.001))));
  }

  #onSlotStarted(slot: WorkerSlot): void {
    slot.after(BATCH_READY_GRACE_MS, () => {
      if (slot.batch !== null) return;
      slot.batch = false;
      this.core.changed();
    });
    this.#upkeep.workerStarted();
    if (this.core.windingDown) {
      slot.dismissed = true;
      slot.retire();
      return;
    }
    this.core.changed();
  }

  #onSlotStartFailed(slot: WorkerSlot, error: Error): void {
    this.#slots.delete(slot);
    if (!this.core.active) return;
    this.#upkeep.startFailed(error);
    this.core.changed();
    this.#upkeep.maintain();
  }

  #onSlotGone(slot: WorkerSlot, exitcode: number | null): void {
    this.#slots.delete(slot);
    if (!this.core.active) return;
    if (!slot.dismissed || slot.inflight.size > 0) {
      const pid = slot.proc.pid;
      const running = slot.head;
      const tail = slot.stderrTail.trim();
      const stderr = tail ? `; its stderr ended with ${quoteExcerpt(tail.slice(-200), 200)}` : '';
      const death = `${slot.proc.name} (pid ${pid}) ${describeExit(exitcode)}`;
      const error = new WorkerLostError(`${death}${running ? heldTask(running.label, slot.spoke) : ''}${stderr}`, pid, exitcode);
      if (!slot.dismissed && !slot.proc.endRequested) {
        const how = { answered: slot.answeredAny, spoke: slot.spoke, heldTask: slot.inflight.size > 0 };
        this.#upkeep.workerEnded(how, pid, exitcode, () => `${death}${stderr}`);
      }
      this.#releaseTasks(slot, error);
    }
    this.#upkeep.maintain();
    this.core.changed();
  }

  // ---- answers --------------------------------------------------------------------------------

  #onMessage(slot: WorkerSlot, message: WorkerToMainMessage): void {
    if (!this.core.active) return;
    if (message.type === 'ready') {
      slot.ready = true;
      slot.batch = message.batch === true;
      return;
    }
    // A worker that answers before saying ready never will: it takes no batches.
    if (slot.batch === null) slot.batch = false;
    const id = message.id;
    const head = slot.head;
    if (message.type === 'result') {
      if (head !== undefined && head.id === id && !head.chunked) {
        slot.inflight.take(id);
        this.#answered(slot, head, true, message.ok, message.ok ? message.value : taskError(message.error));
        return;
      }
      const holder = slot.inflight.find(id);
      if (holder === undefined || holder.batch?.sentAsBatch === true) {
        this.#onProtocolError(slot, `a result for task id ${id}, which this worker was not given (or already answered)`);
        return;
      }
      if (holder.chunked) {
        this.#onItemLine(slot, holder, id - holder.id, message);
        return;
      }
      slot.inflight.take(id);
      this.#answered(slot, holder, holder === head, message.ok, message.ok ? message.value : taskError(message.error));
      return;
    }
    // batch_result
    const entry = head !== undefined && head.id === id ? head : slot.inflight.find(id);
    if (entry === undefined || entry.id !== id || entry.batch?.sentAsBatch !== true) {
      this.#onProtocolError(slot, `a batch result for id ${id}, which this worker was not given as a batch (or already answered)`);
      return;
    }
    if (message.ok && message.values.length !== entry.count) {
      this.#onProtocolError(slot, `a batch result for id ${id} with ${message.values.length} values for ${entry.count} items`);
      return;
    }
    if (!message.ok && message.index >= entry.count) {
      this.#onProtocolError(slot, `a batch result for id ${id} naming item ${message.index} of ${entry.count}`);
      return;
    }
    slot.inflight.take(id);
    if (message.ok) {
      this.#answered(slot, entry, entry === head, true, message.values);
    } else {
      entry.batch!.failedItem = message.index;
      this.#answered(slot, entry, entry === head, false, taskError(message.error));
    }
  }

  /** One per-item answer for a chunk sent as lines; the chunk ends once all its items answered. */
  #onItemLine(slot: WorkerSlot, entry: TaskEntry, item: number, message: Extract<WorkerToMainMessage, { type: 'result' }>): void {
    const chunk = entry.batch!;
    const answered = chunk.lineAnswered!;
    if (answered[item] === 1) {
      this.#onProtocolError(slot, `a result for task id ${message.id}, which this worker was not given (or already answered)`);
      return;
    }
    answered[item] = 1;
    chunk.lineCount += 1;
    slot.answeredAny = true;
    if (message.ok) chunk.lineValues![item] = message.value;
    else if (chunk.lineFailure === null || item < chunk.lineFailure.index) chunk.lineFailure = { index: item, error: taskError(message.error) };
    if (chunk.lineCount < entry.count) return;
    const wasHead = slot.head === entry;
    slot.inflight.take(entry.id);
    const failure = chunk.lineFailure;
    if (failure === null) {
      this.#answered(slot, entry, wasHead, true, chunk.lineValues);
    } else {
      chunk.failedItem = failure.index;
      this.#answered(slot, entry, wasHead, false, failure.error);
    }
  }

  /** A task or chunk was answered (and taken from the worker's list): record it, settle it, go on. */
  #answered(slot: WorkerSlot, entry: TaskEntry, wasHead: boolean, ok: boolean, valueOrError: unknown): void {
    const core = this.core;
    this.#inflight -= 1;
    const now = performance.now();
    // Per item, so that the pipelining depth of single tasks stays right after a chunked map.
    const sample = (now - Math.max(slot.lastAnswerAt, entry.sentAt)) / entry.count;
    this.#serviceMs = this.#serviceMs === null ? sample : this.#serviceMs * 0.8 + sample * 0.2;
    slot.lastAnswerAt = now;
    slot.answeredAny = true;
    if (this.#upkeep.troubled) this.#upkeep.workerAnswered();
    // An answer out of order: the worker ran it without us knowing; it is done all the same.
    if (entry.state === 'queued') core.markRunning(entry, slot.proc.pid, slot.proc.name, false);
    core.finish(entry, ok, valueOrError);
    if (wasHead) {
      const next = slot.head;
      if (next) core.markRunning(next, slot.proc.pid, slot.proc.name);
    }
    const limit = core.maxTasksPerChild;
    if (limit !== null && slot.assigned >= limit && slot.inflight.size === 0 && slot.state === 'up') {
      slot.dismissed = true;
      slot.retire();
    }
  }

  /** Fails the task the worker was running, puts the others it held back in front of the queue. */
  #releaseTasks(slot: WorkerSlot, error: Error): void {
    const held = slot.inflight.drain();
    this.#inflight -= held.length;
    if (held.length === 0) return;
    const [running, ...rest] = held;
    for (let i = rest.length - 1; i >= 0; i -= 1) {
      rest[i].resetDispatch();
      this.core.queue.unshift(rest[i]);
    }
    this.core.finish(running, false, error);
  }

  #onProtocolError(slot: WorkerSlot, detail: string): void {
    if (!this.core.active || slot.state === 'stopping' || slot.state === 'gone') return;
    const pid = slot.proc.pid;
    const error = new WorkerLostError(
      `${slot.proc.name} (pid ${pid}) broke the worker protocol (protocol error: ${detail}); it was stopped and will be replaced`,
      pid,
      null,
    );
    // It started and wrote a line: not a failed start, so it does not count toward the breaker.
    slot.dismissed = true;
    this.#releaseTasks(slot, error);
    void slot.stop(PROTOCOL_ERROR_GRACE_MS);
  }
}
