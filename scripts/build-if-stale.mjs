// `npm start` and `npm run serve`: build only when a source changed since the last build, so a
// second launch starts in a second instead of rebuilding. `--always` builds whatever the stamp says
// (`npm run build`). Prints one line saying which, on stderr (the server's stdout is its URL line).
//
// The stamp (out/.build-stamp) holds the time the last successful build *started*: a file saved while
// a build runs is newer than that, so the next launch builds again. A failed build leaves no stamp.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the build reads: folders walked whole, and top-level files (plus every tsconfig*.json). */
const SOURCE_DIRS = ['main', 'renderer', 'resources'];
const SOURCE_FILES = ['electron.config.ts', 'svelte.config.js', 'package.json', 'package-lock.json'];
/** Written while the app runs (Python's bytecode cache), never read by the build. */
const IGNORED_NAMES = new Set(['__pycache__', 'node_modules', '.DS_Store']);

export const STAMP_PATH = join('out', '.build-stamp');

/** The newest file among the build's sources: `{ path, mtimeMs }` relative to `root`, or null if none. */
export function newestSource(root) {
  let newest = null;
  const consider = (path) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return; // gone between listing and reading: not a source any more
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(path)) if (!IGNORED_NAMES.has(name) && !name.endsWith('.pyc')) consider(join(path, name));
    } else if (newest === null || stats.mtimeMs > newest.mtimeMs) {
      newest = { path: relative(root, path), mtimeMs: stats.mtimeMs };
    }
  };
  const tsconfigs = readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name));
  for (const name of [...SOURCE_DIRS, ...SOURCE_FILES, ...tsconfigs]) consider(join(root, name));
  return newest;
}

/** When the last successful build started (ms since the epoch), or null when there is no valid stamp. */
export function readStamp(root) {
  try {
    const startedAt = Number(JSON.parse(readFileSync(join(root, STAMP_PATH), 'utf8')).startedAt);
    return Number.isFinite(startedAt) ? startedAt : null;
  } catch {
    return null;
  }
}

export function writeStamp(root, startedAt) {
  writeFileSync(join(root, STAMP_PATH), `${JSON.stringify({ startedAt, startedAtIso: new Date(startedAt).toISOString() })}\n`);
}

/** `{ stale, reason }`: whether out/ predates a source, and a sentence saying why either way. */
export function buildState(root) {
  const startedAt = readStamp(root);
  if (startedAt === null) return { stale: true, reason: `no build stamp (${STAMP_PATH}): building` };
  const newest = newestSource(root);
  const builtAt = new Date(startedAt).toISOString();
  if (newest !== null && newest.mtimeMs > startedAt) {
    return { stale: true, reason: `${newest.path} changed since the build of ${builtAt}: building` };
  }
  return { stale: false, reason: `the build of ${builtAt} is current (newest source: ${newest?.path ?? 'none'}): not building` };
}

/**
 * Runs `build` (which returns true on success) when `always` or when out/ is stale, and stamps a
 * successful build with its start time. Returns whether the build is usable.
 */
export function buildIfStale({ root, always = false, build, log = (line) => process.stderr.write(`${line}\n`) }) {
  const state = always ? { stale: true, reason: 'building' } : buildState(root);
  log(`build-if-stale: ${state.reason}`);
  if (!state.stale) return true;
  const startedAt = Date.now();
  // No stamp while building: an interrupted or failed build must not look current.
  rmSync(join(root, STAMP_PATH), { force: true });
  if (!build()) return false;
  writeStamp(root, startedAt);
  return true;
}

function electronViteBuild(root) {
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  // The build's report goes to stderr too: `npm run serve`'s stdout is the server's URL line.
  const run = spawnSync(process.execPath, [cli, 'build', '--config', 'electron.config.ts'], { cwd: root, stdio: ['inherit', process.stderr, 'inherit'] });
  return run.status === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const ok = buildIfStale({ root, always: process.argv.includes('--always'), build: () => electronViteBuild(root) });
  process.exit(ok ? 0 : 1);
}
