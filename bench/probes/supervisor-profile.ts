// Probe (not in npm test): a CPU profile of the supervisor host (the app's backend, 1 Hz sampling, deltas
// serialized as a shell would) while it watches N idle `sleep 3600`, and the same for the bare floor:
// the steady state only (after a settling time, before the stop). Prints the functions with the most
// self time and where the .cpuprofile files are (open them in Chrome's DevTools for the whole picture).
// Run: npx tsx bench/probes/supervisor-profile.ts [count=1000] [seconds=20]
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { cacheRoot } from '../lib/context.js';
import { buildHost, Host } from '../lib/host.js';
import { installExitHandlers, runCleanups } from '../lib/owned.js';
import { sleep } from '../lib/stats.js';

const count = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 20);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (ms), heaviest first. */
function selfTimes(profile: Profile): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.replace(/^.*\/(node_modules\/|main\/|bench\/)/, '$1');
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

async function profileHost(name: 'pooldeck-host' | 'bare-floor'): Promise<void> {
  const dir = resolve(cacheRoot, 'profiles', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dataDir = resolve(cacheRoot, 'run', 'profile-data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const file = resolve(dir, `${count}.cpuprofile`);
  const host = await Host.start(await buildHost(name), { POOLDECK_BENCH_DATA_DIR: dataDir, POOLDECK_BENCH_MAX_LIVE: String(count) });
  try {
    await host.request({ cmd: 'start', count, command: 'sleep', args: ['3600'] }, 120_000);
    await sleep(3000);
    await host.request({ cmd: 'profile-start' });
    await sleep(seconds * 1000);
    await host.request({ cmd: 'profile-stop', file });
    await host.request({ cmd: 'stop' }, 60_000);
  } finally {
    await host.close(30_000);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const top = selfTimes(profile);
  const total = top.reduce((sum, [, ms]) => sum + ms, 0);
  const idle = top.find(([key]) => key.startsWith('(idle)'))?.[1] ?? 0;
  console.log(`\n${name}, ${count} sleeps, ${seconds} s: ${(total - idle).toFixed(0)} ms busy on the main thread; ${file}`);
  for (const [key, ms] of top.filter(([key]) => !key.startsWith('(idle)')).slice(0, 30)) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
}

installExitHandlers();
try {
  await profileHost('pooldeck-host');
  await profileHost('bare-floor');
} finally {
  await runCleanups();
}
