import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApp, FakeWebContents } from './fake-electron.js';

// The smoke-test mode's wiring with a stand-in Electron; test/e2e/electron-smoke.test.ts runs it in a
// real Electron where the binary exists, and the release workflow in every built installer.
class VersionedApp extends FakeApp {
  exitCodes: number[] = [];
  override getVersion(): string {
    return '1.2.3';
  }
  exit(code: number): void {
    this.exitCodes.push(code);
  }
}

const fake = vi.hoisted(() => ({ app: null as unknown as VersionedApp }));
vi.mock('electron', () => ({
  get app() {
    return fake.app;
  },
}));

const { isSmokeTest, reportStartAndQuit } = await import('../../main/electron/smoke-test.js');

function windowWith(webContents: FakeWebContents) {
  return Object.assign(new EventEmitter(), { webContents }) as never;
}

describe('the smoke-test mode', () => {
  let written: string[];
  beforeEach(() => {
    fake.app = new VersionedApp();
    written = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is on only with --smoke-test', () => {
    expect(isSmokeTest(['/opt/Pooldeck/pooldeck', '--smoke-test'])).toBe(true);
    expect(isSmokeTest(['/opt/Pooldeck/pooldeck'])).toBe(false);
  });

  it('prints the version once the UI has loaded, then quits through the quit flow', () => {
    const contents = new FakeWebContents(1);
    reportStartAndQuit(windowWith(contents));
    expect(fake.app.quitCalls).toBe(0);
    contents.emit('did-finish-load');
    expect(written).toEqual(['Pooldeck 1.2.3 started\n']);
    expect(fake.app.quitCalls).toBe(1);
  });

  it('exits 1 naming the failure when the UI does not load', () => {
    const contents = new FakeWebContents(1);
    reportStartAndQuit(windowWith(contents));
    contents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND');
    expect(written).toEqual(['smoke test: the UI did not load (-6 ERR_FILE_NOT_FOUND)\n']);
    expect(fake.app.exitCodes).toEqual([1]);
  });
});
