// The app's side of the multiprocessing inspector: the `inspect` reports that Python processes send
// on the run's channel (resources/inspector/pooldeck_inspector.py), kept per job. Every process of a
// job's tree reports what it made (a parent its children and pools, a pool worker its tasks); the
// channel says which job a connection belongs to. Reports come from the user's program: fields of
// the wrong type are skipped, and every collection is bounded.

import type { ChannelConnection, ChannelMember, ChannelServer } from '../core/channel-server.js';
import type {
  InspectedPoolFailure,
  InspectedPoolRow,
  InspectedProcessRow,
  InspectedQueueRow,
  InspectedTaskRow,
  InspectedValueRow,
  Inspection,
} from '../protocol/inspection.js';

/** multiprocessing processes kept per job; the oldest ended ones go first. */
const MAX_PROCESSES = 2000;
/** Task rows kept per job (the newest); the counts stay exact. */
const MAX_TASKS = 1000;
/** Task rows an inspection shows per pool. */
const TASKS_SHOWN_PER_POOL = 200;
const MAX_POOLS = 100;
const MAX_QUEUES_OR_VALUES = 200;
const MAX_FAILURES = 20;

type Fields = Record<string, unknown>;

interface PoolRecord {
  row: Omit<InspectedPoolRow, 'running' | 'tasks' | 'workers'>;
  workers: Set<number>;
}

/** What one job's processes reported. */
class JobInspection {
  readonly processes = new Map<number, InspectedProcessRow>();
  /** Tracebacks a child sent of itself, by pid: its parent's row may come before or after. */
  readonly ownTracebacks = new Map<number, string>();
  readonly pools = new Map<string, PoolRecord>();
  /** Task rows by `${worker}:${job}:${index}`, oldest first. */
  readonly tasks = new Map<string, InspectedTaskRow>();
  readonly queues = new Map<string, InspectedQueueRow>();
  readonly values = new Map<string, InspectedValueRow>();

  take(report: Fields): void {
    const reporter = positiveInteger(report.pid);
    if (reporter === null) return;
    for (const fields of objects(report.processes)) this.#takeProcess(fields);
    const own = isObject(report.own) ? report.own : null;
    if (own !== null) {
      const pid = positiveInteger(own.pid);
      if (pid !== null && typeof own.traceback === 'string') {
        this.ownTracebacks.set(pid, own.traceback);
        const row = this.processes.get(pid);
        if (row) row.traceback = own.traceback;
      }
    }
    for (const fields of objects(report.pools)) this.#takePool(reporter, fields);
    for (const fields of objects(report.tasks)) this.#takeTask(fields);
    for (const fields of objects(report.queues)) this.#takeQueue(reporter, fields);
    for (const fields of objects(report.values)) this.#takeValue(reporter, fields);
  }

  inspection(): Inspection {
    const poolOfWorker = new Map<number, PoolRecord>();
    for (const pool of this.pools.values()) for (const pid of pool.workers) poolOfWorker.set(pid, pool);
    const tasksByPool = new Map<PoolRecord, InspectedTaskRow[]>();
    for (const task of this.tasks.values()) {
      const pool = poolOfWorker.get(task.worker);
      if (!pool) continue;
      const list = tasksByPool.get(pool) ?? [];
      list.push({ ...task });
      tasksByPool.set(pool, list);
    }
    return {
      processes: [...this.processes.values()].map((row) => ({ ...row })),
      pools: [...this.pools.values()].map((pool) => {
        const tasks = tasksByPool.get(pool) ?? [];
        const running = tasks.filter((task) => task.state === 'running').length;
        return {
          ...pool.row,
          failures: pool.row.failures.map((failure) => ({ ...failure })),
          workers: [...pool.workers],
          running,
          tasks: tasks.slice(-TASKS_SHOWN_PER_POOL),
        };
      }),
      queues: [...this.queues.values()].map((row) => ({ ...row })),
      values: [...this.values.values()].map((row) => ({ ...row })),
    };
  }

  #takeProcess(fields: Fields): void {
    const pid = positiveInteger(fields.pid);
    const ppid = positiveInteger(fields.ppid);
    if (pid === null || ppid === null || typeof fields.name !== 'string') return;
    const row: InspectedProcessRow = {
      pid,
      name: fields.name,
      className: typeof fields.className === 'string' ? fields.className : 'Process',
      daemon: fields.daemon === true,
      alive: fields.alive === true,
      exitcode: typeof fields.exitcode === 'number' && Number.isInteger(fields.exitcode) ? fields.exitcode : null,
      ppid,
      target: typeof fields.target === 'string' ? fields.target : null,
      traceback: this.ownTracebacks.get(pid) ?? this.processes.get(pid)?.traceback ?? null,
    };
    // Re-inserted so that the map stays in order of the latest news.
    this.processes.delete(pid);
    this.processes.set(pid, row);
    if (this.processes.size > MAX_PROCESSES) {
      for (const [oldPid, old] of this.processes) {
        if (this.processes.size <= MAX_PROCESSES) break;
        if (!old.alive) {
          this.processes.delete(oldPid);
          this.ownTracebacks.delete(oldPid);
        }
      }
    }
  }

  #takePool(reporter: number, fields: Fields): void {
    if (typeof fields.key !== 'string') return;
    const key = `${reporter}:${fields.key}`;
    const existing = this.pools.get(key);
    if (!existing && this.pools.size >= MAX_POOLS) return;
    const workers = existing?.workers ?? new Set<number>();
    for (const pid of Array.isArray(fields.workers) ? fields.workers : []) {
      const worker = positiveInteger(pid);
      if (worker !== null) workers.add(worker);
    }
    const state = fields.state === 'closed' || fields.state === 'terminated' ? fields.state : 'running';
    this.pools.set(key, {
      workers,
      row: {
        key,
        name: fields.key,
        ppid: reporter,
        processes: count(fields.processes),
        state,
        submitted: count(fields.submitted),
        done: count(fields.done),
        failed: count(fields.failed),
        failures: objects(fields.failures).slice(0, MAX_FAILURES).map(failureOf),
      },
    });
  }

  #takeTask(fields: Fields): void {
    const worker = positiveInteger(fields.worker);
    const job = typeof fields.job === 'number' && Number.isInteger(fields.job) ? fields.job : null;
    const index = typeof fields.index === 'number' && Number.isInteger(fields.index) ? fields.index : null;
    if (worker === null || job === null || index === null) return;
    const state = fields.state === 'done' || fields.state === 'failed' ? fields.state : 'running';
    const key = `${worker}:${job}:${index}`;
    const previous = this.tasks.get(key);
    this.tasks.delete(key);
    this.tasks.set(key, {
      job,
      index,
      worker,
      call: typeof fields.call === 'string' ? fields.call : (previous?.call ?? null),
      state,
      traceback: typeof fields.traceback === 'string' ? fields.traceback : null,
    });
    if (this.tasks.size > MAX_TASKS) this.tasks.delete(this.tasks.keys().next().value!);
  }

  #takeQueue(reporter: number, fields: Fields): void {
    if (typeof fields.key !== 'string') return;
    const key = `${reporter}:${fields.key}`;
    if (!this.queues.has(key) && this.queues.size >= MAX_QUEUES_OR_VALUES) return;
    const size = fields.size === null ? null : count(fields.size);
    this.queues.set(key, { key, kind: typeof fields.kind === 'string' ? fields.kind : 'Queue', maxsize: count(fields.maxsize), size });
  }

  #takeValue(reporter: number, fields: Fields): void {
    if (typeof fields.key !== 'string') return;
    const key = `${reporter}:${fields.key}`;
    if (!this.values.has(key) && this.values.size >= MAX_QUEUES_OR_VALUES) return;
    this.values.set(key, {
      key,
      kind: fields.kind === 'Array' ? 'Array' : 'Value',
      typecode: typeof fields.typecode === 'string' ? fields.typecode : '?',
      value: fields.value ?? null,
      length: fields.length === null || fields.length === undefined ? null : count(fields.length),
    });
  }
}

/**
 * Listens on a channel server for inspector reports and keeps them per job. `jobOf` says which job
 * a connection's process belongs to (null: none the app knows, and its reports are dropped).
 */
export class JobInspections {
  readonly #jobs = new Map<string, JobInspection>();
  readonly #stop: () => void;

  constructor(
    server: ChannelServer,
    readonly jobOf: (member: ChannelMember) => string | null,
    readonly onReport: (jobId: string) => void = () => undefined,
  ) {
    const attach = (connection: ChannelConnection): void => this.#attach(connection);
    server.on('connection', attach);
    this.#stop = () => server.off('connection', attach);
  }

  /** What the job's processes reported, or null if none did. */
  of(jobId: string): Inspection | null {
    return this.#jobs.get(jobId)?.inspection() ?? null;
  }

  /** Drops a job's reports (it was removed, or starts again). */
  forget(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  dispose(): void {
    this.#stop();
    this.#jobs.clear();
  }

  #attach(connection: ChannelConnection): void {
    const jobId = connection.member === null ? null : this.jobOf(connection.member);
    if (jobId === null) return;
    connection.on('message', (message) => {
      if (message.type !== 'inspect') return;
      let job = this.#jobs.get(jobId);
      if (!job) {
        job = new JobInspection();
        this.#jobs.set(jobId, job);
      }
      job.take(message);
      this.onReport(jobId);
    });
  }
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Fields[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function failureOf(fields: Fields): InspectedPoolFailure {
  return {
    job: count(fields.job),
    index: count(fields.index),
    error: typeof fields.error === 'string' ? fields.error : '',
    traceback: typeof fields.traceback === 'string' ? fields.traceback : '',
  };
}
