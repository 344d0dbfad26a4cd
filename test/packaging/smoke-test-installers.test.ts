// The release's installer smoke test (scripts/smoke-test-installers.mjs), run here on AppImages that
// stand in for built ones: shell scripts that print what the real app prints under --smoke-test, or not.
// The real installers meet it only in .github/workflows/release.yml.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const SCRIPT_DEADLINE_MS = 60_000;

let dist: string;
beforeEach(() => {
  dist = mkdtempSync(join(tmpdir(), 'pooldeck-dist-'));
});
afterEach(() => {
  rmSync(dist, { recursive: true, force: true });
});

function standInAppImage(name: string, body: string): void {
  writeFileSync(join(dist, name), `#!/bin/sh\n${body}\n`);
}

function smokeTest() {
  const run = spawnSync(process.execPath, ['scripts/smoke-test-installers.mjs', dist], { encoding: 'utf8', timeout: SCRIPT_DEADLINE_MS });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe.runIf(process.platform === 'linux')('the installer smoke test', () => {
  it('passes an app that prints its version under --smoke-test and exits 0', () => {
    standInAppImage(`Pooldeck-${version}.AppImage`, `[ "$2" = --smoke-test ] && echo "Pooldeck ${version} started"`);
    const { status, output } = smokeTest();
    expect(output).toContain(`ok: Pooldeck-${version}.AppImage`);
    expect(output).toContain('1 passed, 0 failed');
    expect(status).toBe(0);
  });

  it('fails an app that prints another version, or exits non-zero, naming each', () => {
    standInAppImage('Pooldeck-old.AppImage', 'echo "Pooldeck 0.0.1 started"');
    standInAppImage('Pooldeck-crash.AppImage', `echo "Pooldeck ${version} started"; exit 3`);
    const { status, output } = smokeTest();
    expect(output).toMatch(/FAILED: Pooldeck-old\.AppImage: .* never printed "Pooldeck [^"]+ started"/);
    expect(output).toMatch(/FAILED: Pooldeck-crash\.AppImage: .* exited 3/);
    expect(output).toContain('0 passed, 2 failed');
    expect(status).toBe(1);
  });

  it('fails when the build left no installer', () => {
    const { status, output } = smokeTest();
    expect(output).toContain(`no installer in ${dist}`);
    expect(status).toBe(1);
  });
});
