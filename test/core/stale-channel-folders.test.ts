// A SIGKILLed run cannot remove its channel's socket folder; the next ChannelServer does.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ChannelServer } from '../../main/core/channel-server.js';
import { channelFolderPrefix } from '../../main/core/stale-channel-folders.js';
import { nodeProgram } from '../helpers/platform.js';

const made: string[] = [];
const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended already
    }
  }
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
});

/** The pid of a process that has ended (so no process of ours has it now). */
async function endedPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function folderOf(pid: number): string {
  const path = join(tmpdir(), `${channelFolderPrefix(pid)}test${Math.random().toString(16).slice(2)}`);
  mkdirSync(path, { mode: 0o700 });
  made.push(path);
  return path;
}

it("removes the folders of runs that ended, and leaves a live run's folder alone", async () => {
  const crashed = folderOf(await endedPid());
  const { command, args } = nodeProgram('setTimeout(() => {}, 30_000)');
  const sleeper = spawn(command, args, { stdio: 'ignore' });
  started.push(sleeper.pid!);
  const live = folderOf(sleeper.pid!);
  const server = new ChannelServer();
  try {
    await server.listening;
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(server.address).toContain(channelFolderPrefix());
  } finally {
    await server.close();
  }
});
