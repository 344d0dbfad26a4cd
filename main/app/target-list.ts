// What a file offers to run as a target: its top-level functions and classes, asked of the helper that
// would run them (`pooldeck_worker.py list FILE`, `pooldeck-worker.cjs list FILE`). The app never
// parses Python or JavaScript itself: the helper imports the file as a target run would.
import { execFile, type ExecFileException } from 'node:child_process';
import { extname } from 'node:path';
import { targetLaunch } from '../core/process-target.js';
import type { TargetList } from '../protocol/commands.js';
import { CommandFailure } from '../protocol/errors.js';
import type { ListTargetsArgs } from '../protocol/schemas.js';

/** Importing a file should take a moment; one that runs its work at import must not hold the form. */
const LIST_TIMEOUT_MS = 15_000;
/** The answer is one line of names and signatures; more than this is not a list worth showing. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const LISTABLE_EXTENSIONS = new Set(['.py', '.mjs', '.cjs', '.js']);

export interface TargetListOptions extends ListTargetsArgs {
  /** The helpers' folder; left out, the core's own lookup. */
  workersDir?: string;
  timeoutMs?: number;
}

/** Lists `file`'s targets, or fails with a CommandFailure whose message names the file and the cause. */
export async function listTargets(options: TargetListOptions): Promise<TargetList> {
  const { file, cwd, python, node, workersDir, timeoutMs = LIST_TIMEOUT_MS } = options;
  if (!LISTABLE_EXTENSIONS.has(extname(file))) {
    throw new CommandFailure({ code: 'invalid', field: 'file', message: `file: ${file} is not a .py, .mjs, .cjs or .js file` });
  }
  // The interpreter and helper a target in this file would run with: one place knows them.
  const launch = targetLaunch(`${file}:_`, { python, node, workersDir });
  const helper = launch.args[0]!;
  const interpreter = extname(file) === '.py' ? 'python' : 'node';
  const { stdout, failure } = await runHelper(launch.command, [helper, 'list', file], { cwd, timeoutMs });
  if (failure !== null) {
    if (failure.code === 'ENOENT') {
      throw new CommandFailure({
        code: 'start_failed',
        field: interpreter,
        message: `cannot list ${file}: cannot run ${launch.command} (${cwd !== undefined ? `not found, or no folder ${cwd}` : 'not found'})`,
      });
    }
    if (failure.killed) {
      throw new CommandFailure({ code: 'invalid', field: 'file', message: `cannot list ${file}: importing it took longer than ${timeoutMs / 1000} s (does it run its work at import?)` });
    }
    if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      throw new CommandFailure({ code: 'invalid', field: 'file', message: `cannot list ${file}: the helper answered more than ${MAX_ANSWER_BYTES} bytes` });
    }
  }
  return parseAnswer(file, stdout, failure);
}

interface HelperRun {
  stdout: string;
  failure: ExecFileException | null;
}

function runHelper(command: string, args: string[], { cwd, timeoutMs }: { cwd: string | undefined; timeoutMs: number }): Promise<HelperRun> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_ANSWER_BYTES, encoding: 'utf8', windowsHide: true },
      (error, stdout) => resolve({ stdout, failure: error }),
    );
  });
}

/** The helper's one line: `{"type":"targets",…}`, or `{"type":"error","error":{type,message}}` with exit status 1. */
function parseAnswer(file: string, stdout: string, failure: Error | null): TargetList {
  const line = stdout.trim().split('\n').pop() ?? '';
  let answer: unknown;
  try {
    answer = JSON.parse(line);
  } catch {
    const cause = failure ? failure.message.split('\n')[0] : `it answered ${JSON.stringify(line.slice(0, 80))}`;
    throw new CommandFailure({ code: 'internal', field: 'file', message: `cannot list ${file}: the helper failed (${cause})` });
  }
  const message = answer as { type?: unknown; error?: { message?: unknown }; language?: unknown; targets?: unknown; file?: unknown };
  if (message.type === 'error') {
    const reason = typeof message.error?.message === 'string' ? message.error.message : `cannot list ${file}`;
    throw new CommandFailure({ code: /no such file/.test(reason) ? 'not_found' : 'invalid', field: 'file', message: reason });
  }
  if (message.type !== 'targets' || !Array.isArray(message.targets) || (message.language !== 'python' && message.language !== 'node')) {
    throw new CommandFailure({ code: 'internal', field: 'file', message: `cannot list ${file}: the helper answered an unknown line` });
  }
  return { file: typeof message.file === 'string' ? message.file : file, language: message.language, targets: message.targets as TargetList['targets'] };
}
