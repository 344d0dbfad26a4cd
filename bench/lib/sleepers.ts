// N idle processes (`sleep 3600`) started by one shell in a process group of its own, so ending them is
// one signal to one group we own.
import { spawn } from 'node:child_process';
import { disown, own } from './owned.js';
import { allStats } from './procfs.js';
import { sleep } from './stats.js';

export interface Sleepers {
  pids: number[];
  stop(): Promise<void>;
}

export async function startSleepers(count: number, timeoutMs = 60_000): Promise<Sleepers> {
  const shell = spawn('sh', ['-c', `i=0; while [ $i -lt ${count} ]; do sleep 3600 & i=$((i+1)); done; wait`], {
    detached: true,
    stdio: 'ignore',
  });
  const shellPid = shell.pid;
  if (shellPid === undefined) throw new Error('could not start the shell that starts the sleepers');
  own(shellPid, `sleepers(${count})`);
  const exited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  let pids: number[];
  for (;;) {
    // A child of the shell counts once it runs sleep (not while it is still a forked shell).
    pids = allStats()
      .filter((stat) => stat.ppid === shellPid && stat.pgrp === shellPid)
      .map((stat) => stat.pid);
    if (pids.length >= count) {
      // Make sure every one has exec'd sleep, not still the forked shell.
      const { readFileSync } = await import('node:fs');
      const notYet = pids.filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'latin1').trim() !== 'sleep';
        } catch {
          return false;
        }
      });
      if (notYet.length === 0) break;
    }
    if (Date.now() > deadline) {
      process.kill(-shellPid, 'SIGKILL');
      throw new Error(`only ${pids.length} of ${count} sleepers started within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
  return {
    pids,
    async stop() {
      try {
        process.kill(-shellPid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      disown(shellPid);
    },
  };
}
