import { availableParallelism } from 'node:os';

/** The app's own usage, for the status bar. */
export interface OwnUsage {
  /** % of one core since the previous reading. */
  cpu: number;
  /** Resident memory in bytes. */
  memory: number;
  cores: number;
}

/**
 * A reader of the app's own CPU (% of one core since the previous call) and resident memory. Cheap:
 * process.cpuUsage() and process.memoryUsage.rss(), no /proc and no pidusage.
 */
export function createAppUsageReader(): () => OwnUsage {
  let lastCpu = process.cpuUsage();
  let lastTime = performance.now();
  const cores = availableParallelism();
  return () => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const usedMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    const elapsedMs = now - lastTime;
    lastCpu = cpu;
    lastTime = now;
    return { cpu: elapsedMs > 0 ? (usedMs / elapsedMs) * 100 : 0, memory: process.memoryUsage.rss(), cores };
  };
}

const readAppUsage = createAppUsageReader();

/** The app's own CPU (% of one core since the previous call of this function) and resident memory. */
export function readOwnUsage(): OwnUsage {
  return readAppUsage();
}
