// Exec mode: each task runs the command once, GNU parallel style, at most `processes` at a time.

import { DEFAULT_GRACE_MS } from './defaults.js';
import type { TaskOutput } from './errors.js';
import { ExecRun } from './exec-run.js';
import { expandTemplate } from './exec-template.js';
import type { PoolBackend, PoolCore } from './pool-backend.js';
import type { Encoder } from './pool-plan.js';
import type { TaskEntry } from './pool-task.js';
import { Process } from './process.js';
import { argumentsJson } from './worker-channel.js';

/**
 * The task record keeps the last EXEC_RECORD_TAIL characters of each stream (the promise gets the
 * full 64 KiB tails), so that 10,000 kept records cannot hold gigabytes.
 */
const EXEC_RECORD_TAIL = 4096;

function recordedOutput(output: TaskOutput): TaskOutput {
  const cut = (text: string): string => (text.length > EXEC_RECORD_TAIL ? text.slice(-EXEC_RECORD_TAIL) : text);
  return { exitcode: output.exitcode, stdout: cut(output.stdout), stderr: cut(output.stderr) };
}

/**
 * A command line takes no chunks: every item is its own run. A task's "line" is its arguments'
 * JSON, which is all a queued task keeps of them.
 */
const execEncoder: Encoder = {
  takesChunks: false,
  task: (_id, args) => argumentsJson(args),
  chunk: () => '',
  decode: (line) => ({ args: JSON.parse(line) as unknown[] }),
};

export class ExecBackend implements PoolBackend {
  readonly encoder = execEncoder;
  #runs = new Map<Process, { run: ExecRun; entry: TaskEntry }>();

  constructor(private readonly core: PoolCore) {}

  workers(): Process[] {
    const out: Process[] = [];
    for (const proc of this.#runs.keys()) if (proc.isAlive()) out.push(proc);
    return out;
  }

  get idle(): boolean {
    return this.#runs.size === 0;
  }

  dispatch(): void {
    const { queue, processes } = this.core;
    while (queue.length > 0 && this.#runs.size < processes) this.#start(queue.shift()!);
  }

  submitted(): void {}

  windDown(): void {}

  terminate(): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const { run } of this.#runs.values()) stops.push(run.stop(DEFAULT_GRACE_MS));
    // Cancelled after their process was told to stop, so that their outcome is ignored.
    for (const { entry } of this.#runs.values()) this.core.cancel(entry);
    return Promise.allSettled(stops).then(() => this.#runs.clear());
  }

  #start(entry: TaskEntry): void {
    const core = this.core;
    const argv = expandTemplate(core.args, entry.args);
    const proc = new Process({
      command: core.command,
      args: argv,
      name: core.nextProcessName(),
      daemon: core.daemon,
      cwd: core.cwd,
      env: core.env ? { ...core.env } : undefined,
      authkey: core.authkey,
      channelServer: core.channelServer,
    });
    const shown = [core.command, ...argv].join(' ');
    const label = `Task ${entry.id} (${shown.length > 120 ? `${shown.slice(0, 119)}…` : shown})`;
    core.announce(proc);
    const run = new ExecRun(proc, label, () => core.markRunning(entry, proc.pid, proc.name));
    this.#runs.set(proc, { run, entry });
    void run.outcome.then((outcome) => {
      this.#runs.delete(proc);
      if (outcome.ok) core.finish(entry, true, outcome.value, recordedOutput(outcome.value));
      else core.finish(entry, false, outcome.error);
      core.changed();
    });
  }
}
