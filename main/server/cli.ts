import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppBackend } from '../app/backend.js';
import { DEFAULT_GRACE_MS } from '../core/defaults.js';
import { loadCookieSecret } from './cookie-secret.js';
import { DEFAULT_PORTS, USAGE, parseCliArgs, type CliOptions } from './options.js';
import { watchParent } from './parent-watch.js';
import { createServer } from './server.js';

// `npm run serve`: the headless mode. Serves the UI on 127.0.0.1 and prints exactly one line on
// stdout, the URL with the token. Everything else goes to stderr. On SIGINT/SIGTERM/SIGHUP every job
// is terminated before exit: the headless mode never leaves processes behind.

/** The last resort before we exit anyway, whatever jobs are still doing. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/** out/renderer next to the built out/main/server.js; from the sources (tsx), the repo's out/renderer. */
function findRendererDir(): string {
  const candidates = [
    fileURLToPath(new URL('../renderer/', import.meta.url)),
    fileURLToPath(new URL('../../out/renderer/', import.meta.url)),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * resources/workers of this checkout (the demo's worker lives there). Resolved here, from the entry
 * file (out/main/server.js, or main/server/cli.ts under tsx: two levels down either way), because code
 * the bundler moves into out/main/chunks/ would resolve it one level off.
 */
function findWorkersDir(): string {
  return fileURLToPath(new URL('../../resources/workers/', import.meta.url));
}

/** The data dir's cookie secret; without one (an unwritable dir) the session cookies last one run. */
function keptCookieSecret(dataDir: string): string | undefined {
  try {
    return loadCookieSecret(dataDir);
  } catch (error) {
    process.stderr.write(`warning: cannot keep the cookie secret in ${dataDir} (${error instanceof Error ? error.message : String(error)}): tabs will need the new address after a restart\n`);
    return undefined;
  }
}

async function main(): Promise<void> {
  // stdout carries exactly one line; anything a dependency logs goes to stderr instead.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;

  let options: CliOptions | 'help';
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return;
  }

  const rendererDir = findRendererDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write(`warning: no built UI at ${rendererDir} (run npm run build)\n`);
  }
  const backend = createAppBackend({ dataDir: options.dataDir, workersDir: findWorkersDir(), workspacePath: options.workspace ?? undefined });
  let server;
  try {
    server = await createServer({
      backend,
      rendererDir,
      // No --port: the default port, else the next free ones, else any (port 0).
      port: options.port ?? 0,
      preferredPorts: options.port === null ? DEFAULT_PORTS : [],
      cookieSecret: keptCookieSecret(options.dataDir),
      log: (message) => process.stderr.write(`${message}\n`),
    });
  } catch (error) {
    process.stderr.write(`could not listen on 127.0.0.1:${options.port ?? DEFAULT_PORTS.join(', ')}: ${error instanceof Error ? error.message : String(error)}\n`);
    await backend.dispose();
    process.exit(1);
  }
  const running = server;
  if (options.port === null && running.port !== DEFAULT_PORTS[0]) {
    process.stderr.write(`port ${DEFAULT_PORTS[0]} is busy (another Pooldeck?): serving on ${running.port} instead\n`);
  }

  let shuttingDown = false;
  const shutdown = async (reason: string, exitCode: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stderr.write(`${reason}: terminating all jobs\n`);
    const deadline = setTimeout(() => {
      process.stderr.write('shutdown took too long; exiting\n');
      process.exit(exitCode || 1);
    }, SHUTDOWN_DEADLINE_MS);
    try {
      await running.close();
      const { stillRunning } = await backend.shutdown({ terminateAll: true, graceMs: DEFAULT_GRACE_MS });
      if (stillRunning.length > 0) {
        process.stderr.write(`still running after shutdown: ${stillRunning.map((row) => row.pid).join(', ')}\n`);
      }
      await backend.dispose();
    } catch (error) {
      process.stderr.write(`shutdown failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      exitCode = exitCode || 1;
    }
    clearTimeout(deadline);
    process.exit(exitCode);
  };
  if (options.exitWithParent) watchParent(() => void shutdown('the process that started the server ended', 0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(signal, 0));
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`uncaught: ${error.stack ?? String(error)}\n`);
    void shutdown('uncaught exception', 1);
  });
  // If whoever started us stops reading stdout, writing the line must not crash us.
  process.stdout.on('error', () => {});

  const workspace = await backend.handlers.getWorkspace({});
  if (workspace.error !== null) process.stderr.write(`warning: ${workspace.error}\n`);
  process.stdout.write(`Pooldeck serving at ${running.url}\n`);
}

void main();
