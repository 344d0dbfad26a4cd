// scripts/build-if-stale.mjs, which `npm start` and `npm run serve` run instead of always building: on a
// stand-in checkout (a temporary folder with the source layout) and a stand-in build that writes out/.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, buildState, newestSource, readStamp, writeStamp } from '../../scripts/build-if-stale.mjs';

let root: string;
let builds: number;
let lines: string[];

/** Writes a file under `root` and dates it `secondsAgo` back. */
function source(path: string, secondsAgo = 100): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), 'x');
  const time = (Date.now() - secondsAgo * 1000) / 1000;
  utimesSync(join(root, path), time, time);
}

function run(always = false): boolean {
  return buildIfStale({
    root,
    always,
    log: (line) => lines.push(line),
    build: () => {
      builds += 1;
      mkdirSync(join(root, 'out', 'main'), { recursive: true });
      writeFileSync(join(root, 'out', 'main', 'server.js'), '');
      return true;
    },
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pooldeck-build-stamp-'));
  builds = 0;
  lines = [];
  source('main/server/cli.ts');
  source('renderer/App.svelte');
  source('resources/workers/pooldeck_worker.py');
  source('package.json');
  source('tsconfig.web.json');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('build-if-stale', () => {
  it('builds when there is no build yet, then not again while nothing changed', () => {
    expect(buildState(root).stale).toBe(true);
    expect(run()).toBe(true);
    expect(builds).toBe(1);
    expect(lines.at(-1)).toMatch(/no build stamp .*: building$/);
    expect(readStamp(root)).not.toBeNull();

    expect(run()).toBe(true);
    expect(builds).toBe(1);
    expect(lines.at(-1)).toMatch(/the build of .* is current \(newest source: .*\): not building$/);
  });

  it('builds again once a source in main/, renderer/, resources/ or a tsconfig is touched', () => {
    run();
    for (const path of ['main/server/cli.ts', 'renderer/App.svelte', 'resources/workers/pooldeck_worker.py', 'tsconfig.web.json', 'package.json']) {
      writeStamp(root, Date.now() - 50_000); // built 50 s ago...
      source(path, 10); // ...and this file saved 40 s later
      expect(buildState(root), path).toMatchObject({ stale: true });
      const builtAt = new Date(readStamp(root)!).toISOString();
      run();
      expect(lines.at(-1)).toBe(`build-if-stale: ${path} changed since the build of ${builtAt}: building`);
      expect(buildState(root).stale, `${path} after the rebuild`).toBe(false);
    }
    expect(builds).toBe(6);
  });

  it('ignores what Python writes next to the helpers while the app runs', () => {
    run();
    writeStamp(root, Date.now() - 50_000);
    source('resources/workers/__pycache__/pooldeck_worker.cpython-311.pyc', 10);
    expect(buildState(root).stale).toBe(false);
    expect(newestSource(root)?.path).not.toContain('__pycache__');
  });

  it('leaves no stamp after a failed build, so the next launch builds again', () => {
    run();
    writeStamp(root, Date.now() - 50_000);
    source('main/server/cli.ts', 10);
    expect(buildIfStale({ root, build: () => false, log: () => {} })).toBe(false);
    expect(readStamp(root)).toBeNull();
    expect(buildState(root).stale).toBe(true);
  });

  it('always builds with --always, and stamps the start of that build', () => {
    run();
    const before = Date.now();
    run(true);
    expect(builds).toBe(2);
    expect(readStamp(root)).toBeGreaterThanOrEqual(before);
  });
});

