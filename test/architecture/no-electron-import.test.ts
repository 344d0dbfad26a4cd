// The core and the protocol run in plain Node (the headless server, the tests) and are shared with the
// renderer: they must never load Electron, neither directly nor through a file they import.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const GUARDED = ['main/core', 'main/protocol'];
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** `electron`, its subpaths (`electron/main`, …) and the `@electron/*` packages. */
function isElectron(specifier: string): boolean {
  return specifier === 'electron' || specifier.startsWith('electron/') || specifier.startsWith('@electron/');
}

/** Every module specifier in a file: import/export … from, import 'x', import x = require('x'), import('x'), require('x'). */
export function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, scriptKind(fileName));
  const found: string[] = [];
  const literal = (node: ts.Node | undefined): void => {
    if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      literal(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      literal(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire =
        (ts.isIdentifier(callee) && callee.text === 'require') ||
        (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) && callee.name.text === 'require');
      if (isImport || isRequire) literal(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      literal(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function scriptKind(fileName: string): ts.ScriptKind {
  const extension = extname(fileName);
  if (extension === '.tsx') return ts.ScriptKind.TSX;
  if (['.js', '.mjs', '.cjs'].includes(extension)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** The file a relative specifier names, the way TypeScript's bundler resolution finds it (`./x.js` → `./x.ts`). */
function resolveRelative(fromFile: string, specifier: string): string | null {
  const base = resolve(dirname(fromFile), specifier.split(/[?#]/)[0]);
  const swapped = base.replace(/\.(m|c)?js$/, (_match, kind: string | undefined) => `.${kind ?? ''}ts`);
  const candidates = [
    base,
    swapped,
    ...SOURCE_EXTENSIONS.map((extension) => base + extension),
    ...SOURCE_EXTENSIONS.map((extension) => join(base, `index${extension}`)),
  ];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE_EXTENSIONS.includes(extname(entry.name)) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

export interface Violation {
  /** The import chain, from a guarded file to the file that imports electron. */
  chain: string[];
  specifier: string;
}

/**
 * Every guarded file that reaches an electron import, following relative imports transitively (also out of
 * the guarded folders). One violation per guarded file, with the shortest chain found.
 */
export function findElectronImports(roots: string[], base: string): Violation[] {
  const importsOf = new Map<string, { electron: string | null; relatives: string[] }>();
  const scan = (file: string): { electron: string | null; relatives: string[] } => {
    let known = importsOf.get(file);
    if (known) return known;
    const specifiers = moduleSpecifiers(file, readFileSync(file, 'utf8'));
    const relatives: string[] = [];
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      if (target) relatives.push(target);
    }
    known = { electron: specifiers.find(isElectron) ?? null, relatives };
    importsOf.set(file, known);
    return known;
  };

  const violations: Violation[] = [];
  for (const start of roots.flatMap((root) => sourceFiles(root))) {
    // Breadth first, so the chain reported is a shortest one.
    const previous = new Map<string, string | null>([[start, null]]);
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift()!;
      const { electron, relatives } = scan(file);
      if (electron !== null) {
        const chain: string[] = [];
        for (let at: string | null = file; at !== null; at = previous.get(at) ?? null) chain.unshift(relative(base, at));
        violations.push({ chain, specifier: electron });
        break;
      }
      for (const next of relatives) {
        if (previous.has(next)) continue;
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return violations;
}

describe('main/core and main/protocol never import electron', () => {
  const fixtures: string[] = [];
  afterAll(() => {
    for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
  });

  function fixture(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'pooldeck-arch-'));
    fixtures.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }

  it('holds for the real source tree', () => {
    const roots = GUARDED.map((folder) => join(ROOT, folder));
    expect(roots.map((root) => sourceFiles(root).length).every((count) => count > 0)).toBe(true);
    const violations = findElectronImports(roots, ROOT);
    expect(violations.map((violation) => `${violation.chain.join(' → ')} imports '${violation.specifier}'`)).toEqual([]);
  });

  it('finds every form of import, directly and through other files (self-check of the detector)', () => {
    const dir = fixture({
      'core/direct.ts': "import { app } from 'electron';\nexport const a = app;\n",
      'core/type-only.ts': "import type { BrowserWindow } from 'electron/main';\nexport type W = BrowserWindow;\n",
      'core/reexport.ts': "export { ipcMain } from 'electron';\n",
      'core/dynamic.ts': "export async function load() { return import('electron'); }\n",
      'core/template.ts': 'export async function load() { return import(`electron`); }\n',
      'core/required.cjs': "const { shell } = require('electron');\nmodule.exports = shell;\n",
      'core/import-equals.ts': "import electron = require('electron');\nexport const e = electron;\n",
      'core/scoped.ts': "import remote from '@electron/remote';\nexport default remote;\n",
      'core/side-effect.ts': "import 'electron';\n",
      'core/through.ts': "import { helper } from './helpers/index.js';\nexport const t = helper;\n",
      'core/helpers/index.ts': "export { helper } from '../../shell/bridge.js';\n",
      'shell/bridge.ts': "import { app } from 'electron';\nexport const helper = app.getName;\n",
      'core/cycle-a.ts': "import './cycle-b.js';\nexport const ok = 1;\n",
      'core/cycle-b.ts': "import './cycle-a.js';\nimport 'node:fs';\n",
      'core/clean.ts': "import { readFileSync } from 'node:fs';\nimport { ok } from './cycle-a.js';\n// import { app } from 'electron';\nconst text = \"require('electron')\";\nexport const c = [readFileSync, ok, text, 'electron'];\n",
      'core/lookalike.ts': "import builder from 'electron-builder-ish';\nexport default builder;\n",
    });
    const violations = findElectronImports([join(dir, 'core')], dir);
    const byFile = Object.fromEntries(violations.map((violation) => [violation.chain[0], violation]));
    expect(Object.keys(byFile).sort()).toEqual(
      [
        'core/direct.ts',
        'core/dynamic.ts',
        'core/helpers/index.ts',
        'core/import-equals.ts',
        'core/reexport.ts',
        'core/required.cjs',
        'core/scoped.ts',
        'core/side-effect.ts',
        'core/template.ts',
        'core/through.ts',
        'core/type-only.ts',
      ].sort(),
    );
    expect(byFile['core/through.ts'].chain).toEqual(['core/through.ts', 'core/helpers/index.ts', 'shell/bridge.ts']);
    expect(byFile['core/type-only.ts'].specifier).toBe('electron/main');
  });
});
