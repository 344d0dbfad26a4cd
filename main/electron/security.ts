// App-wide hardening that does not depend on one window: the sandbox everywhere, no navigation away
// from the app, no new windows, no <webview>, no permissions, no remote requests from renderers.
import { app, type Session, type WebContents } from 'electron';
import { isAppUrl } from './app-paths.js';

/** Must run before the app is ready: forces the sandbox on every renderer, whatever its options say. */
export function enableSandboxEverywhere(): void {
  app.enableSandbox();
}

/** Applies the navigation rules to every webContents the app ever creates. */
export function restrictAllWebContents(log: (message: string) => void): void {
  app.on('web-contents-created', (_event, contents) => restrictWebContents(contents, log));
}

function restrictWebContents(contents: WebContents, log: (message: string) => void): void {
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log(`blocked navigation to ${event.url}`);
  });
  contents.on('will-redirect', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log(`blocked redirect to ${event.url}`);
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked a <webview>');
  });
}

/** Denies every permission and every request that would leave the machine. */
export function hardenSession(session: Session, log: (message: string) => void): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`denied permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  // The UI talks to the app over IPC only; a request to the network can only be a mistake or an attack.
  session.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'] },
    (details, callback) => {
      log(`blocked a network request to ${details.url}`);
      callback({ cancel: true });
    },
  );
}
