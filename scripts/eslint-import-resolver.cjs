// Resolves import specifiers for the layer rules (eslint-plugin-boundaries) the way TypeScript's bundler
// resolution does: `./pool.js` names `./pool.ts`. The stock node resolver only finds files that exist
// under the written name, so every relative import of a .ts file would look unknown to the rules.
// CommonJS because eslint-module-utils loads resolvers with require().
'use strict';

const { existsSync, statSync } = require('node:fs');
const { builtinModules, createRequire } = require('node:module');
const { dirname, join, resolve } = require('node:path');

const SOURCE_EXTENSIONS = ['.ts', '.svelte.ts', '.svelte', '.js', '.mjs', '.cjs'];

function isFile(path) {
  return existsSync(path) && statSync(path).isFile();
}

function resolveRelative(source, fromFile) {
  const base = resolve(dirname(fromFile), source.split(/[?#]/)[0]);
  const asTypeScript = base.replace(/\.(m|c)?js$/, (_match, kind) => `.${kind ?? ''}ts`);
  const candidates = [
    base,
    asTypeScript,
    ...SOURCE_EXTENSIONS.map((extension) => base + extension),
    ...SOURCE_EXTENSIONS.map((extension) => join(base, `index${extension}`)),
  ];
  return candidates.find(isFile) ?? null;
}

module.exports = {
  interfaceVersion: 2,
  resolve(source, fromFile) {
    const bare = source.startsWith('node:') ? source.slice('node:'.length) : source;
    if (builtinModules.includes(bare)) return { found: true, path: null };
    if (source.startsWith('.') || source.startsWith('/')) {
      const path = resolveRelative(source, fromFile);
      return path === null ? { found: false } : { found: true, path };
    }
    try {
      return { found: true, path: createRequire(fromFile).resolve(source) };
    } catch {
      // Type-only and browser-only packages (exports without a "require" condition) still count as found:
      // the layer rules judge packages by name, not by file.
      return { found: true, path: null };
    }
  },
};
