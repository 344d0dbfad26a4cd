// Whether the tests that start a real Electron can run here, found without starting Electron's lazy
// download (node_modules/electron/index.js downloads its binary when imported). Where they cannot, the
// reason is printed and they skip, unless POOLDECK_REQUIRE_ELECTRON=1 (the CI matrix, where the binary
// is installed first): there a missing binary or display fails the test file instead of hiding it.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { announceSkip } from './platform.js';

const BUILD_OUTPUT = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

/** Electron's executable: under ELECTRON_OVERRIDE_DIST_PATH when set, else where its installer puts it. */
function electronBinary(): { path: string } | { reason: string } {
  const electronDir = resolve('node_modules/electron');
  const pathFile = join(electronDir, 'path.txt');
  const relativePath = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidate = join(override, relativePath || (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(candidate) ? { path: candidate } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${candidate})` };
  }
  if (!relativePath) return { reason: 'the Electron binary is not installed (no node_modules/electron/path.txt; it downloads on first run, which needs the network)' };
  const candidate = join(electronDir, 'dist', relativePath);
  return existsSync(candidate) ? { path: candidate } : { reason: `the Electron binary is missing at ${candidate}` };
}

export type ElectronAvailability = { binary: string; skipReason: null } | { binary: null; skipReason: string };

/** The binary to launch, or why the real-Electron tests of `suite` skip (printed once per suite). */
export function electronForTests(suite: string): ElectronAvailability {
  const found = electronBinary();
  const missingBuild = BUILD_OUTPUT.find((file) => !existsSync(file));
  const reason =
    'reason' in found
      ? found.reason
      : missingBuild
        ? `${missingBuild} is missing: run npm run build first`
        : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
          ? 'no display for Electron (run under xvfb-run)'
          : null;
  if (reason === null) return { binary: (found as { path: string }).path, skipReason: null };
  if (process.env.POOLDECK_REQUIRE_ELECTRON === '1') throw new Error(`${suite}: POOLDECK_REQUIRE_ELECTRON=1, but ${reason}`);
  announceSkip(suite, reason);
  return { binary: null, skipReason: reason };
}
