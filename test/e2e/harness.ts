import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { childrenByParent, descendantsOf } from '../../main/core/proc-stat.js';
import { processTreeFor } from '../../main/core/process-tree/index.js';
import { until } from '../helpers/until.js';

// Starts the built headless server (out/main/server.js) as a real child process and Chromium against
// it, and cleans both up: the server by SIGTERM, after which none of its descendants may be left.

export const SERVER_ENTRY = resolve('out/main/server.js');
export const URL_LINE = /^Pooldeck serving at (http:\/\/127\.0\.0\.1:(\d+))\/\?token=([0-9a-f]{64})$/;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Debian's Chromium, which the development machines and .ci/run use. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * The browser the e2e tests drive: CHROMIUM_PATH when set, else the system Chromium where it exists,
 * else undefined: Playwright's own build (`npx playwright-core install chromium`, as the CI matrix does).
 */
export function chromiumExecutablePath(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  return existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;
}

export function launchChromium(): Promise<Browser> {
  // A fresh temporary profile every launch (launch(), not launchPersistentContext()).
  return chromium.launch({ executablePath: chromiumExecutablePath(), args: CHROMIUM_ARGS });
}

export interface ServedApp {
  child: ChildProcess;
  /** The whole line the server printed. */
  line: string;
  /** The URL to open (token included). */
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  /** Everything the server wrote to stdout so far, first line included. */
  stdout(): string;
  stderr(): string;
  /** POSTs a command with the Bearer token and returns the outcome. */
  command<T = unknown>(name: string, args?: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string; field?: string } }>;
  /**
   * SIGTERM (or `signal`), waits for the server to exit, then checks that every process that
   * descended from it is gone. Returns the exit code and the pids that survived (killed then).
   */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; survivors: number[] }>;
}

export interface StartOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Leave out --data-dir (to test the default). */
  noDataDir?: boolean;
}

export async function startServedApp(options: StartOptions = {}): Promise<ServedApp> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'pooldeck-e2e-'));
  const args = [SERVER_ENTRY, ...(options.args ?? ['--port', '0'])];
  if (!options.noDataDir) args.push('--data-dir', dataDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );

  const line = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL line within 20 s; stderr:\n${stderr}`)), 20_000);
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolveLine(stdout.slice(0, newline));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before printing its URL; stderr:\n${stderr}`));
    });
  });
  const match = URL_LINE.exec(line);
  if (!match) {
    child.kill('SIGKILL');
    throw new Error(`unexpected first line: ${JSON.stringify(line)}`);
  }
  const origin = match[1]!;
  const port = Number(match[2]);
  const token = match[3]!;

  let stopping: ReturnType<ServedApp['stop']> | null = null;
  const app: ServedApp = {
    child,
    line,
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    async command(name, commandArgs = {}) {
      const res = await fetch(`${origin}/api/command/${name}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(commandArgs),
      });
      return (await res.json()) as never;
    },
    stop(signal = 'SIGTERM') {
      stopping ??= (async () => {
        const before = descendants(child.pid!);
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const deadline = new Promise<null>((done) => setTimeout(() => done(null), 25_000));
        let result = await Promise.race([exited, deadline]);
        if (result === null) {
          child.kill('SIGKILL');
          result = await exited;
        }
        // Whatever ran under the server must end with it (give the kernel a moment to reap).
        const survivors = await waitUntilGone(before, 5_000);
        for (const pid of survivors) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        rmSync(dataDir, { recursive: true, force: true });
        return { ...result, survivors };
      })();
      return stopping;
    },
  };
  return app;
}

const processTree = processTreeFor();

/** The pids of every process that has not ended (zombies have), from one reading of the process table. */
function livePids(): Set<number> {
  return new Set(processTree.listProcesses().filter((entry) => !entry.zombie).map((entry) => entry.pid));
}

/** Pids of every live descendant of `root`, through the core's process-tree seam (/proc, ps or CIM). */
export function descendants(root: number): number[] {
  const live = processTree.listProcesses().filter((entry) => !entry.zombie);
  return descendantsOf(root, childrenByParent(live));
}

/** True while the pid exists and is not a zombie (a zombie has ended; it only waits to be reaped). */
export function isRunning(pid: number): boolean {
  return livePids().has(pid);
}

/** Waits up to `timeoutMs` for `pids` to end; returns those still running then (none: all ended). */
export async function waitUntilGone(pids: number[], timeoutMs: number): Promise<number[]> {
  try {
    await until(
      () => {
        const live = livePids();
        return pids.every((pid) => !live.has(pid));
      },
      'the processes to end',
      { timeoutMs, intervalMs: 50 },
    );
  } catch {
    // Timed out: the survivors are the answer.
  }
  const live = livePids();
  return pids.filter((pid) => live.has(pid));
}
