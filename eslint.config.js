// Lint for the whole repository: the promise rules that keep async code honest, Svelte's rules, and the
// layer matrix of DESIGN.md ("imports point down only") as eslint-plugin-boundaries policies.
import { resolve } from 'node:path';
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import svelte from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const ROOT = import.meta.dirname;

// Each layer is a folder, so files can move inside a layer without touching these rules.
const LAYERS = [
  { type: 'renderer', pattern: 'renderer/**' },
  { type: 'preload', pattern: 'main/preload/**' },
  { type: 'electron', pattern: 'main/electron/**' },
  { type: 'server', pattern: 'main/server/**' },
  // What both shells share (CSP, static file serving): plain Node, no electron, no app.
  { type: 'shell-common', pattern: 'main/shell-common/**' },
  { type: 'app', pattern: 'main/app/**' },
  { type: 'protocol', pattern: 'main/protocol/**' },
  { type: 'core', pattern: 'main/core/**' },
  { type: 'electron-tests', pattern: 'test/electron/**' },
  { type: 'tooling', pattern: '{test,bench,scripts}/**' },
  // The worker helpers shipped beside the app: run by jobs, imported only by tests and benchmarks.
  { type: 'resources', pattern: 'resources/**' },
];
// The one file of the protocol the engine may see: the shared words (pool modes, task states, …).
const VOCABULARY = { category: 'vocabulary', pattern: 'main/protocol/vocabulary.ts' };

const ours = (...types) => ({ to: { element: { types } } });
const nodeBuiltins = { to: { module: { origin: 'core' } } };
const packages = (source) => ({ to: { module: { origin: 'external', source } } });
const ELECTRON = ['electron', '@electron/*'];
const ANY_PACKAGE_BUT_ELECTRON = ['!{electron,@electron/*}'];
// Tools may use Electron's build packages (@electron/asar, …); only the runtime stays out of Node.
const ANY_PACKAGE_BUT_ELECTRON_ITSELF = ['!electron'];
const layer = (type, ...allow) => ({ from: { element: { type } }, allow });

const LAYER_POLICIES = [
  // The renderer sees the DOM and the protocol: no Node, no Electron, no engine.
  layer('renderer', ours('renderer', 'protocol'), packages(ANY_PACKAGE_BUT_ELECTRON)),
  // The sandboxed preload can require only electron: it bridges the protocol's API and nothing else.
  layer('preload', ours('preload', 'protocol'), packages(ELECTRON)),
  layer('electron', ours('electron', 'shell-common', 'app', 'protocol', 'core'), nodeBuiltins, packages('*')),
  layer('server', ours('server', 'shell-common', 'app', 'protocol', 'core'), nodeBuiltins, packages(ANY_PACKAGE_BUT_ELECTRON)),
  layer('shell-common', ours('shell-common', 'protocol'), nodeBuiltins, packages(ANY_PACKAGE_BUT_ELECTRON)),
  layer('app', ours('app', 'protocol', 'core'), nodeBuiltins, packages(ANY_PACKAGE_BUT_ELECTRON)),
  // The protocol is compiled for the renderer too: no node: built-ins, nothing of ours below or beside it.
  layer('protocol', ours('protocol'), packages(ANY_PACKAGE_BUT_ELECTRON)),
  { from: { file: { categories: 'vocabulary' } }, disallow: { to: { module: { origin: '{local,core}' } } } },
  // The engine knows no UI: of the protocol it may see only the shared words, and only as types.
  layer('core', ours('core'), nodeBuiltins, packages('pidusage')),
  { from: { element: { type: 'core' } }, allow: { to: { file: { categories: 'vocabulary' } }, dependency: { kind: 'type' } } },
  // Tests of the desktop shell may name Electron's types; nothing outside main/electron and main/preload loads it.
  layer('electron-tests', ours('*'), nodeBuiltins, packages(ANY_PACKAGE_BUT_ELECTRON_ITSELF)),
  { from: { element: { type: 'electron-tests' } }, allow: { ...packages('electron'), dependency: { kind: 'type' } } },
  layer('tooling', ours('*'), nodeBuiltins, packages(ANY_PACKAGE_BUT_ELECTRON_ITSELF)),
];

// Besides import/export/require/import(): `import x = require('…')` and type positions `import('…').T`.
const EXTRA_DEPENDENCY_NODES = [
  { selector: 'TSExternalModuleReference > Literal', kind: 'value', name: 'import-equals' },
  { selector: 'TSImportType > Literal', kind: 'type', name: 'import-type' },
];

const layerRules = {
  files: ['main/**', 'renderer/**', 'test/**', 'bench/**', 'scripts/**'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': LAYERS.map((element) => ({ ...element, partialMatch: false })),
    'boundaries/files': [VOCABULARY],
    'boundaries/root-path': ROOT,
    'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
    'boundaries/additional-dependency-nodes': EXTRA_DEPENDENCY_NODES,
    'import/resolver': { [resolve(ROOT, 'scripts/eslint-import-resolver.cjs')]: {} },
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        checkAllOrigins: true,
        checkUnknownLocals: true,
        // Needed for the one rule inside a layer: the vocabulary imports nothing, not even its neighbours.
        checkInternals: true,
        message: 'Bad layering: {{from.element.type}} may not import "{{dependency.source}}" (see the layer matrix in DESIGN.md "Layers").',
        policies: LAYER_POLICIES,
      },
    ],
    'boundaries/no-unknown-files': 'error',
  },
};

// A computed import() hides its target from the layer rules (benchmarks may probe for optional modules).
const literalImportsOnly = {
  files: ['main/**', 'renderer/**'],
  rules: {
    'no-restricted-syntax': [
      'error',
      { selector: 'ImportExpression[source.type!="Literal"]', message: 'Import a string literal, so the layer rules can see the target.' },
    ],
  },
};

const typedRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/await-thenable': 'error',
  '@typescript-eslint/require-await': 'off',
};

const sharedRules = {
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
  // verbatimModuleSyntax keeps `import { type A }` as a side-effect import: type-only imports say so whole.
  '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
  '@typescript-eslint/no-import-type-side-effects': 'error',
  // Runes only, no stores: this typed rule costs seconds and can never fire.
  'svelte/require-store-reactive-access': 'off',
  // Rows live in $state.raw snapshots that are replaced whole (DESIGN.md, performance budget); the plain
  // Maps and Sets built inside them are meant not to be reactive.
  'svelte/prefer-svelte-reactivity': 'off',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'test-results/**', 'bench/.cache/**', 'bench/results/**', 'resources/**', 'docs/**', 'test/fixtures/**/broken.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  { rules: sharedRules },
  { files: ['main/**', 'test/**', 'bench/**', 'scripts/**', '*.{js,ts,mjs,cjs}'], ignores: ['test/renderer/**'], languageOptions: { globals: globals.node } },
  {
    files: ['main/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '*.config.ts'],
    ignores: ['test/renderer/**'],
    languageOptions: { parserOptions: { project: resolve(ROOT, 'tsconfig.node.json'), tsconfigRootDir: ROOT } },
    rules: typedRules,
  },
  {
    files: ['renderer/**/*.ts', 'test/renderer/**/*.ts'],
    languageOptions: { globals: globals.browser, parserOptions: { project: resolve(ROOT, 'tsconfig.web.json'), tsconfigRootDir: ROOT } },
    rules: typedRules,
  },
  // Components are linted without types: typed parsing re-creates the program for each .svelte file (about
  // 1 s of CPU each here, four times the rest of the renderer). Their async work goes through renderer/lib,
  // which the promise rules do check.
  {
    files: ['**/*.svelte'],
    languageOptions: { globals: globals.browser, parser: svelteParser, parserOptions: { parser: tseslint.parser, svelteConfig } },
  },
  // Rune modules (*.svelte.ts) go through the Svelte parser, which hands the TypeScript to typescript-eslint.
  {
    files: ['**/*.svelte.ts'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser, svelteConfig } },
  },
  // The renderer benchmark page runs in Chromium.
  { files: ['bench/renderer/**'], languageOptions: { globals: globals.browser } },
  // CommonJS is these files' format (worker helpers and fixtures that jobs run with plain node).
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layerRules,
  literalImportsOnly,
);
