// Row 7: supervising N idle processes (sleep 3600) started as one group, beside PM2, supervisord and a
// bare Node script (the floor). Per system: time until all N are running (seen in /proc), the daemon's
// own CPU over a window with 1 Hz status reads, its RSS, the time to stop all, and survivors.
// Row 4 reuses the same machinery for the supervisor's CPU at 1,000 processes.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commOf, directChildren } from '../lib/children.js';
import type { BenchContext, BenchRow } from '../lib/context.js';
import { buildHost, Host } from '../lib/host.js';
import { own } from '../lib/owned.js';
import { ensurePm2, ensureSupervisord } from '../lib/peers.js';
import { CpuMeter, memoryOf, readStat } from '../lib/procfs.js';
import { makeRow, skippedRow, type Row } from '../lib/report.js';
import { sleep } from '../lib/stats.js';

const COMMAND = 'sleep';
/** How long the bench waits for a system to stop all its processes; a longer stop is reported as this. */
const STOP_CAP_MS = 20_000;
const ARGS = ['3600'];

/**
 * How long a system may take to start `count` processes: each spawn forks a parent whose fd table and
 * memory grow with every child, so 2,000 take more than twice 1,000's time (1,000 took 64 s at load 15).
 */
const startTimeoutMs = (count: number): number => Math.max(300_000, count * 150);

/** One supervisor under test, driven the way its users drive it. */
interface Contender {
  key: 'ours' | 'pm2' | 'supervisord' | 'bare';
  name: string;
  /** Starts the daemon (not timed) and returns the pid whose CPU and memory are measured. */
  setup(count: number): Promise<number>;
  /** Asks for all `count` processes to start; resolves when the system says it is done. */
  start(count: number): Promise<void>;
  /** Begins reading the status once a second, as a monitor would. */
  monitor(): void;
  /** Asks for all of them to stop; resolves when the system says it is done. */
  stop(): Promise<void>;
  /** Our hosts only: the wall time of each sampling tick since the last call. */
  ticks?(): Promise<number[]>;
  teardown(): Promise<void>;
}

export interface Measurement {
  startMs: number;
  cpuPercent: number[];
  rssBytes: number;
  stopMs: number;
  survivors: number;
  /** The system had not stopped them all by STOP_CAP_MS. */
  stopCapped?: boolean;
  /** The wall time of each sampling tick in the CPU windows (our hosts only). */
  tickMs?: number[];
}

interface Tracked {
  pid: number;
  startTime: number;
}

function aliveCount(tracked: readonly Tracked[]): number {
  let alive = 0;
  for (const entry of tracked) {
    const stat = readStat(entry.pid);
    if (stat && stat.startTime === entry.startTime && stat.state !== 'Z' && stat.state !== 'X') alive += 1;
  }
  return alive;
}

/** Polls the daemon's children until `count` of them run `sleep`. */
async function waitForChildren(daemonPid: number, count: number, timeoutMs: number): Promise<Tracked[]> {
  const deadline = performance.now() + timeoutMs;
  const found = new Map<number, Tracked>();
  for (;;) {
    for (const pid of directChildren(daemonPid)) {
      if (found.has(pid)) continue;
      if (commOf(pid) !== COMMAND) continue;
      const stat = readStat(pid);
      if (stat === null) continue;
      found.set(pid, { pid, startTime: stat.startTime });
      own(pid, `supervised sleep ${pid}`);
    }
    if (found.size >= count) return [...found.values()];
    if (performance.now() > deadline) throw new Error(`only ${found.size} of ${count} processes running after ${timeoutMs} ms`);
    await sleep(found.size > 0 ? 10 : 5);
  }
}

async function measureContender(
  contender: Contender,
  count: number,
  options: { windows: number; windowMs: number; settleMs: number; stop?: boolean },
  log: (message: string) => void,
): Promise<Measurement> {
  const daemonPid = await contender.setup(count);
  own(daemonPid, `${contender.name} daemon`);
  try {
    const started = performance.now();
    const said = contender.start(count);
    // Its failure is reported by the await below (or by the wait for the children, whichever ends first).
    said.catch(() => undefined);
    const tracked = await waitForChildren(daemonPid, count, startTimeoutMs(count));
    const startMs = performance.now() - started;
    await said;

    contender.monitor();
    await sleep(options.settleMs);
    await contender.ticks?.();
    const meter = new CpuMeter(daemonPid);
    const cpuPercent: number[] = [];
    for (let window = 0; window < options.windows; window += 1) {
      await sleep(options.windowMs);
      cpuPercent.push(meter.sample());
    }
    const rssBytes = memoryOf(daemonPid)?.rss ?? Number.NaN;
    const tickMs = await contender.ticks?.();
    if (options.stop === false) {
      // Only the CPU was asked for: end the processes ourselves (they are ours), without timing it.
      for (const entry of tracked) if (aliveCount([entry]) > 0) process.kill(entry.pid, 'SIGKILL');
      while (aliveCount(tracked) > 0) await sleep(20);
      log(`${contender.name}, N=${count}: start ${startMs.toFixed(0)} ms, CPU ${cpuPercent.map((value) => value.toFixed(2)).join(' ')} %, RSS ${(rssBytes / 2 ** 20).toFixed(0)} MiB`);
      return { startMs, cpuPercent, rssBytes, stopMs: Number.NaN, survivors: Number.NaN, tickMs };
    }

    const stopStarted = performance.now();
    let stopSaid = false;
    const stopping = contender.stop().then(() => {
      stopSaid = true;
    });
    let stopMs = Number.NaN;
    const stopDeadline = stopStarted + STOP_CAP_MS;
    while (performance.now() < stopDeadline) {
      if (aliveCount(tracked) === 0) {
        stopMs = performance.now() - stopStarted;
        break;
      }
      await sleep(10);
    }
    await Promise.race([stopping, sleep(Math.max(0, stopDeadline - performance.now()))]);
    // Survivors: processes still alive one second after the system said it had stopped them all.
    await sleep(1000);
    const survivors = aliveCount(tracked);
    if (!stopSaid) log(`${contender.name} did not report the stop within ${STOP_CAP_MS / 1000} s`);
    log(
      `${contender.name}, N=${count}: start ${startMs.toFixed(0)} ms, CPU ${cpuPercent.map((value) => value.toFixed(2)).join(' ')} %, RSS ${(rssBytes / 2 ** 20).toFixed(0)} MiB, stop ${stopMs.toFixed(0)} ms, survivors ${survivors}`,
    );
    return { startMs, cpuPercent, rssBytes, stopMs: Number.isNaN(stopMs) ? STOP_CAP_MS : stopMs, survivors, stopCapped: Number.isNaN(stopMs) };
  } finally {
    await contender.teardown();
  }
}

// ---- the contenders -------------------------------------------------------------------------------

async function hostTicks(host: Host): Promise<number[]> {
  return (await host.request({ cmd: 'stats' })).ticks as number[];
}

function freshDir(context: BenchContext, name: string): string {
  const dir = resolve(context.cacheDir, 'run', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function pooldeckContender(context: BenchContext): Contender {
  let host: Host | null = null;
  return {
    key: 'ours',
    name: 'Pooldeck',
    async setup(count) {
      const script = await buildHost('pooldeck-host');
      host = await Host.start(script, { POOLDECK_BENCH_DATA_DIR: freshDir(context, 'pooldeck-data'), POOLDECK_BENCH_MAX_LIVE: String(count) });
      return host.pid;
    },
    async start(count) {
      const answer = await host!.request({ cmd: 'start', count, command: COMMAND, args: ARGS }, startTimeoutMs(count));
      if (Number(answer.failed) > 0) throw new Error(`${String(answer.failed)} processes failed to start`);
    },
    monitor() {
      // Deltas already flow to the host's subscriber (serialized as a shell would send them).
    },
    async stop() {
      await host!.request({ cmd: 'stop' }, 60_000);
    },
    ticks: () => hostTicks(host!),
    async teardown() {
      await host?.close();
    },
  };
}

function bareContender(): Contender {
  let host: Host | null = null;
  return {
    key: 'bare',
    name: 'bare Node + pidusage',
    async setup() {
      host = await Host.start(await buildHost('bare-floor'));
      return host.pid;
    },
    async start(count) {
      await host!.request({ cmd: 'start', count, command: COMMAND, args: ARGS }, startTimeoutMs(count));
    },
    monitor() {},
    async stop() {
      await host!.request({ cmd: 'stop' }, 60_000);
    },
    ticks: () => hostTicks(host!),
    async teardown() {
      await host?.close();
    },
  };
}

async function pm2Contender(context: BenchContext): Promise<Contender> {
  const install = await ensurePm2(context.cacheDir, context.log);
  let client: Host | null = null;
  let home = '';
  return {
    key: 'pm2',
    name: `PM2 ${install.version}`,
    async setup() {
      home = freshDir(context, 'pm2-home');
      client = await Host.start(await buildHost('pm2-client'), {
        PM2_HOME: home,
        PM2_MODULE: install.modulePath,
        PM2_DISABLE_VERSION_CHECK: 'true',
      });
      const daemon = await client.request({ cmd: 'daemon' });
      return Number(daemon.pid);
    },
    async start(count) {
      await client!.request({ cmd: 'start', count, command: COMMAND, args: ARGS }, 120_000);
    },
    monitor() {
      void client!.request({ cmd: 'poll' });
    },
    async stop() {
      await client!.request({ cmd: 'stop' }, 120_000);
    },
    async teardown() {
      // The client deletes every app and kills the daemon; the group kill of owned pids is the backstop.
      await client?.close(15_000);
    },
  };
}

async function supervisordContender(context: BenchContext): Promise<Contender> {
  const install = await ensureSupervisord(context.cacheDir, context.log);
  const env = { ...process.env, PYTHONPATH: install.pythonPath };
  let dir = '';
  let config = '';
  let daemon: ReturnType<typeof spawn> | null = null;
  let pollTimer: NodeJS.Timeout | null = null;

  const ctl = (...args: string[]): Promise<string> =>
    new Promise((resolveCtl, rejectCtl) => {
      const child = spawn(install.python, ['-m', 'supervisor.supervisorctl', '-c', config, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      if (child.pid) own(child.pid, 'supervisorctl');
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', rejectCtl);
      child.once('exit', () => resolveCtl(output));
    });

  return {
    key: 'supervisord',
    name: `supervisord ${install.version}`,
    async setup(count) {
      dir = freshDir(context, 'supervisord');
      mkdirSync(resolve(dir, 'logs'));
      config = resolve(dir, 'supervisord.conf');
      writeFileSync(
        config,
        [
          '[unix_http_server]',
          `file=${dir}/supervisor.sock`,
          '',
          '[supervisord]',
          `logfile=${dir}/supervisord.log`,
          `pidfile=${dir}/supervisord.pid`,
          `childlogdir=${dir}/logs`,
          'nodaemon=true',
          'minfds=4096',
          '',
          '[rpcinterface:supervisor]',
          'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
          '',
          '[supervisorctl]',
          `serverurl=unix://${dir}/supervisor.sock`,
          '',
          '[program:sleep]',
          `command=${COMMAND} ${ARGS.join(' ')}`,
          'process_name=%(program_name)s_%(process_num)04d',
          `numprocs=${count}`,
          'autostart=false',
          'autorestart=false',
          // RUNNING as soon as the process is up (the default waits 1 s to call it running).
          'startsecs=0',
          '',
        ].join('\n'),
      );
      daemon = spawn(install.python, ['-m', 'supervisor.supervisord', '-c', config], { env, stdio: 'ignore', detached: true });
      const pid = daemon.pid!;
      own(pid, 'supervisord');
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const status = await ctl('status');
        if (/STOPPED/.test(status)) return pid;
        await sleep(100);
      }
      throw new Error('supervisord did not answer within 20 s');
    },
    async start() {
      await ctl('start', 'sleep:*');
    },
    monitor() {
      pollTimer = setInterval(() => void ctl('status'), 1000);
    },
    async stop() {
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = null;
      await ctl('stop', 'sleep:*');
    },
    async teardown() {
      if (pollTimer) clearInterval(pollTimer);
      if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
        const exited = new Promise((resolveExit) => daemon!.once('exit', resolveExit));
        await ctl('shutdown').catch(() => undefined);
        await Promise.race([exited, sleep(10_000)]);
      }
    },
  };
}

// ---- rows -------------------------------------------------------------------------------------------

function cappedNote(ours: Measurement, peer: Measurement, peerName: string): string | undefined {
  const capped = [ours.stopCapped ? 'Pooldeck' : null, peer.stopCapped ? peerName : null].filter(Boolean);
  return capped.length > 0 ? `${capped.join(' and ')} had not stopped them all after ${STOP_CAP_MS / 1000} s: the figure is the cap, the real time is longer` : undefined;
}

function rowsFor(count: number, ours: Measurement, others: Array<{ contender: Contender; measurement: Measurement }>, withTargets: boolean): Row[] {
  const rows: Row[] = [];
  for (const { contender, measurement } of others) {
    const peer = contender.key;
    const floor = peer === 'bare';
    rows.push(
      makeRow({
        id: `7-start-${count}-${peer}`,
        description: `${count} idle processes started as one group: time until all are running`,
        unit: 'ms',
        better: 'lower',
        ours: [ours.startMs],
        reference: { name: contender.name, values: [measurement.startMs] },
        target: floor && withTargets ? { on: 'ratio', min: Number((1 / 1.5).toFixed(3)), text: 'ours ≤ 1.5× the floor' } : undefined,
      }),
      makeRow({
        id: `7-cpu-${count}-${peer}`,
        description: `${count} idle processes: the daemon's own CPU with 1 Hz sampling and status reads`,
        unit: '% of a core',
        better: 'lower',
        ours: ours.cpuPercent,
        reference: { name: contender.name, values: measurement.cpuPercent },
        target: floor && withTargets ? { on: 'ours', max: 1.5 } : undefined,
      }),
      makeRow({
        id: `7-rss-${count}-${peer}`,
        description: `${count} idle processes: the daemon's RSS`,
        unit: 'MiB',
        better: 'lower',
        ours: [ours.rssBytes / 2 ** 20],
        reference: { name: contender.name, values: [measurement.rssBytes / 2 ** 20] },
      }),
      makeRow({
        id: `7-stop-${count}-${peer}`,
        description: `${count} idle processes: time to stop all (until none is left in /proc)`,
        unit: 'ms',
        better: 'lower',
        ours: [ours.stopMs],
        reference: { name: contender.name, values: [measurement.stopMs] },
        target: floor && withTargets ? { on: 'ours', max: 1000 } : undefined,
        note: cappedNote(ours, measurement, contender.name),
      }),
      makeRow({
        id: `7-survivors-${count}-${peer}`,
        description: `${count} idle processes: survivors, still running 1 s after the system said it stopped them all (or at the ${STOP_CAP_MS / 1000} s cap)`,
        unit: 'processes',
        better: 'lower',
        ours: [ours.survivors],
        reference: { name: contender.name, values: [measurement.survivors] },
        target: floor ? { on: 'ours', max: 0 } : undefined,
      }),
    );
  }
  return rows;
}

export const supervisorsRow: BenchRow = {
  id: '7',
  aliases: ['supervisors', 'pm2', 'supervisord'],
  title: 'Supervising N idle processes beside PM2, supervisord and a bare Node script',
  async run(context: BenchContext): Promise<Row[]> {
    const sizes = context.quick ? [100] : [100, 500];
    const rows: Row[] = [];
    for (const [index, count] of sizes.entries()) {
      const big = count >= 500;
      const options = context.quick
        ? { windows: 2, windowMs: 2000, settleMs: 1000 }
        : { windows: big ? 6 : 2, windowMs: 5000, settleMs: 2000 };
      const factories: Array<() => Promise<Contender>> = [
        async () => pooldeckContender(context),
        async () => bareContender(),
        () => pm2Contender(context),
        () => supervisordContender(context),
      ];
      // Alternate the order between sizes so no system always runs first (or last) on a drifting machine.
      if (index % 2 === 1) factories.reverse();
      const results: Array<{ contender: Contender; measurement: Measurement }> = [];
      const failures: string[] = [];
      for (const factory of factories) {
        let contender: Contender | null = null;
        try {
          contender = await factory();
          context.log(`${contender.name}: N = ${count}`);
          results.push({ contender, measurement: await measureContender(contender, count, options, context.log) });
        } catch (error) {
          const message = `${contender?.name ?? 'a peer'}: ${(error as Error).message}`;
          context.log(`failed: ${message}`);
          failures.push(message);
        }
      }
      const ours = results.find((entry) => entry.contender.key === 'ours');
      if (!ours) {
        rows.push(skippedRow(`7-${count}`, `supervising ${count} idle processes`, failures.join('; ')));
        continue;
      }
      rows.push(...rowsFor(count, ours.measurement, results.filter((entry) => entry !== ours), big || context.quick));
      for (const failure of failures) rows.push(skippedRow(`7-${count}-peer`, `supervising ${count} idle processes`, failure));
    }
    return rows;
  },
};

/**
 * The supervisor host and the bare floor, one after the other (in the order given), each watching
 * `count` idle processes for `seconds` after they all run: CPU per 5 s window, RSS, each tick's time.
 */
export async function measureBesideFloor(
  context: BenchContext,
  { count, seconds, floorFirst = false }: { count: number; seconds: number; floorFirst?: boolean },
): Promise<{ ours: Measurement; floor: Measurement }> {
  const windows = Math.max(2, Math.round(seconds / 5));
  const options = { windows, windowMs: (seconds * 1000) / windows, settleMs: 2000, stop: false };
  const measure = (contender: Contender): Promise<Measurement> => measureContender(contender, count, options, context.log);
  if (floorFirst) {
    const floor = await measure(bareContender());
    return { ours: await measure(pooldeckContender(context)), floor };
  }
  const ours = await measure(pooldeckContender(context));
  return { ours, floor: await measure(bareContender()) };
}

/** Row 4's last part: the whole supervisor's CPU while it samples `count` processes at 1 Hz. */
export async function measureSupervisorCpu(context: BenchContext, { count, seconds }: { count: number; seconds: number }): Promise<Row[]> {
  context.log(`supervisor CPU with ${count} processes over ${seconds} s, beside the bare floor`);
  const { ours, floor } = await measureBesideFloor(context, { count, seconds });
  return [
    makeRow({
      id: `4-supervisor-cpu-${count}`,
      description: `the supervisor's CPU over ${seconds} s of 1 Hz sampling of ${count} processes (deltas flowing)`,
      unit: '% of a core',
      better: 'lower',
      ours: ours.cpuPercent,
      reference: { name: 'bare Node + pidusage', values: floor.cpuPercent },
      target: { on: 'ours', max: 2 },
    }),
  ];
}
