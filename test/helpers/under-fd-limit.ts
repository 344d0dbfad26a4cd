// Runs a TypeScript script in a child node (tsx) under a low limit of open files: a test can run the
// app out of file descriptors for real while its own process never runs short.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hasUtilLinux } from './platform.js';

const TSX = resolve('node_modules/.bin/tsx');

export interface FdLimitedRun {
  /** For the test's afterEach: kill it by pid if the test fails before it exits. */
  child: ChildProcess;
  /** Its exit code, its whole stderr, and the last line it printed, parsed as JSON. */
  done: Promise<{ code: number | null; stderr: string; result: unknown }>;
}

/**
 * `afterImports` (where util-linux is at hand): the script lowers its own limit as its first statement,
 * which runs once its imports are loaded — started under the limit, tsx's loader (many files open at
 * once on a loaded machine) can run out before the script begins. `fromStart`, or without util-linux:
 * `sh -c 'ulimit -n'` starts it under the limit, for code that reads the limit as it is imported.
 */
export function runUnderFdLimit(scriptPath: string, maxOpenFiles: number, { lowered = 'afterImports' }: { lowered?: 'afterImports' | 'fromStart' } = {}): FdLimitedRun {
  let child: ChildProcess;
  if (hasUtilLinux && lowered === 'afterImports') {
    const lowerFirst =
      `import { execFileSync as lowerOpenFilesLimit } from 'node:child_process';\n` +
      `lowerOpenFilesLimit('prlimit', ['--pid=' + process.pid, '--nofile=${maxOpenFiles}:${maxOpenFiles}']);\n`;
    writeFileSync(scriptPath, lowerFirst + readFileSync(scriptPath, 'utf8'));
    child = spawn(TSX, [scriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    child = spawn('sh', ['-c', `ulimit -n ${maxOpenFiles} && exec "$0" "$1"`, TSX, scriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
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
