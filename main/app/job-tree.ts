// A job's process tree for its expanded row: every live descendant of the job's pid, nested as the OS
// tree is, with the sampler's last figures for each (the sampler already reads every descendant of a
// job for its tree totals, so nothing is sampled twice). Read only when a UI asks (a row is expanded).
// Also ends one descendant, by pid and start time, refusing anything not below the job.
import { readCommandLines } from '../core/command-lines.js';
import { childrenByParent, descendantsOf, readAllProcStats, type ProcStat } from '../core/proc-stat.js';
import type { SampleResult } from '../core/sampler.js';
import type { DescendantSignalled, InspectedJobPools, ProcessTree, TreeProcessRow } from '../protocol/job-tree.js';
import type { ValidArgs } from '../protocol/commands.js';
import { SupervisorError } from './errors.js';
import type { Supervisor } from './supervisor.js';

/** The live pid at the top of a job's tree, or null when it does not run. */
function rootPidOf(supervisor: Supervisor, id: string): number | null {
  const process = supervisor.processOf(id);
  return process.pid !== null && process.isAlive() ? process.pid : null;
}

/** The job's descendants, nested, with the inspector's view of the job. */
export function processTreeOf(supervisor: Supervisor, id: string): ProcessTree {
  const pid = rootPidOf(supervisor, id);
  const inspection = supervisor.inspection(id);
  const time = Date.now();
  if (pid === null) return { pid, children: [], time, inspection };
  return { pid, children: nestedDescendants(pid, readAllProcStats(), supervisor.lastSample()), time, inspection };
}

/**
 * The rows below `rootPid`, children sorted by pid. `table` is one reading of the process table; a
 * parent link read at a different moment than another may form a cycle, so each pid appears once.
 */
function nestedDescendants(rootPid: number, table: readonly ProcStat[], sample: Pick<SampleResult, 'time' | 'processes'> | null): TreeProcessRow[] {
  const children = childrenByParent(table);
  const byPid = new Map(table.map((stat) => [stat.pid, stat]));
  const commands = readCommandLines(descendantsOf(rootPid, children));
  const placed = new Set<number>([rootPid]);
  const rowsBelow = (parent: number): TreeProcessRow[] => {
    const rows: TreeProcessRow[] = [];
    for (const pid of [...(children.get(parent) ?? [])].sort((a, b) => a - b)) {
      if (placed.has(pid)) continue;
      placed.add(pid);
      const stat = byPid.get(pid)!;
      const usage = sample?.processes.get(pid);
      rows.push({
        pid,
        ppid: stat.ppid,
        pgid: stat.pgrp,
        state: stat.state,
        command: commands.get(pid) ?? '',
        startTime: stat.startTime,
        startedAt: usage ? sample!.time - usage.elapsed : null,
        cpu: usage?.cpu ?? null,
        memory: usage?.memory ?? null,
        children: rowsBelow(pid),
      });
    }
    return rows;
  };
  return rowsBelow(rootPid);
}

/**
 * Sends SIGTERM or SIGKILL to one descendant of a job (or the process group it leads). Refused when the
 * pid is not below the job now, when its start time is not the one the UI saw (the pid was given to
 * another process since), and when a group is asked for but the descendant does not lead its own.
 */
export function signalDescendant(supervisor: Supervisor, { id, pid, startTime, signal, scope }: ValidArgs<'signalDescendant'>): DescendantSignalled {
  const rootPid = rootPidOf(supervisor, id);
  const job = supervisor.processOf(id).name;
  if (rootPid === null) throw new SupervisorError('conflict', `id: ${job} is not running: it has no descendants to end`);
  const table = readAllProcStats();
  const below = new Set(descendantsOf(rootPid, childrenByParent(table)));
  const stat = below.has(pid) ? table.find((entry) => entry.pid === pid) : undefined;
  if (stat === undefined) {
    throw new SupervisorError('conflict', `pid: ${pid} is not a descendant of ${job} (pid ${rootPid}): only processes below a job can be ended from its row`);
  }
  if (stat.startTime !== startTime) {
    throw new SupervisorError('conflict', `startTime: pid ${pid} is no longer the process shown: it ended and the pid was given to another process`);
  }
  const toGroup = scope === 'group';
  if (toGroup && stat.pgrp !== pid) {
    throw new SupervisorError('conflict', `scope: pid ${pid} does not lead a process group of its own (it is in group ${stat.pgrp}): end the process itself`);
  }
  try {
    process.kill(toGroup ? -pid : pid, signal);
  } catch (error) {
    // It ended between the reading and the signal: what the user asked for has happened.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  return { pid, signal, toGroup };
}

/** Every job in which the inspector saw a Pool, with those pools. */
export function inspectedPools(supervisor: Supervisor): InspectedJobPools[] {
  const jobs: InspectedJobPools[] = [];
  for (const { row, inspection } of supervisor.inspectedJobs()) {
    if (inspection.pools.length === 0) continue;
    const workerNames: Record<string, string> = {};
    for (const process of inspection.processes) workerNames[process.pid] = process.name;
    jobs.push({ id: row.id, name: row.name, command: row.command, args: [...row.args], isAlive: row.isAlive, pools: inspection.pools, workerNames });
  }
  return jobs;
}
