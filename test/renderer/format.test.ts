import { describe, expect, it } from 'vitest';
import { cpuConventionLabel, formatBytes, formatCpu, formatDuration, uptimeMs } from '../../renderer/lib/format.js';
import { formatExitcode } from '../../main/protocol/signals.js';

describe('formatBytes', () => {
  it('uses binary units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(23.4 * 1024 * 1024)).toBe('23.4 MiB');
    expect(formatBytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(formatBytes(1.02 * 1024 ** 3)).toBe('1.02 GiB');
  });

  it('leaves unknown or nonsense values empty', () => {
    expect(formatBytes(null)).toBe('');
    expect(formatBytes(undefined)).toBe('');
    expect(formatBytes(Number.NaN)).toBe('');
    expect(formatBytes(-1)).toBe('');
  });
});

describe('formatDuration', () => {
  it('shows at most two units, padded', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42_900)).toBe('42s');
    expect(formatDuration(187_000)).toBe('3m 07s');
    expect(formatDuration((2 * 3600 + 5 * 60 + 9) * 1000)).toBe('2h 05m');
    expect(formatDuration((3 * 86400 + 4 * 3600) * 1000)).toBe('3d 04h');
  });

  it('is empty for unknown or negative durations', () => {
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(-5)).toBe('');
  });
});

describe('uptimeMs', () => {
  it('counts to now while running and to the end once ended', () => {
    expect(uptimeMs(1000, null, 6000)).toBe(5000);
    expect(uptimeMs(1000, 3000, 60_000)).toBe(2000);
    expect(uptimeMs(null, null, 6000)).toBeNull();
  });

  it('never goes negative when clocks disagree', () => {
    expect(uptimeMs(5000, null, 4000)).toBe(0);
  });
});

describe('formatCpu', () => {
  const oneCore = { dividedByCores: false, cores: 4 };
  const allCores = { dividedByCores: true, cores: 4 };

  it('reads 100% as one core by default', () => {
    expect(formatCpu(0, oneCore)).toBe('0.0%');
    expect(formatCpu(12.345, oneCore)).toBe('12.3%');
    expect(formatCpu(187.4, oneCore)).toBe('187%');
    expect(cpuConventionLabel(oneCore)).toBe('100% = one core');
  });

  it('divides by the number of cores when asked', () => {
    expect(formatCpu(200, allCores)).toBe('50.0%');
    expect(formatCpu(400, allCores)).toBe('100%');
    expect(cpuConventionLabel(allCores)).toBe('100% = all 4 cores');
  });

  it('is empty before the first sample', () => {
    expect(formatCpu(null, oneCore)).toBe('');
  });
});

describe('formatExitcode (from the protocol)', () => {
  it('names the signal that ended a process', () => {
    expect(formatExitcode(-15)).toBe('-15 (SIGTERM)');
    expect(formatExitcode(-9)).toBe('-9 (SIGKILL)');
    expect(formatExitcode(0)).toBe('0');
    expect(formatExitcode(null)).toBe('');
  });
});
