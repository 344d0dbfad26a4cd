// Row 4: one sampling tick over 100, 500 and 1,000 live processes through our Sampler, beside one
// direct pidusage(arrayOfPids) call and beside reading /proc/<pid>/stat for each pid; then the whole
// supervisor's CPU while it samples 1,000 processes at 1 Hz.
import { closeSync, openSync, readSync } from 'node:fs';
import pidusage from 'pidusage';
import { Sampler } from '../../main/core/sampler.js';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { makeRow, type Row } from '../lib/report.js';
import { startSleepers } from '../lib/sleepers.js';
import { alternate, summarize } from '../lib/stats.js';
import { measureSupervisorCpu } from './7-supervisors.js';

interface TickCost {
  wallMs: number;
  cpuMs: number;
}

async function measure(run: () => unknown): Promise<TickCost> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const statBuffer = Buffer.allocUnsafe(4096);

/** The floor: open, read, close and parse /proc/<pid>/stat for each pid, synchronously. */
function readProcStats(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    let fd: number;
    try {
      fd = openSync(`/proc/${pid}/stat`, 'r');
    } catch {
      continue;
    }
    try {
      const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
      const text = statBuffer.toString('latin1', 0, length);
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]) + Number(fields[21]);
    } finally {
      closeSync(fd);
    }
  }
  return total;
}

/** What a sampler could do instead of pidusage: keep one fd per pid open and pread it each tick. */
class HeldFds {
  readonly #fds: number[];
  constructor(pids: readonly number[]) {
    this.#fds = pids.map((pid) => openSync(`/proc/${pid}/stat`, 'r'));
  }
  read(): number {
    let total = 0;
    for (const fd of this.#fds) {
      const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
      const text = statBuffer.toString('latin1', 0, length);
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]) + Number(fields[21]);
    }
    return total;
  }
  close(): void {
    for (const fd of this.#fds) closeSync(fd);
  }
}

export const samplingRow: BenchRow = {
  id: '4',
  aliases: ['sampling', 'sampler'],
  title: 'Sampling tick over 100 / 500 / 1,000 live processes, beside pidusage and /proc',
  async run(context: BenchContext): Promise<Row[]> {
    const rounds = context.quick ? 3 : 15;
    const sizes = context.quick ? [100, 1000] : [100, 500, 1000];
    const rows: Row[] = [];
    const maxage = 10_000;
    for (const size of sizes) {
      const sleepers = await startSleepers(size);
      const sampler = new Sampler({ sampleIntervalMs: 1000, pidusageMaxAgeMs: maxage });
      const held = new HeldFds(sleepers.pids);
      try {
        for (const pid of sleepers.pids) sampler.track(pid, { tree: true });
        // Warm: the first ticks open one fd per pid and fill the caches, in both paths.
        for (let i = 0; i < 3; i += 1) {
          await sampler.sampleNow();
          await pidusage(sleepers.pids, { maxage });
        }
        context.log(`${size} processes: ${rounds} rounds`);
        const costs = await alternate<'sampler' | 'pidusage' | 'procStat' | 'heldFds', TickCost>(rounds, {
          sampler: () =>
            measure(async () => {
              const result = await sampler.sampleNow();
              if (result.processes.size < size) throw new Error(`the sampler saw ${result.processes.size} of ${size} processes`);
            }),
          pidusage: () => measure(() => pidusage(sleepers.pids, { maxage })),
          procStat: () => measure(() => readProcStats(sleepers.pids)),
          heldFds: () => measure(() => held.read()),
        });
        const wall = (name: keyof typeof costs): number[] => costs[name].map((cost) => cost.wallMs);
        const cpu = (name: keyof typeof costs): number[] => costs[name].map((cost) => cost.cpuMs);
        rows.push(
          makeRow({
            id: `4-tick-${size}-ms`,
            description: `one sampling tick, ${size} live processes: wall time (Sampler.sampleNow, process trees on)`,
            unit: 'ms',
            better: 'lower',
            ours: wall('sampler'),
            reference: { name: 'pidusage(pids)', values: wall('pidusage') },
            target: { on: 'ratio', min: Number((1 / 1.2).toFixed(3)), text: 'ours ≤ 1.2× reference' },
          }),
          makeRow({
            id: `4-tick-${size}-cpu`,
            description: `one sampling tick, ${size} live processes: CPU time (all threads)`,
            unit: 'CPU ms',
            better: 'lower',
            ours: cpu('sampler'),
            reference: { name: 'pidusage(pids)', values: cpu('pidusage') },
            target: { on: 'ratio', min: Number((1 / 1.2).toFixed(3)), text: 'ours ≤ 1.2× reference' },
          }),
          makeRow({
            id: `4-tick-${size}-vs-proc`,
            description: `one sampling tick, ${size} live processes, beside the floor: read /proc/<pid>/stat for each (sync, one buffer)`,
            unit: 'ms',
            better: 'lower',
            ours: wall('sampler'),
            reference: { name: '/proc/<pid>/stat loop', values: wall('procStat') },
            note: `with one fd per pid held open and pread each tick (what pidusage does, synchronously, with one buffer): median ${summarize(wall('heldFds')).median.toFixed(2)} ms, ${summarize(cpu('heldFds')).median.toFixed(2)} CPU ms`,
          }),
        );
      } finally {
        held.close();
        await sampler.dispose();
        await sleepers.stop();
      }
    }
    rows.push(...(await measureSupervisorCpu(context, { count: context.quick ? 300 : 1000, seconds: context.quick ? 4 : 20 })));
    return rows;
  },
};
