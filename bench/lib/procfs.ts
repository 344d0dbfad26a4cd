// Reading /proc directly: a daemon's CPU time, a worker's memory, the children of a process.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks: number | null = null;

/** Clock ticks per second (CLK_TCK), asked once. */
function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface StatFields {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** user + system CPU time, ms. */
  cpuMs: number;
  /** Clock ticks since boot. */
  startTime: number;
  rssPages: number;
}

export function readStat(pid: number): StatFields | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const end = text.lastIndexOf(')');
  const fields = text.slice(end + 2).split(' ');
  const tick = clockTicksPerSecond();
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / tick,
    startTime: Number(fields[19]),
    rssPages: Number(fields[21]),
  };
}

/** user + system CPU of `pid` in ms, from /proc/<pid>/stat (NaN once it is gone). */
function cpuMsOf(pid: number): number {
  return readStat(pid)?.cpuMs ?? Number.NaN;
}

/** Every process in /proc with its stat fields. */
export function allStats(): StatFields[] {
  const out: StatFields[] = [];
  for (const name of readdirSync('/proc')) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

export interface Memory {
  /** Resident set size, bytes. */
  rss: number;
  /** Unique set size (private clean + private dirty), bytes: what ending the process would give back. */
  uss: number;
  /** Proportional set size, bytes. */
  pss: number;
}

/** RSS, USS and PSS of `pid` from /proc/<pid>/smaps_rollup. */
export function memoryOf(pid: number): Memory | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  } catch {
    return null;
  }
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return { rss: kb('Rss'), uss: kb('Private_Clean') + kb('Private_Dirty') + kb('Private_Hugetlb'), pss: kb('Pss') };
}

/** Follows a daemon's CPU time: `sample()` returns the % of one core used since the previous call. */
export class CpuMeter {
  #pid: number;
  #lastCpu: number;
  #lastTime: number;
  readonly #startCpu: number;
  readonly #startTime: number;

  constructor(pid: number) {
    this.#pid = pid;
    this.#lastCpu = this.#startCpu = cpuMsOf(pid);
    this.#lastTime = this.#startTime = performance.now();
  }

  sample(): number {
    const cpu = cpuMsOf(this.#pid);
    const now = performance.now();
    const percent = ((cpu - this.#lastCpu) / (now - this.#lastTime)) * 100;
    this.#lastCpu = cpu;
    this.#lastTime = now;
    return percent;
  }

  /** % of one core over the whole time since construction. */
  total(): number {
    return ((cpuMsOf(this.#pid) - this.#startCpu) / (performance.now() - this.#startTime)) * 100;
  }
}
