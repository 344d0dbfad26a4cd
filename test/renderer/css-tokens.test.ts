import { describe, expect, it } from 'vitest';

// Vite inlines these at build time; the renderer's tsconfig has no vite/client types, so say what it returns.
declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
  }
}

const components = import.meta.glob('../../renderer/**/*.svelte', { query: '?raw', import: 'default', eager: true });
// Vitest empties imported CSS files, so app.css is read from disk (vitest runs in the repository root) (the renderer's tsconfig has no Node types, hence the cast).
const fs = (await import('node:fs' as string)) as { readFileSync(path: string, encoding: 'utf8'): string };
const tokensCss = fs.readFileSync('renderer/app.css', 'utf8');

const defined = new Set([...tokensCss.matchAll(/^\s*(--[a-z0-9-]+):/gm)].map((match) => match[1]));
const styleOf = (source: string) => source.match(/<style>([\s\S]*)<\/style>/)?.[1] ?? '';
/** Custom properties a component defines for itself (the log view's terminal colours). */
const localOf = (style: string) => new Set([...style.matchAll(/^\s*(--[a-z0-9-]+):/gm)].map((match) => match[1]));

describe('CSS tokens', () => {
  it('defines every token a component reads, once, in app.css', () => {
    expect(Object.keys(components).length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const [path, source] of Object.entries(components)) {
      const style = styleOf(source);
      const local = localOf(style);
      for (const [, name] of style.matchAll(/var\((--[a-z0-9-]+)/g)) {
        if (!defined.has(name) && !local.has(name)) missing.push(`${path}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps one palette: no component carries its own fallback colours or dark theme', () => {
    const offenders = Object.entries(components)
      .filter(([, source]) => /prefers-color-scheme|var\(--[a-z0-9-]+,\s*#/.test(styleOf(source)))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });

  it('spaces, rounds and sizes text with the tokens rather than the literals they stand for', () => {
    const literals = /^\s*(?:gap|padding|margin|border-radius|font-size)(?:-[a-z]+)?:[^;]*\b(?:4|6|8|12|16)px\b/gm;
    const offenders = Object.entries(components).flatMap(([path, source]) =>
      [...styleOf(source).matchAll(literals)].map((match) => `${path}: ${match[0].trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
