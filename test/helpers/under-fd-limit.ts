// Runs a TypeScript script in a child node (tsx) under a low `ulimit -n`: a test can run the app out of
// file descriptors for real while its own process never runs short.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const TSX = resolve('node_modules/.bin/tsx');

export interface FdLimitedRun {
  /** For the test's afterEach: kill it by pid if the test fails before it exits. */
  child: ChildProcess;
  /** Its exit code, its whole stderr, and the last line it printed, parsed as JSON. */
  done: Promise<{ code: number | null; stderr: string; result: unknown }>;
}

export function runUnderFdLimit(scriptPath: string, maxOpenFiles: number): FdLimitedRun {
  const child = spawn('sh', ['-c', `ulimit -n ${maxOpenFiles} && exec "$0" "$1"`, TSX, scriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((settle) => child.once('close', settle)).then((code) => {
    const last = stdout.trim().split('\n').pop() ?? '';
    return { code, stderr, result: code === 0 ? (JSON.parse(last) as unknown) : null };
  });
  return { child, done };
}
