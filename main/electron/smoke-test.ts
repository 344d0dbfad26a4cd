// `--smoke-test`: the release pipeline starts each built installer's app with it (scripts/smoke-test-
// installers.mjs). The app starts as usual, and once its window has loaded the UI it prints one line
// with its version and quits through the quit flow; an app that cannot start, load its UI or quit fails.
import { app, type BrowserWindow } from 'electron';

const SMOKE_TEST_FLAG = '--smoke-test';

export function isSmokeTest(argv: readonly string[]): boolean {
  return argv.includes(SMOKE_TEST_FLAG);
}

export function reportStartAndQuit(window: BrowserWindow): void {
  window.webContents.once('did-finish-load', () => {
    // The line scripts/smoke-test-installers.mjs waits for.
    process.stdout.write(`Pooldeck ${app.getVersion()} started\n`);
    app.quit();
  });
  window.webContents.once('did-fail-load', (_event, code, description) => {
    process.stderr.write(`smoke test: the UI did not load (${code} ${description})\n`);
    app.exit(1);
  });
}
