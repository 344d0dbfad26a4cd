// Runs electronegativity (Doyensec's Electron security checklist) over the desktop shell's sources,
// offline, and compares what it finds with the findings justified in electronegativity.config.json.
// Its CLI fetches translations and Electron's release list at start; this calls its runner with the
// bundled English texts instead, so the result is the same with or without a network.
// Usage: node scripts/check-electron-security.cjs [--json] [dir ...]   (default: the config's inputs)
// Exits 1 on an unjustified finding, a stale justification, or a file electronegativity could not parse.
'use strict';
const { cpSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { basename, dirname, isAbsolute, join, relative, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const config = JSON.parse(readFileSync(join(root, 'electronegativity.config.json'), 'utf8'));
const asJson = process.argv.includes('--json');
const dirArgs = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const inputs = dirArgs.length > 0 ? dirArgs : config.inputs;

const packageDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const i18nModule = join(packageDir, 'dist', 'locales', 'i18n.js');
// The runner awaits this module's export, which would download translations; it gets the bundled ones.
require.cache[i18nModule] = {
  id: i18nModule,
  filename: i18nModule,
  loaded: true,
  exports: async () => {
    // i18n is electronegativity's own dependency: load the copy it loads.
    createRequire(i18nModule)('i18n').configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: dirname(i18nModule),
      updateFiles: false,
      objectNotation: true,
      register: global,
    });
  },
};
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const run = require('@doyensec/electronegativity');

/** A finding's key in the config: the check and the file, not the line, which moves with every edit. */
const keyOf = (finding) => `${finding.check} ${finding.file}`;

/** Where an input sits in the scanned folder: its path in the repository, or its own name if outside. */
function folderNameOf(input) {
  const inRepo = relative(root, resolve(root, input));
  return inRepo.startsWith('..') || isAbsolute(inRepo) ? basename(input) : inRepo;
}

/**
 * One scan over all inputs at once (copied side by side into a temporary folder), so that its global
 * checks (CSP, navigation limits, permission handler) see the whole shell, not one folder at a time.
 */
async function scan() {
  const work = mkdtempSync(join(tmpdir(), 'pooldeck-electronegativity-'));
  try {
    for (const input of inputs) cpSync(resolve(root, input), join(work, folderNameOf(input)), { recursive: true });
    const result = await run(
      {
        input: work,
        excludeFromScan: Object.keys(config.excludedChecks),
        electronVersionOverride: electronVersion,
        parserPlugins: [],
      },
      false,
    );
    const sourcePath = (file) => relative(work, file).replaceAll('\\', '/');
    return {
      findings: result.issues.map((issue) => ({
        check: issue.id,
        file: issue.file === 'N/A' ? '(global)' : sourcePath(issue.file),
        line: issue.location.line,
        column: issue.location.column,
        severity: issue.severity.name,
        confidence: issue.confidence.name,
        description: issue.description,
      })),
      parseErrors: result.errors.map((error) => `${sourcePath(error.file)}: ${error.message}`),
      checks: result.globalChecks + result.atomicChecks,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const { findings, parseErrors, checks } = await scan();
  const justifiedKeys = new Set(config.justified.map(keyOf));
  const foundKeys = new Set(findings.map(keyOf));
  const unjustified = findings.filter((finding) => !justifiedKeys.has(keyOf(finding)));
  const stale = dirArgs.length > 0 ? [] : config.justified.filter((entry) => !foundKeys.has(keyOf(entry)));
  const report = {
    ok: unjustified.length === 0 && stale.length === 0 && parseErrors.length === 0,
    electronVersion,
    inputs,
    checks,
    findings,
    unjustified,
    stale,
    parseErrors,
  };
  if (asJson) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`electronegativity: ${report.checks} checks over ${inputs.join(', ')} (Electron ${electronVersion})`);
    for (const finding of findings) {
      const mark = justifiedKeys.has(keyOf(finding)) ? 'justified' : 'UNJUSTIFIED';
      console.log(`  ${mark}: ${finding.check} ${finding.file}:${finding.line}:${finding.column} (${finding.severity}, ${finding.confidence}) ${finding.description}`);
    }
    for (const entry of stale) console.log(`  stale justification (no such finding): ${keyOf(entry)}`);
    for (const error of parseErrors) console.log(`  could not parse ${error}`);
    console.log(report.ok ? 'electron security OK' : 'electron security problems: see above');
  }
  if (!report.ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exitCode = 1;
});
