import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function tryRun(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

function osRelease(): string | null {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}

export interface MachineInfo {
  date: string;
  hostname: string;
  os: string | null;
  kernel: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  loadAverageAtStart: number[];
  node: string;
  python: string | null;
  chromium: string | null;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    os: osRelease(),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadAverageAtStart: os.loadavg().map((value) => Number(value.toFixed(2))),
    node: process.version,
    python: tryRun('python3', ['--version'])?.replace(/^Python /, '') ?? null,
    chromium: tryRun('/usr/bin/chromium', ['--version', '--headless', '--no-sandbox'])?.split('\n').pop() ?? null,
  };
}
