// Electronegativity (the Electron security checklist) over the desktop shell's sources, offline: every
// finding must be justified in electronegativity.config.json, and no justification may outlive its
// finding. A deliberately insecure window shows the scanner reads our TypeScript and reports.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Finding {
  check: string;
  file: string;
  line: number;
}
interface SecurityReport {
  ok: boolean;
  checks: number;
  findings: Finding[];
  unjustified: Finding[];
  stale: { check: string; file: string }[];
  parseErrors: string[];
}
interface Justification {
  check: string;
  file: string;
  reason: string;
  checkedBy: string;
}

const SCAN_TIMEOUT_MS = 60_000;

function checkElectronSecurity(...dirs: string[]): SecurityReport {
  const run = spawnSync(process.execPath, ['scripts/check-electron-security.cjs', '--json', ...dirs], { encoding: 'utf8', timeout: SCAN_TIMEOUT_MS });
  expect(run.signal, `electronegativity did not finish within ${SCAN_TIMEOUT_MS / 1000} s`).toBeNull();
  const last = run.stdout.trim().split('\n').at(-1);
  expect(last, `no report; stderr:\n${run.stderr}`).toMatch(/^\{/);
  return JSON.parse(last!) as SecurityReport;
}

describe('electronegativity over main/electron and main/preload', () => {
  it('reports nothing that electronegativity.config.json does not justify, and parses every file', { timeout: SCAN_TIMEOUT_MS + 5_000 }, () => {
    const report = checkElectronSecurity();
    expect(report.parseErrors).toEqual([]);
    expect(report.unjustified).toEqual([]);
    expect(report.stale).toEqual([]);
    expect(report.checks).toBeGreaterThan(30);
    expect(report.ok).toBe(true);
  });

  it('gives every justification a reason and the tests that check it', () => {
    const config = JSON.parse(readFileSync('electronegativity.config.json', 'utf8')) as { justified: Justification[]; excludedChecks: Record<string, string> };
    for (const entry of config.justified) {
      expect(entry.reason, `${entry.check} ${entry.file}`).toMatch(/\w{3,}/);
      expect(entry.checkedBy, `${entry.check} ${entry.file}`).toMatch(/^test\//);
    }
    for (const [check, reason] of Object.entries(config.excludedChecks)) expect(reason, check).toMatch(/\w{3,}/);
  });

  it('finds Node integration and a missing context isolation in an insecure TypeScript window', { timeout: SCAN_TIMEOUT_MS + 5_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-insecure-shell-'));
    try {
      writeFileSync(
        join(dir, 'window.ts'),
        [
          "import { BrowserWindow } from 'electron';",
          'type Size = { width: number };',
          'const size = { width: 800 } satisfies Size;',
          'export const window = new BrowserWindow({ ...size, webPreferences: { nodeIntegration: true, contextIsolation: false } });',
          '',
        ].join('\n'),
      );
      const report = checkElectronSecurity(dir);
      expect(report.parseErrors).toEqual([]);
      const checks = report.unjustified.map((finding) => finding.check);
      expect(checks).toContain('NODE_INTEGRATION_JS_CHECK');
      expect(checks).toContain('CONTEXT_ISOLATION_JS_CHECK');
      expect(report.ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
