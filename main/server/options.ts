import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// The headless CLI's options, apart from cli.ts so they can be tested without starting a server.

export const USAGE = `usage: pooldeck-serve [--port N] [--data-dir DIR] [WORKSPACE.yaml]
  WORKSPACE.yaml  the workspace to open (default: the last one opened)
  --port N        port on 127.0.0.1; 0 picks a free one (default: 7770, else the next free one up to 7779, else any)
  --data-dir DIR  where logs and the cookie secret are kept (default: $XDG_DATA_HOME/pooldeck or ~/.local/share/pooldeck)
  --exit-with-parent  shut down (ending every job) when the process that started the server ends`;

/** The default port (not in /etc/services, nor a common dev server default): the address stays the same from run to run. */
const DEFAULT_PORT = 7770;
/** Tried in order when --port is not given; a free port picked by the system after them. */
export const DEFAULT_PORTS: readonly number[] = Array.from({ length: 10 }, (_, i) => DEFAULT_PORT + i);

export interface CliOptions {
  /** The port asked for with --port, or null for the default ones (DEFAULT_PORTS, then any). */
  port: number | null;
  dataDir: string;
  /** Shut down once the parent process is gone (npm scripts and the launcher pass it). */
  exitWithParent: boolean;
  /** The workspace file given on the command line (absolute), or null for the last one opened. */
  workspace: string | null;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share');
  return join(base, 'pooldeck');
}

/** Parses argv; throws an Error whose message says what was wrong and what is allowed. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'exit-with-parent': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length > 1) throw new Error(`give at most one workspace file, got ${positionals.length}: ${positionals.join(' ')}`);
  let port: number | null = null;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65_535) {
      throw new Error(`--port must be a whole number from 0 to 65535 (0 picks a free port), got "${values.port}"`);
    }
    port = Number(values.port);
  }
  const dataDir = values['data-dir'];
  if (dataDir !== undefined && dataDir.trim() === '') throw new Error('--data-dir must not be empty');
  return {
    port,
    dataDir: dataDir !== undefined ? resolve(dataDir) : defaultDataDir(env),
    exitWithParent: values['exit-with-parent'] === true,
    // npm runs scripts in the package's folder: a relative path is the user's, from where npm was started.
    workspace: positionals[0] === undefined ? null : resolve(env.INIT_CWD ?? process.cwd(), positionals[0]),
  };
}
