// The packaging check (scripts/check-packaging.mjs: electron-builder --dir against a stand-in Electron
// binary, offline) on every test run. It takes about 6 s here; the child is killed after 90 s, so a hung
// electron-builder fails this test instead of holding the run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BUILD_OUTPUT = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const CHECK_TIMEOUT_MS = 90_000;

interface PackagingReport {
  ok: boolean;
  error?: string;
  problems?: string[];
  elapsedMs?: number;
}

describe('electron-builder packaging', () => {
  it('packs out/**, the unpacked worker helpers and the runtime dependencies, nothing else, with the fuses set', { timeout: CHECK_TIMEOUT_MS + 10_000 }, () => {
    const missing = BUILD_OUTPUT.filter((file) => !existsSync(file));
    expect(missing, 'the build output is missing: run npm run build first (npm test does)').toEqual([]);
    const run = spawnSync(process.execPath, ['scripts/check-packaging.mjs', '--json'], { encoding: 'utf8', timeout: CHECK_TIMEOUT_MS });
    expect(run.signal, `check-packaging did not finish within ${CHECK_TIMEOUT_MS / 1000} s`).toBeNull();
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as PackagingReport;
    expect(report.error).toBeUndefined();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    console.log(`packaging check: electron-builder packed in ${((report.elapsedMs ?? 0) / 1000).toFixed(1)} s`);
  });
});
