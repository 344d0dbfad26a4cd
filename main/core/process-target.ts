// Running a function instead of a program: `Process({ target: 'tasks.py:square' })`. The target runs
// inside a helper of resources/workers (pooldeck_worker.py for Python, pooldeck-worker.cjs for Node),
// which gets the call on the channel (fd 3) as one line and answers with one line before it exits:
//   main → helper  {"type":"call","name":"Process-1","args":[...],"kwargs":{...}}
//   helper → main  {"type":"return","value":...} | {"type":"error","error":{type,message,traceback}}
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { jsonProblem } from './json-values.js';
import { defaultPythonCommand } from './python-command.js';

export { jsonProblem };

/** What a target raised, or why it could not be loaded. */
export interface TargetError {
  type: string;
  message: string;
  traceback: string;
}

export type TargetLanguage = 'python' | 'node';

/**
 * The helpers' folder, resources/workers, found above this file: two levels up in the sources
 * (main/core), three in the build (out/main/chunks). Packaged, the helpers are unpacked beside app.asar
 * (interpreters cannot read inside it), as workersDir in main/electron/app-paths.ts also knows.
 */
export function defaultWorkersDir(): string {
  const candidates = ['../../resources/workers/', '../../../resources/workers/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)).replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked'),
  );
  return candidates.find((dir) => existsSync(join(dir, 'pooldeck_worker.py'))) ?? candidates[0]!;
}

const NODE_EXTENSIONS = ['.mjs', '.cjs', '.js'];

/** `tasks.py:square` → Python, `tasks.mjs:square` → Node, `pkg.mod:f` → Python; throws a TypeError naming `target` when malformed. */
export function targetLanguage(target: string, owner = 'Process', option = 'target'): TargetLanguage {
  const colon = target.lastIndexOf(':');
  if (colon <= 0 || colon === target.length - 1) {
    throw new TypeError(
      `${owner}: \`${option}\` must be FILE:ATTR or MODULE:ATTR (tasks.py:square, tasks.mjs:square, mypkg.tasks:square), not ${JSON.stringify(target)}`,
    );
  }
  const where = target.slice(0, colon);
  return NODE_EXTENSIONS.some((extension) => where.endsWith(extension)) ? 'node' : 'python';
}

export interface TargetLaunch {
  command: string;
  args: string[];
}

/** The interpreter and helper arguments that run `target`. */
export function targetLaunch(
  target: string,
  interpreters: { python?: string; node?: string; workersDir?: string },
): TargetLaunch {
  const workersDir = interpreters.workersDir ?? defaultWorkersDir();
  if (targetLanguage(target) === 'node') {
    return { command: interpreters.node ?? 'node', args: [join(workersDir, 'pooldeck-worker.cjs'), 'run', target] };
  }
  return { command: interpreters.python ?? defaultPythonCommand(process.platform), args: [join(workersDir, 'pooldeck_worker.py'), 'run', target] };
}

export interface PoolTargetOptions {
  target: string;
  /** Runs once per worker, before its first task, with `initargs`: a target of the same language. */
  initializer?: string;
  initargs?: unknown[];
  python?: string;
  node?: string;
  workersDir?: string;
}

/** The helper command line of a pool worker that serves `target` (the helper's `serve` mode). */
export function poolTargetLaunch(options: PoolTargetOptions): TargetLaunch {
  const { target, initializer, initargs } = options;
  if (typeof target !== 'string') throw new TypeError('Pool: `target` must be a string, FILE:ATTR or MODULE:ATTR');
  const language = targetLanguage(target, 'Pool');
  const launch = targetLaunch(target, options);
  const args = [launch.args[0]!, 'serve', target];
  if (initializer !== undefined) {
    if (typeof initializer !== 'string' || targetLanguage(initializer, 'Pool', 'initializer') !== language) {
      throw new TypeError(`Pool: \`initializer\` must be a ${language === 'node' ? 'Node' : 'Python'} target like \`target\` (FILE:ATTR or MODULE:ATTR), not ${JSON.stringify(initializer)}`);
    }
    args.push('--initializer', initializer);
  }
  if (initargs !== undefined) {
    if (!Array.isArray(initargs)) throw new TypeError('Pool: `initargs` must be an array of JSON values, the initializer\'s arguments');
    if (initializer === undefined) throw new TypeError('Pool: `initargs` needs an `initializer` to pass them to');
    const problem = jsonProblem(initargs, 'initargs');
    if (problem) throw new TypeError(`Pool: ${problem}`);
    args.push('--initargs', JSON.stringify(initargs));
  }
  return { command: launch.command, args };
}

/** How long after the exit to wait for the answer line when the channel stays open (a grandchild holds it). */
const ANSWER_DRAIN_MS = 200;

export interface TargetOutcome {
  /** What the target returned (null for None/undefined); undefined when it did not return. */
  returnValue: unknown;
  error: TargetError | null;
}

/**
 * The main side of one call: sends the call line on `channel` and collects the answer. `outcome()`
 * resolves once the answer came, the channel ended, or ANSWER_DRAIN_MS after `exited()`.
 */
export class TargetCall {
  #text = '';
  #outcome: TargetOutcome = { returnValue: undefined, error: null };
  #done = false;
  #settle: () => void = () => {};
  readonly #settled: Promise<void>;

  constructor(
    channel: Duplex,
    call: { name: string; args: readonly unknown[]; kwargs: Record<string, unknown> | undefined },
  ) {
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
    channel.setEncoding('utf8');
    channel.on('data', (chunk: string) => this.#receive(chunk));
    channel.once('end', () => this.#finish());
    channel.once('close', () => this.#finish());
    // A helper that exits before reading (it could not start its interpreter) breaks the pipe.
    channel.on('error', () => this.#finish());
    // kwargs only when given: the Node helper then passes them as one more, last argument.
    channel.write(`${JSON.stringify({ type: 'call', name: call.name, args: call.args, kwargs: call.kwargs })}\n`);
  }

  /** Called once the process exited: the answer is in the pipe by then, unless none was written. */
  exited(): Promise<TargetOutcome> {
    if (!this.#done) setTimeout(() => this.#finish(), ANSWER_DRAIN_MS).unref();
    return this.#settled.then(() => this.#outcome);
  }

  #receive(chunk: string): void {
    if (this.#done) return;
    this.#text += chunk;
    const newline = this.#text.indexOf('\n');
    if (newline === -1) return;
    this.#outcome = parseAnswer(this.#text.slice(0, newline));
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle();
  }
}

function parseAnswer(line: string): TargetOutcome {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return { returnValue: undefined, error: { type: 'ProtocolError', message: `the helper answered a line that is not JSON: ${line.slice(0, 80)}`, traceback: '' } };
  }
  if (typeof message === 'object' && message !== null) {
    const answer = message as { type?: unknown; value?: unknown; error?: Partial<TargetError> };
    if (answer.type === 'return') return { returnValue: answer.value ?? null, error: null };
    if (answer.type === 'error' && typeof answer.error === 'object' && answer.error !== null) {
      return {
        returnValue: undefined,
        error: {
          type: String(answer.error.type ?? 'Error'),
          message: String(answer.error.message ?? ''),
          traceback: String(answer.error.traceback ?? ''),
        },
      };
    }
  }
  return { returnValue: undefined, error: { type: 'ProtocolError', message: `the helper answered an unknown line: ${line.slice(0, 80)}`, traceback: '' } };
}
