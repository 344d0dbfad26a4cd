// Restart policies (PM2's autorestart, supervisord's autorestart + startretries): whether a process
// that exited by itself is started again, after which wait, and when to give up (the row goes to
// errored, supervisord's FATAL). The decisions are pure functions; RestartTimers owns the timers of
// the restarts waiting for their turn; ProcessRestarts applies both to the supervisor's rows.

import { describeExit } from '../core/exit-status.js';
import type { Process } from '../core/process.js';
import { RESTART_DEFAULTS, type ProcessSpec, type RestartPolicy } from '../protocol/schemas.js';
import type { ProcessEntry } from './process-registry.js';

export interface RestartSettings {
  restart: RestartPolicy;
  /** Restarts in a row after quick runs before giving up. */
  maxRestarts: number;
  /** A run at least this long is healthy: the count of quick failures starts again. */
  stableAfterMs: number;
}

/** The wait before a restart doubles with each quick failure in a row, from `baseMs` up to `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, maxMs: 60_000 };

export function restartSettings(spec: Pick<ProcessSpec, 'restart' | 'maxRestarts' | 'stableAfterMs'>): RestartSettings {
  return {
    restart: spec.restart ?? RESTART_DEFAULTS.restart,
    maxRestarts: spec.maxRestarts ?? RESTART_DEFAULTS.maxRestarts,
    stableAfterMs: spec.stableAfterMs ?? RESTART_DEFAULTS.stableAfterMs,
  };
}

/** The wait before restart number `attempt` (1 for the first) of a run of quick failures. */
export function backoffDelayMs(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
}

export interface ExitFacts {
  exitcode: number;
  /** How long the run lasted. */
  ranMs: number;
  /** The user (or the app's quit) asked it to end: terminate, kill, stop, restart. */
  endRequested: boolean;
  /** Restarts made in a row so far, each after a run shorter than stableAfterMs. */
  quickRestarts: number;
}

export type ExitDecision =
  /** It stays exited: no policy applies, or the end was asked for. */
  | { action: 'stay' }
  /** Start it again after `delayMs`; `attempt` is the new count of quick restarts in a row. */
  | { action: 'restart'; attempt: number; delayMs: number }
  /** maxRestarts quick restarts in a row failed: the row goes to errored until the user restarts it. */
  | { action: 'give-up'; quickRestarts: number };

export function decideAfterExit(settings: RestartSettings, facts: ExitFacts, backoff: Backoff): ExitDecision {
  if (facts.endRequested || settings.restart === 'no') return { action: 'stay' };
  if (settings.restart === 'on-failure' && facts.exitcode === 0) return { action: 'stay' };
  const quickRestarts = facts.ranMs >= settings.stableAfterMs ? 0 : facts.quickRestarts;
  if (quickRestarts >= settings.maxRestarts) return { action: 'give-up', quickRestarts };
  const attempt = quickRestarts + 1;
  return { action: 'restart', attempt, delayMs: backoffDelayMs(attempt, backoff) };
}

/** The stderr lines of a run worth quoting when it gives up: the last few, each cut to a line's worth. */
const STDERR_TAIL_LINES = 5;
const STDERR_TAIL_LINE_LENGTH = 300;

/** The last few stderr lines printed at or after `since` (ms), oldest first. */
export function stderrTail(lines: readonly { stream: string; text: string; time: number }[], since: number): string[] {
  const tail: string[] = [];
  for (let i = lines.length - 1; i >= 0 && tail.length < STDERR_TAIL_LINES; i -= 1) {
    const line = lines[i];
    if (line.time < since) break;
    if (line.stream !== 'stderr') continue;
    const text = line.text.length > STDERR_TAIL_LINE_LENGTH ? `${line.text.slice(0, STDERR_TAIL_LINE_LENGTH)}…` : line.text;
    tail.unshift(text);
  }
  return tail;
}

/** Why the row is errored, as the user reads it on the row's badge and in its log. */
export function erroredMessage(settings: RestartSettings, exitcode: number, stderr: readonly string[]): string {
  const seconds = formatSeconds(settings.stableAfterMs);
  const gaveUp = `gave up after ${settings.maxRestarts} restart${settings.maxRestarts === 1 ? '' : 's'} in a row that each ran less than ${seconds} (stableAfterMs): the last run ${describeExit(exitcode)}`;
  const said = stderr.length === 0 ? '; it wrote nothing to stderr' : `; its stderr ended with:\n${stderr.join('\n')}`;
  return `${gaveUp}${said}. Restart it when the cause is fixed.`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * The timers of restarts waiting for their turn, by row id. Once closed (the app quits) it starts
 * nothing more: every pending restart is cancelled and later ones are refused.
 */
export class RestartTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  /** Runs `restart` after `delayMs`, unless cancelled or closed first. False when closed. */
  schedule(id: string, delayMs: number, restart: () => void): boolean {
    if (this.#closed) return false;
    this.cancel(id);
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      restart();
    }, delayMs);
    this.#timers.set(id, timer);
    return true;
  }

  /** Cancels the pending restart of `id`; true when one was pending. */
  cancel(id: string): boolean {
    const timer = this.#timers.get(id);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.#timers.delete(id);
    return true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Cancels every pending restart and refuses new ones; returns the ids that were pending. */
  close(): string[] {
    this.#closed = true;
    const ids = [...this.#timers.keys()];
    for (const id of ids) this.cancel(id);
    return ids;
  }
}

export interface RestartHost {
  /** Starts the row's spec again under the same id, as the user's Restart does. */
  restart(id: string): Promise<void>;
  /** The row changed (its countdown, its errored state). */
  changed(id: string): void;
}

/**
 * Applies each standalone process's restart policy: judges every exit that nobody asked for,
 * schedules the restart with its countdown on the row, or puts the row in errored. Counts the quick
 * restarts in a row per row id.
 */
export class ProcessRestarts {
  readonly #timers = new RestartTimers();
  readonly #quickRestarts = new Map<string, number>();
  readonly #pending = new Map<string, ProcessEntry>();

  constructor(
    private readonly backoff: Backoff,
    private readonly host: RestartHost,
  ) {}

  /** Call once the row's process was started: its exit is judged by the row's spec. */
  watch(entry: ProcessEntry): void {
    const process = entry.process;
    process.once('exit', (exitcode) => {
      if (entry.process === process && entry.spec !== null) this.#exited(entry, entry.spec, process, exitcode);
    });
  }

  /**
   * The user restarted, stopped or removed the row: a pending restart is cancelled and the count of
   * quick restarts starts again (an errored row's Restart is the way out of errored).
   */
  userActed(entry: ProcessEntry): void {
    const id = entry.row.id;
    this.#quickRestarts.delete(id);
    this.#pending.delete(id);
    if (this.#timers.cancel(id)) {
      entry.row.nextRestartAt = null;
      entry.log.appendSystem('the pending restart was cancelled');
      this.host.changed(id);
    }
  }

  /** The app quits: nothing is restarted any more, pending restarts included. */
  close(): void {
    for (const id of this.#timers.close()) {
      const entry = this.#pending.get(id);
      if (entry === undefined) continue;
      entry.row.nextRestartAt = null;
      this.host.changed(id);
    }
    this.#pending.clear();
  }

  #exited(entry: ProcessEntry, spec: ProcessSpec, process: Process, exitcode: number): void {
    const id = entry.row.id;
    const settings = restartSettings(spec);
    const ended = process.endedAt ?? Date.now();
    const facts: ExitFacts = {
      exitcode,
      ranMs: ended - (process.startedAt ?? ended),
      endRequested: process.endRequested || this.#timers.closed,
      quickRestarts: this.#quickRestarts.get(id) ?? 0,
    };
    const decision = decideAfterExit(settings, facts, this.backoff);
    if (decision.action === 'stay') return;
    if (decision.action === 'give-up') {
      this.#quickRestarts.delete(id);
      const message = erroredMessage(settings, exitcode, stderrTail(entry.log.lines(), process.startedAt ?? ended));
      Object.assign(entry.row, { state: 'errored', error: message });
      // A line each, as the stderr lines were: the log shows one line per row.
      for (const line of message.split('\n')) entry.log.appendSystem(line);
      this.host.changed(id);
      return;
    }
    this.#quickRestarts.set(id, decision.attempt);
    this.#pending.set(id, entry);
    const scheduled = this.#timers.schedule(id, decision.delayMs, () => {
      this.#pending.delete(id);
      entry.row.nextRestartAt = null;
      void this.host.restart(id);
    });
    if (!scheduled) return;
    entry.row.nextRestartAt = Date.now() + decision.delayMs;
    entry.log.appendSystem(`restart ${decision.attempt} of at most ${settings.maxRestarts} in a row (restart: ${settings.restart}) in ${formatSeconds(decision.delayMs)}`);
    this.host.changed(id);
  }
}
