// `npm start` (after the build): the desktop app when Electron's binary exists, else the headless server.
// Electron 43+ downloads its binary lazily on first run; requiring 'electron' would start that download,
// so the binary is located by hand and the official installer is tried once, quietly, when it is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const userArgs = process.argv.slice(2);
const DOWNLOAD_TIMEOUT_MS = 180_000;

function electronBinary() {
  if (process.env.ELECTRON_EXEC_PATH && existsSync(process.env.ELECTRON_EXEC_PATH)) return process.env.ELECTRON_EXEC_PATH;
  let relativePath = '';
  try {
    relativePath = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
  } catch {
    // not downloaded yet
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const fallbackName = process.platform === 'win32' ? 'electron.exe' : 'electron';
    const candidate = join(override, relativePath || fallbackName);
    return existsSync(candidate) ? candidate : null;
  }
  if (!relativePath) return null;
  const candidate = join(electronDir, 'dist', relativePath);
  return existsSync(candidate) ? candidate : null;
}

function tryDownloadElectron() {
  const installer = join(electronDir, 'install.js');
  if (!existsSync(installer)) return;
  spawnSync(process.execPath, [installer], { cwd: electronDir, stdio: 'ignore', timeout: DOWNLOAD_TIMEOUT_MS });
}

/** Runs a child with the terminal, passes our signals on, and exits with its status. */
function runForwarding(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    console.error(`could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}

let binary = electronBinary();
if (!binary) {
  tryDownloadElectron();
  binary = electronBinary();
}

if (binary) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  runForwarding(binary, ['.', ...userArgs], env);
} else {
  console.log('Electron is not available here (its binary could not be downloaded); running the headless mode instead.');
  runForwarding(process.execPath, [join(root, 'out', 'main', 'server.js'), '--exit-with-parent', ...userArgs]);
}
