// The packaging check (scripts/check-packaging.mjs: electron-builder --dir against a stand-in Electron
// binary, offline) takes 5–15 s, so it runs only when asked: POOLDECK_CHECK_PACKAGING=1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((file) => existsSync(file));
const asked = process.env.POOLDECK_CHECK_PACKAGING === '1';
if (!asked) console.warn('skipping the packaging check: set POOLDECK_CHECK_PACKAGING=1 (or run node scripts/check-packaging.mjs)');
else if (!built) console.warn('skipping the packaging check: the build output is missing (run npm run build)');

describe.skipIf(!asked || !built)('electron-builder packaging', () => {
  it('packs out/**, the unpacked worker helpers and the runtime dependencies, nothing else, with the fuses set', { timeout: 120_000 }, () => {
    const run = spawnSync(process.execPath, ['scripts/check-packaging.mjs', '--json'], { encoding: 'utf8', timeout: 110_000 });
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; error?: string; problems?: string[] };
    expect(report.error).toBeUndefined();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
