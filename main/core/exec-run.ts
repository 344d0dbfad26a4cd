// One exec-mode task: run a Process once, keep the tail of its output, and turn its end into a
// value ({ exitcode, stdout, stderr }) or a TaskFailedError.

import { TaskFailedError, type TaskOutput } from './errors.js';
import { describeExit } from './exit-status.js';
import type { Process } from './process.js';

/** How much of each stream an exec-mode task keeps. */
const EXEC_OUTPUT_TAIL_BYTES = 64 * 1024;

/** The last `limit` bytes of a stream, decoded as UTF-8 without a cut character at the start. */
class OutputTail {
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(readonly limit = EXEC_OUTPUT_TAIL_BYTES) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#chunks.length > 1 && this.#size - this.#chunks[0].length >= this.limit) {
      this.#size -= this.#chunks.shift()!.length;
    }
    // Many tiny chunks: fold them so the list stays short.
    if (this.#chunks.length > 64) this.#fold();
  }

  toString(): string {
    this.#fold();
    const buffer = this.#chunks[0];
    if (!buffer) return '';
    let start = 0;
    // Skip UTF-8 continuation bytes left over from a character cut by the limit.
    if (this.#size >= this.limit) while (start < 4 && start < buffer.length && (buffer[start] & 0xc0) === 0x80) start += 1;
    return buffer.toString('utf8', start);
  }

  #fold(): void {
    if (this.#chunks.length <= 1 && this.#size <= this.limit) return;
    let buffer = Buffer.concat(this.#chunks);
    if (buffer.length > this.limit) buffer = buffer.subarray(buffer.length - this.limit);
    this.#chunks = [buffer];
    this.#size = buffer.length;
  }
}

export type ExecOutcome = { ok: true; value: TaskOutput } | { ok: false; error: Error };

const noop = (): void => {};

/**
 * One run of an exec-mode task. Starts `proc` (a fresh, unstarted Process) at once; `outcome`
 * resolves once the process ended and its output was read. It never rejects: a failed start is an
 * outcome too.
 */
export class ExecRun {
  readonly proc: Process;
  /** Settles once the process got a pid or failed to start. */
  readonly startSettled: Promise<void>;
  readonly outcome: Promise<ExecOutcome>;
  #stdout = new OutputTail();
  #stderr = new OutputTail();

  constructor(proc: Process, label: string, onStarted: () => void) {
    this.proc = proc;
    proc.on('output', (stream, chunk) => (stream === 'stdout' ? this.#stdout : this.#stderr).push(chunk));
    const started = proc.start();
    this.startSettled = started.then(noop, noop);
    this.outcome = started.then(
      () => {
        onStarted();
        return this.#finish(label);
      },
      (error: Error): ExecOutcome => ({ ok: false, error }),
    );
  }

  /** Stops the process with the termination ladder; resolves once it ended and its outcome is known. */
  async stop(graceMs: number): Promise<void> {
    await this.startSettled;
    if (this.proc.isAlive()) await this.proc.stop({ graceMs }).catch(noop);
    await this.outcome;
  }

  async #finish(label: string): Promise<ExecOutcome> {
    // Process reports the exit after the output the process wrote, so the tails are complete here.
    const exitcode = (await this.proc.join()) ?? -1;
    const output: TaskOutput = { exitcode, stdout: this.#stdout.toString(), stderr: this.#stderr.toString() };
    if (exitcode === 0) return { ok: true, value: output };
    const code = exitcode < 0 ? `, exitcode ${exitcode}` : '';
    return { ok: false, error: new TaskFailedError(`${label} ${describeExit(exitcode)}${code}`, output) };
  }
}
