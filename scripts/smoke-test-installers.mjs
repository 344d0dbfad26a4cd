// Installs (or mounts) every installer electron-builder left in dist/ for this OS, starts the app it
// holds with --smoke-test (main/electron/smoke-test.ts) and checks it prints "Pooldeck <version> started"
// and exits 0. Run by .github/workflows/release.yml after the build, under xvfb-run on Linux.
// Usage: node scripts/smoke-test-installers.mjs [distDir]   Exits 1 if an installer fails or none is found.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const distDir = resolve(process.argv[2] ?? 'dist');
const { version, name, build } = JSON.parse(readFileSync('package.json', 'utf8'));
const { productName } = build;
const EXPECTED_LINE = `${productName} ${version} started`;
const RUN_DEADLINE_MS = 120_000;
// GitHub's Ubuntu runners forbid the unprivileged user namespaces Chromium's sandbox uses.
const LINUX_FLAGS = ['--no-sandbox'];

const installers = readdirSync(distDir).filter((file) => /\.(AppImage|deb|dmg|exe)$/.test(file) && !file.endsWith('.blockmap'));

/** Runs a command to completion; throws with its output if it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Starts the app with --smoke-test and resolves to what went wrong, or null if it printed the line and exited 0. */
function smokeTest(executable, extraArgs = [], env = process.env) {
  return new Promise((done) => {
    const home = mkdtempSync(join(tmpdir(), 'pooldeck-smoke-'));
    const child = spawn(executable, [...extraArgs, '--smoke-test'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), APPDATA: join(home, 'appdata') },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), RUN_DEADLINE_MS);
    const finish = (problem) => {
      clearTimeout(deadline);
      rmSync(home, { recursive: true, force: true });
      done(problem === null ? null : `${problem}; output:\n${output}`);
    };
    child.once('error', (error) => finish(`could not start ${executable}: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (signal) return finish(`${executable} did not exit within ${RUN_DEADLINE_MS / 1000} s (${signal})`);
      if (!output.split(/\r?\n/).includes(EXPECTED_LINE)) return finish(`${executable} never printed "${EXPECTED_LINE}"`);
      finish(code === 0 ? null : `${executable} exited ${code}`);
    });
  });
}

const smokeTests = {
  async AppImage(file) {
    chmodSync(file, 0o755);
    // Extracting instead of mounting: the runners have no FUSE 2.
    return smokeTest(file, LINUX_FLAGS, { ...process.env, APPIMAGE_EXTRACT_AND_RUN: '1' });
  },
  async deb(file) {
    const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
    const [command, ...args] = [...asRoot, 'apt-get', 'install', '-y', '--allow-downgrades', file];
    run(command, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return smokeTest(`/opt/${productName}/${name}`, LINUX_FLAGS);
  },
  async dmg(file) {
    const mountPoint = mkdtempSync(join(tmpdir(), 'pooldeck-dmg-'));
    run('hdiutil', ['attach', '-nobrowse', '-readonly', '-mountpoint', mountPoint, file]);
    try {
      return await smokeTest(join(mountPoint, `${productName}.app`, 'Contents', 'MacOS', productName));
    } finally {
      run('hdiutil', ['detach', mountPoint, '-force']);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  },
  async exe(file) {
    const installDir = mkdtempSync(join(tmpdir(), 'pooldeck-install-'));
    // NSIS: /S installs silently; /D= must come last and unquoted.
    run(file, ['/S', `/D=${installDir}`]);
    return smokeTest(join(installDir, `${productName}.exe`));
  },
};

if (installers.length === 0) {
  console.error(`smoke test: no installer in ${distDir}`);
  process.exit(1);
}
let failed = 0;
for (const installer of installers) {
  const kind = installer.split('.').pop();
  const problem = await smokeTests[kind](join(distDir, installer)).catch((error) => error.message);
  if (problem === null) {
    console.log(`ok: ${installer} printed "${EXPECTED_LINE}" and exited 0`);
  } else {
    failed += 1;
    console.error(`FAILED: ${installer}: ${problem}`);
  }
}
console.log(`${installers.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
