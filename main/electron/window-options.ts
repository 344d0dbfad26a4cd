// The main window's constructor options and the renderer's Content-Security-Policy. Pure data with
// type-only Electron imports, so a plain unit test can check every security flag.
import type { BrowserWindowConstructorOptions } from 'electron';

export { CONTENT_SECURITY_POLICY } from '../shell-common/csp.js';

/** The window's background before the page paints: --bg of the renderer's themes (renderer/app.css). */
export const BACKGROUND_COLORS = { dark: '#0d1117', light: '#ffffff' } as const;

export const MIN_WINDOW_SIZE = { width: 760, height: 480 } as const;

export interface WindowOptionsInput {
  /** Absolute path of the built preload (out/preload/index.cjs). */
  preloadPath: string;
  /** Whether the OS prefers a dark theme (nativeTheme.shouldUseDarkColors). */
  dark: boolean;
  /** Devtools are available in development builds only. */
  isDev: boolean;
  iconPath?: string;
}

export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Pooldeck',
    width: 1280,
    height: 800,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    backgroundColor: input.dark ? BACKGROUND_COLORS.dark : BACKGROUND_COLORS.light,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      // Written out even where they are Electron's defaults: they document intent, and static checkers
      // (electronegativity) flag their absence.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: input.isDev,
    },
  };
}
