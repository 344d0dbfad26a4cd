// Runs a bench host (bench/hosts/*.ts) as a separate Node process, bundled first with esbuild the way
// the app itself is bundled, so its CPU and memory are those of plain Node running our code (no tsx).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { cacheRoot, repoRoot } from './context.js';
import { disown, own } from './owned.js';

const built = new Map<string, string>();

/** Bundles bench/hosts/<name>.ts into bench/.cache/hosts/<name>.mjs (node_modules stay external). */
export async function buildHost(name: string): Promise<string> {
  const cached = built.get(name);
  if (cached) return cached;
  const { build } = await import('esbuild');
  const outDir = resolve(cacheRoot, 'hosts');
  mkdirSync(outDir, { recursive: true });
  const outfile = resolve(outDir, `${name}.mjs`);
  await build({
    entryPoints: [resolve(repoRoot, 'bench/hosts', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    // Code that finds files relative to itself (the worker helpers) must see the repository layout.
    define: {},
  });
  built.set(name, outfile);
  return outfile;
}

export interface HostMessage {
  type: string;
  [field: string]: unknown;
}

export class Host {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly #waiting: Array<{ type: string; resolve: (message: HostMessage) => void; reject: (error: Error) => void }> = [];
  #exited = false;
  readonly exited: Promise<number | null>;
  stderr = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    this.pid = child.pid!;
    own(this.pid, `host ${this.pid}`);
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code) => {
        this.#exited = true;
        disown(this.pid);
        for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`host exited (${code}) while waiting for ${waiter.type}: ${this.stderr.slice(-2000)}`));
        resolveExit(code);
      }),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: HostMessage;
      try {
        message = JSON.parse(line) as HostMessage;
      } catch {
        return;
      }
      const index = this.#waiting.findIndex((waiter) => waiter.type === message.type || message.type === 'error');
      if (index < 0) return;
      const [waiter] = this.#waiting.splice(index, 1);
      if (message.type === 'error') waiter.reject(new Error(`host: ${String(message.message)}`));
      else waiter.resolve(message);
    });
  }

  /** Starts `node <bundle>` in a process group of its own (so every job it leaves behind can be ended). */
  static async start(script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Host> {
    const child = spawn(process.execPath, [...nodeArgs, script], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const host = new Host(child);
    await host.waitFor('ready', 30_000);
    return host;
  }

  waitFor(type: string, timeoutMs = 120_000): Promise<HostMessage> {
    if (this.#exited) return Promise.reject(new Error(`host already exited: ${this.stderr.slice(-2000)}`));
    return new Promise((resolveWait, rejectWait) => {
      const timer = setTimeout(() => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        rejectWait(new Error(`host: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (message: HostMessage) => {
          clearTimeout(timer);
          resolveWait(message);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          rejectWait(error);
        },
      };
      this.#waiting.push(waiter);
    });
  }

  send(command: Record<string, unknown> & { cmd: string }): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  async request(command: Record<string, unknown> & { cmd: string }, timeoutMs?: number): Promise<HostMessage> {
    const answer = this.waitFor(command.cmd, timeoutMs);
    this.send(command);
    return answer;
  }

  /** Asks the host to exit; after `graceMs`, kills its group. */
  async close(graceMs = 5000): Promise<void> {
    if (this.#exited) return;
    try {
      this.send({ cmd: 'exit' });
    } catch {
      // stdin already closed
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
