import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { disown, own } from './owned.js';

let cached: string | null = null;

/** The real python3 binary (not a version manager's shim, whose start-up would count against Python). */
export async function pythonExecutable(): Promise<string> {
  if (cached) return cached;
  const { stdout } = await promisify(execFile)('python3', ['-c', 'import sys; print(sys.executable)']);
  cached = stdout.trim() || 'python3';
  return cached;
}

/**
 * Runs a program in a process group of its own (registered, so a failure still ends it and whatever it
 * started) and resolves with its stdout; rejects on a non-zero exit or after `timeoutMs`.
 */
export function runOwned(command: string, args: string[], { timeoutMs = 120_000, env }: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    if (child.pid) own(child.pid, `${command} ${args[0] ?? ''}`);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    child.once('error', rejectRun);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Whatever it left in its group (pool workers) goes with it.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // nothing left
      }
      if (child.pid) disown(child.pid);
      if (code === 0) resolveRun(stdout);
      else rejectRun(new Error(`${command} ${args.join(' ')} ended with ${code ?? signal}: ${stderr}`));
    });
  });
}
