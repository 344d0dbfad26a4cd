import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BACKGROUND_COLORS,
  CONTENT_SECURITY_POLICY,
  createWindowOptions,
  MIN_WINDOW_SIZE,
} from '../../main/electron/window-options.js';
import { buildPaths } from '../../main/electron/app-paths.js';

const preloadPath = buildPaths('/opt/pooldeck/out/main').preload;

describe('createWindowOptions', () => {
  const options = createWindowOptions({ preloadPath, dark: true, isDev: false });
  const web = options.webPreferences ?? {};

  it('isolates and sandboxes the renderer without Node', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and sets none of the dangerous switches', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.webviewTag).toBe(false);
    expect(web).not.toHaveProperty('allowRunningInsecureContent');
    expect(web).not.toHaveProperty('experimentalFeatures');
    expect(web).not.toHaveProperty('enableBlinkFeatures');
    expect(web).not.toHaveProperty('additionalArguments');
  });

  it('loads the CommonJS preload from out/preload', () => {
    expect(web.preload).toBe('/opt/pooldeck/out/preload/index.cjs');
  });

  it('turns spellcheck off and devtools off in release builds', () => {
    expect(web.spellcheck).toBe(false);
    expect(web.devTools).toBe(false);
    expect(createWindowOptions({ preloadPath, dark: true, isDev: true }).webPreferences?.devTools).toBe(true);
  });

  it('stays hidden until ready-to-show, with a sensible minimum size', () => {
    expect(options.show).toBe(false);
    expect(options.minWidth).toBe(MIN_WINDOW_SIZE.width);
    expect(options.minHeight).toBe(MIN_WINDOW_SIZE.height);
    expect(MIN_WINDOW_SIZE.width).toBeGreaterThanOrEqual(640);
    expect(options.width).toBeGreaterThanOrEqual(MIN_WINDOW_SIZE.width);
    expect(options.height).toBeGreaterThanOrEqual(MIN_WINDOW_SIZE.height);
  });

  it('paints the background of the theme the OS asks for (renderer/app.css --bg)', () => {
    const css = readFileSync('renderer/app.css', 'utf8');
    expect(css).toContain(`--bg: light-dark(${BACKGROUND_COLORS.light}, ${BACKGROUND_COLORS.dark});`);
    expect(options.backgroundColor).toBe(BACKGROUND_COLORS.dark);
    expect(createWindowOptions({ preloadPath, dark: false, isDev: false }).backgroundColor).toBe(BACKGROUND_COLORS.light);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it('denies by default and allows scripts from the app only', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
  });

  it('has no inline or eval scripts and no remote sources', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|unsafe-hashes/);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
  });

  it('blocks frames, plugins, base rewriting and form posts', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});
