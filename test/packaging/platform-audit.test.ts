// Keeps the platform audit true as tests are added: a test file that reads /proc or runs sh -c either
// imports a condition from test/helpers/platform.ts (to skip, saying why, where macOS or Windows lacks
// it) or is listed here with the reason it needs none.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIX_BOUND = [/['"`]\/proc\//, /\bsh -c\b/, /command: 'sh'/, /['"]sh['"],\s*\[\s*['"]-c['"]/];
const IMPORTS_PLATFORM = /from '(\.\.\/)+helpers\/platform\.js'|from '\.\/platform\.js'/;

/** Files that match a pattern above but need no condition of their own (data only, or a fixture of a skipping test), and why. */
const RUN_EVERYWHERE: Record<string, string> = {
  'test/helpers/platform.ts': 'defines the conditions; its comments name /proc and sh',
  'test/packaging/platform-audit.test.ts': 'this audit: the patterns are its own text',
  'test/helpers/under-fd-limit.ts': 'runs sh ulimit -n for its callers, which skip where sh is missing (test/app/out-of-files, test/core/log-parts)',
  'test/fixtures/supervisor-app.ts': 'the app of test/app/orphans.test.ts, which skips where sh is missing',
  'test/fixtures/watchdog-app.ts': 'the app of test/core/orphan-watchdog.test.ts, whose tests that start it skip where sh is missing',
  'test/app/workspace-import.test.ts': 'sh -c is the expected import of a Procfile line: data, nothing runs',
  'test/e2e/browser-security.test.ts': 'sh -c is the body of a forged request that must be refused: nothing runs',
  'test/protocol/restart-schema.test.ts': "'sh' is a spec to validate: nothing runs",
  'test/protocol/schemas.test.ts': "'sh' is a spec to validate: nothing runs",
  'test/server/server.test.ts': "'sh' is a request body the server refuses: nothing runs",
  'test/renderer/history-view.test.ts': 'jsdom: the command line is text the view shows, nothing runs',
  'test/renderer/process-tree.test.ts': 'jsdom: the command lines are text the view shows, nothing runs',
  'test/renderer/spec-draft.svelte.test.ts': 'jsdom: the command line is a form draft, nothing runs',
};

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return /\.(ts|cjs|mjs)$/.test(entry.name) ? [path.split('\\').join('/')] : [];
  });
}

describe('the platform audit of the tests', () => {
  const files = testFiles('test');

  it('finds every test file that reads /proc or runs sh -c skipping through test/helpers/platform.ts, or listed with a reason', () => {
    const unmarked = files.filter((file) => {
      const text = readFileSync(file, 'utf8');
      return UNIX_BOUND.some((pattern) => pattern.test(text)) && !IMPORTS_PLATFORM.test(text) && !(file in RUN_EVERYWHERE);
    });
    expect(unmarked, 'import a condition from test/helpers/platform.ts and skip with it, or list the file in RUN_EVERYWHERE with a reason').toEqual([]);
  });

  it('lists only files that exist and still match, each with a reason', () => {
    for (const [file, reason] of Object.entries(RUN_EVERYWHERE)) {
      expect(files, `${file} is listed but missing`).toContain(file);
      expect(UNIX_BOUND.some((pattern) => pattern.test(readFileSync(file, 'utf8'))), `${file} no longer reads /proc or runs sh -c`).toBe(true);
      expect(reason.length, `${file} needs a reason`).toBeGreaterThan(0);
    }
  });
});
