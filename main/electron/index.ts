// The desktop shell's entry: wires the backend to one secure window. Everything that can be decided
// without Electron lives in pure files beside this one (window-options, app-paths, trusted-sender,
// quit-plan, menu) and is unit-tested there.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, nativeTheme, session } from 'electron';
import { createAppBackend } from '../app/backend.js';
import { APP_ENTRY_URL, buildPaths, workersDir } from './app-paths.js';
import { createEventForwarder } from './event-forwarding.js';
import { pickTargetFile, pickWorkspaceToOpen, pickWorkspaceToSave } from './file-dialog.js';
import { workspaceArgument } from './launch-workspace.js';
import { createWorkspaceActions } from './workspace-actions.js';
import { registerCommandIpc } from './ipc.js';
import { createMenuTemplate } from './menu.js';
import { MENU_CHANNEL, type MenuAction } from '../protocol/bridge.js';
import { registerAppSchemeAsPrivileged, serveRenderer } from './protocol-handler.js';
import { installQuitFlow } from './quit.js';
import { enableSandboxEverywhere, hardenSession, restrictAllWebContents } from './security.js';
import { isSmokeTest, reportStartAndQuit } from './smoke-test.js';
import { AutoUpdate } from './auto-update.js';
import { appTrustPolicy } from './trusted-sender.js';
import { BACKGROUND_COLORS, createWindowOptions } from './window-options.js';

const log = (message: string): void => console.log(`[pooldeck] ${message}`);
const mainDir = dirname(fileURLToPath(import.meta.url));
const paths = buildPaths(mainDir);
const isDev = !app.isPackaged;

// Before ready: the scheme's privileges and the sandbox cannot be changed later.
registerAppSchemeAsPrivileged();
enableSandboxEverywhere();
restrictAllWebContents(log);

if (!app.requestSingleInstanceLock()) {
  // Another Pooldeck owns the jobs; it focuses its window (second-instance below).
  app.quit();
} else {
  void main().catch((error: unknown) => {
    console.error('[pooldeck] failed to start:', error);
    app.exit(1);
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  app.setAboutPanelOptions({ applicationName: 'Pooldeck', applicationVersion: app.getVersion() });

  hardenSession(session.defaultSession, log);
  serveRenderer(session.defaultSession, paths.renderer, log);
  const autoUpdate = new AutoUpdate({ settingsDir: app.getPath('userData'), log });

  const backend = createAppBackend({
    dataDir: app.getPath('userData'),
    workersDir: workersDir(mainDir),
    workspacePath: workspaceArgument(process.argv) ?? undefined,
  });
  const trustedWebContents = new Set<number>();
  const forwarder = createEventForwarder(backend.events);
  const disposeIpc = registerCommandIpc({
    handlers: backend.handlers,
    policy: appTrustPolicy(trustedWebContents),
    onRendererReady: (webContents) => forwarder.attach(webContents),
    pickFile: pickTargetFile,
    log,
  });

  let mainWindow: BrowserWindow | null = null;
  const quitFlow = installQuitFlow({ backend, getWindow: () => mainWindow, showWindow, log });

  function createWindow(): BrowserWindow {
    const window = new BrowserWindow(
      createWindowOptions({ preloadPath: paths.preload, dark: nativeTheme.shouldUseDarkColors, isDev }),
    );
    const webContentsId = window.webContents.id;
    trustedWebContents.add(webContentsId);
    window.webContents.once('destroyed', () => trustedWebContents.delete(webContentsId));
    window.once('ready-to-show', () => window.show());
    window.on('close', (event) => {
      if (quitFlow.approved) return;
      // Closing the window is quitting (through the quit flow); on macOS it only hides, as users expect.
      event.preventDefault();
      if (process.platform === 'darwin') window.hide();
      else app.quit();
    });
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    window.loadURL(APP_ENTRY_URL).catch((error: unknown) => log(`could not load the UI: ${String(error)}`));
    return window;
  }

  function showWindow(): void {
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  }

  const sendToWindow = (action: MenuAction): void => {
    showWindow();
    mainWindow?.webContents.send(MENU_CHANNEL, action);
  };
  const workspace = createWorkspaceActions({
    handlers: backend.handlers,
    pickToOpen: () => pickWorkspaceToOpen(mainWindow),
    pickToSave: () => pickWorkspaceToSave(mainWindow),
    changed: () => {
      sendToWindow('workspaceChanged');
      void installMenu();
    },
    showError: (title, message) => dialog.showErrorBox(title, message),
  });
  /** The menu with File › Open Recent as it stands now. */
  async function installMenu(): Promise<void> {
    const { paths } = await backend.handlers.listRecentWorkspaces({});
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        createMenuTemplate({ isDev, isMac: process.platform === 'darwin', sendToWindow, showAbout: () => app.showAboutPanel(), updates: autoUpdate.menuState(), recentWorkspaces: paths, workspace }),
      ),
    );
  }
  await installMenu();

  nativeTheme.on('updated', () => {
    mainWindow?.setBackgroundColor(nativeTheme.shouldUseDarkColors ? BACKGROUND_COLORS.dark : BACKGROUND_COLORS.light);
  });
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  // Quitting is the quit flow's decision, also on macOS where closing the last window only hides it.
  app.on('window-all-closed', () => {});
  app.on('will-quit', () => {
    forwarder.dispose();
    disposeIpc();
  });
  // A terminal's Ctrl+C or a service manager's SIGTERM: nobody can answer a dialog, so end every job.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: terminating every job before exiting`);
      quitFlow.terminateAndQuit();
    });
  }

  mainWindow = createWindow();
  if (isSmokeTest(process.argv)) reportStartAndQuit(mainWindow);
  void autoUpdate.checkAtStartup();
}
