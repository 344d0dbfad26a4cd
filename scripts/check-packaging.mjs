// Checks the electron-builder config offline, without an Electron binary (see docs: TOOLCHAIN).
// Packs the built app (`npm run build` first) with `--dir` against a stand-in `electron` executable
// that carries a fuse wire, then reports what app.asar holds and which fuses were flipped.
// Exits 1 when a rule below is broken. It takes 5–15 s here (electron-builder runs npm to list the
// production dependencies); test/packaging runs it on every test run.
// Usage: node scripts/check-packaging.mjs [--json] [--keep]
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const asJson = process.argv.includes('--json');
const keep = process.argv.includes('--keep');

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's defaults for the eight v1 fuses ('1' on, '0' off), so a fuse the config forgets stays at its default.
const DEFAULT_FUSE_WIRE = '10110001';
const EXPECTED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};
const REQUIRED_FILES = [
  '/package.json',
  '/out/main/index.js',
  '/out/main/server.js',
  '/out/preload/index.cjs',
  '/out/renderer/index.html',
  '/node_modules/pidusage/package.json',
  '/node_modules/ws/package.json',
  '/node_modules/zod/package.json',
  '/node_modules/electron-updater/package.json',
];
const FORBIDDEN_FILES = [
  /^\/(main|renderer|test|bench|scripts|docs|src|\.ci)\//,
  /^\/out\/.*\.map$/,
  /^\/(electron|vitest|svelte)\.config\./,
  /^\/node_modules\/(electron|electron-builder|vite|vitest|svelte|typescript|playwright-core)\//,
];

/** What is wrong with the package, as sentences; empty when it is right. */
function problemsOf({ files, unpackedWorkers, unpackedScripts, fuses, updateFeed }) {
  const problems = [];
  // electron-updater reads its feed from resources/app-update.yml, written from build.publish.
  if (!/^provider: github$/m.test(updateFeed ?? '')) problems.push(`resources/app-update.yml does not name the GitHub feed (${updateFeed === null ? 'missing' : JSON.stringify(updateFeed)})`);
  for (const file of REQUIRED_FILES) if (!files.includes(file)) problems.push(`app.asar lacks ${file}`);
  if (!files.some((file) => file.startsWith('/resources/workers/'))) problems.push('app.asar lacks resources/workers');
  if (unpackedWorkers.length === 0) problems.push('the worker helpers are not unpacked next to app.asar');
  // Python runs them from disk: the inspector's sitecustomize and the demo's multiprocessing scripts.
  for (const [folder, file] of UNPACKED_SCRIPTS) {
    if (!unpackedScripts.includes(`${folder}/${file}`)) problems.push(`resources/${folder}/${file} is not unpacked next to app.asar`);
  }
  for (const file of files) {
    if (FORBIDDEN_FILES.some((pattern) => pattern.test(file))) problems.push(`app.asar should not hold ${file}`);
  }
  for (const [name, expected] of Object.entries(EXPECTED_FUSES)) {
    if (fuses[name] !== expected) problems.push(`fuse ${name} is ${fuses[name]}, expected ${expected}`);
  }
  return problems;
}

const UNPACKED_SCRIPTS = [
  ['inspector', 'sitecustomize.py'],
  ['inspector', 'pooldeck_inspector.py'],
  ['demo', 'pool_run_task.py'],
  // A Python pool's template (main/core/python-template.ts), run beside the helper it imports.
  ['workers', 'pooldeck_template.py'],
  // The channel's connect and handshake: the helper imports it, the inspector loads it alone.
  ['workers', 'pooldeck_connection.py'],
];

const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];

/**
 * The GitHub publish config (auto-update's feed) names its repository from the git remote, as on CI.
 * A clone whose `origin` is not on GitHub (none at all, or a local path as in a clone of a clone) gets a
 * stand-in owner and repo, so that app-update.yml is still written and checked.
 */
function repositoryStandIn() {
  const remote = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: root, encoding: 'utf8' });
  const onGitHub = remote.status === 0 && /github\.com[:/]/.test(remote.stdout);
  return onGitHub ? [] : ['--config.publish.owner=pooldeck-packaging-check', '--config.publish.repo=pooldeck'];
}

function fail(message) {
  if (asJson) console.log(JSON.stringify({ ok: false, error: message }));
  else console.error(`check-packaging: ${message}`);
  process.exit(1);
}

for (const built of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
  if (!existsSync(join(root, built))) fail(`${built} is missing: run npm run build first`);
}

const work = mkdtempSync(join(tmpdir(), 'pooldeck-pack-'));
const electronDist = join(work, 'electron-dist');
const output = join(work, 'dist');
try {
  mkdirSync(electronDist, { recursive: true });
  const standIn = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "Electron stand-in for packaging checks"\nexit 0\n'),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, DEFAULT_FUSE_WIRE.length]),
    Buffer.from(DEFAULT_FUSE_WIRE),
    Buffer.from('\n'),
  ]);
  writeFileSync(join(electronDist, 'electron'), standIn);
  chmodSync(join(electronDist, 'electron'), 0o755);

  const started = Date.now();
  const cli = require.resolve('electron-builder/cli.js');
  const build = spawnSync(
    process.execPath,
    [cli, '--dir', '--linux', '--publish', 'never', `--config.electronDist=${electronDist}`, `--config.directories.output=${output}`, ...repositoryStandIn()],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 },
  );
  const elapsedMs = Date.now() - started;
  if (build.status !== 0) throw new Error(`electron-builder failed (${build.status ?? build.signal}):\n${build.stdout}\n${build.stderr}`);

  const unpacked = join(output, 'linux-unpacked');
  const asarPath = join(unpacked, 'resources', 'app.asar');
  if (!existsSync(asarPath)) throw new Error(`no app.asar in ${unpacked}`);
  const { listPackage } = require('@electron/asar');
  const files = listPackage(asarPath).map((file) => file.replaceAll('\\', '/'));
  const unpackedWorkers = join(unpacked, 'resources', 'app.asar.unpacked', 'resources', 'workers');
  const executable = readdirSync(unpacked).find((name) => name !== 'resources' && !name.includes('.'));

  const { getCurrentFuseWire } = require('@electron/fuses');
  const wire = await getCurrentFuseWire(join(unpacked, executable));
  const fuses = Object.fromEntries(FUSE_NAMES.map((name, index) => [name, wire[index] === 49]));

  const report = {
    ok: true,
    elapsedMs,
    executable,
    fileCount: files.length,
    files,
    unpackedWorkers: existsSync(unpackedWorkers) ? readdirSync(unpackedWorkers) : [],
    unpackedScripts: UNPACKED_SCRIPTS.map(([folder, file]) => `${folder}/${file}`).filter((path) =>
      existsSync(join(unpacked, 'resources', 'app.asar.unpacked', 'resources', path)),
    ),
    fuses,
    updateFeed: existsSync(join(unpacked, 'resources', 'app-update.yml')) ? readFileSync(join(unpacked, 'resources', 'app-update.yml'), 'utf8') : null,
    problems: [],
  };
  report.problems = problemsOf(report);
  report.ok = report.problems.length === 0;
  if (asJson) {
    console.log(JSON.stringify(report));
  } else {
    const groups = new Map();
    for (const file of files) {
      const parts = file.split('/').filter(Boolean);
      const key = parts.slice(0, 2).join('/');
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    console.log(`packed in ${(elapsedMs / 1000).toFixed(1)} s: ${unpacked}${keep ? '' : ' (removed)'}`);
    console.log(`app.asar: ${files.length} entries`);
    for (const [key, count] of groups) console.log(`  ${key} ${count}`);
    console.log(`unpacked worker helpers: ${report.unpackedWorkers.join(', ') || 'none'}`);
    console.log(`fuses: ${Object.entries(fuses).map(([name, on]) => `${name}=${on}`).join(', ')}`);
    console.log(report.ok ? 'packaging OK' : `packaging problems:\n  ${report.problems.join('\n  ')}`);
  }
  if (!report.ok) process.exitCode = 1;
} catch (error) {
  if (!keep) rmSync(work, { recursive: true, force: true });
  fail(error instanceof Error ? error.message : String(error));
}
if (!keep) rmSync(work, { recursive: true, force: true });
