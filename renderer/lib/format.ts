// How numbers read in the UI. Every function is pure and cheap: the table calls them for each visible
// cell on every update.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `0 B`, `812 B`, `1.5 KiB`, `23.4 MiB`, `1.02 GiB`; an empty string when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // Three significant digits at most, so columns stay narrow and comparable.
  const text = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${text} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration the way a process monitor shows uptime: `0s`, `42s`, `3m 07s`, `2h 05m`, `3d 04h`.
 * Two units at most; negative or unknown durations give an empty string.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (totalMinutes < 60) return `${totalMinutes}m ${pad2(seconds)}s`;
  const totalHours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (totalHours < 24) return `${totalHours}h ${pad2(minutes)}m`;
  const days = Math.floor(totalHours / 24);
  return `${days}d ${pad2(totalHours % 24)}h`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * How long a process has been (or was) up: from its start to its end, or to `now` while it runs.
 * null when it never started.
 */
export function uptimeMs(startedAt: number | null, endedAt: number | null, now: number): number | null {
  if (startedAt === null) return null;
  return Math.max(0, (endedAt ?? now) - startedAt);
}

export interface CpuConvention {
  /** false: 100% = one core (top, htop, ps); true: 100% = every core busy (Windows Task Manager). */
  dividedByCores: boolean;
  cores: number;
}

/** CPU as the chosen convention reads it: a number of percent, before formatting. */
function cpuPercent(cpuOfOneCore: number, convention: CpuConvention): number {
  return convention.dividedByCores && convention.cores > 0 ? cpuOfOneCore / convention.cores : cpuOfOneCore;
}

/** `0.0%`, `12.5%`, `187%` (whole numbers from 100 up, so the column keeps its width); empty when unknown. */
export function formatCpu(cpuOfOneCore: number | null | undefined, convention: CpuConvention): string {
  if (cpuOfOneCore === null || cpuOfOneCore === undefined || !Number.isFinite(cpuOfOneCore)) return '';
  const value = cpuPercent(Math.max(0, cpuOfOneCore), convention);
  return value >= 100 ? `${Math.round(value)}%` : `${value.toFixed(1)}%`;
}

/** The sentence that goes with every CPU figure, so nobody has to guess what 100% means. */
export function cpuConventionLabel(convention: CpuConvention): string {
  return convention.dividedByCores
    ? `100% = all ${convention.cores} core${convention.cores === 1 ? '' : 's'}`
    : '100% = one core';
}

/** `1,234` with the user's grouping; used for counts. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}
