import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  buildPaths,
  isAppUrl,
  originOf,
  resolveAppFile,
  workersDir,
} from '../../main/electron/app-paths.js';
import { contentTypeFor } from '../../main/shell-common/static-files.js';

const root = resolve('/opt/pooldeck/out/renderer');

function refused(url: string): number | null {
  const result = resolveAppFile(root, url);
  return result.ok ? null : result.status;
}

describe('originOf', () => {
  it('does not trust Node: URL.origin is "null" for custom schemes', () => {
    // The reason originOf exists: comparing .origin would call these two equal.
    expect(new URL('app://pooldeck/').origin).toBe('null');
    expect(new URL('app://evil/').origin).toBe('null');
    expect(originOf('app://pooldeck/index.html')).toBe(APP_ORIGIN);
    expect(originOf('app://evil/index.html')).toBe('app://evil');
  });

  it('keeps the port and the exact host', () => {
    expect(originOf('app://pooldeck:8080/')).toBe('app://pooldeck:8080');
    expect(originOf('app://pooldeck.evil/')).toBe('app://pooldeck.evil');
    expect(originOf('APP://PoolDeck/x')).toBe(APP_ORIGIN);
  });

  it('returns null for unparsable URLs, credentials and empty hosts', () => {
    expect(originOf('not a url')).toBeNull();
    expect(originOf('')).toBeNull();
    expect(originOf(undefined)).toBeNull();
    expect(originOf('app://user@pooldeck/')).toBeNull();
    expect(originOf('about:blank')).toBeNull();
  });
});

describe('isAppUrl', () => {
  it.each([
    ['app://pooldeck/index.html', true],
    ['app://pooldeck/assets/index-abc.js', true],
    ['app://pooldeck.evil/index.html', false],
    ['app://evil.pooldeck/index.html', false],
    ['app://pooldeck:1/index.html', false],
    ['https://app.pooldeck/index.html', false],
    ['https://pooldeck/index.html', false],
    ['file:///opt/pooldeck/out/renderer/index.html', false],
    ['about:blank', false],
    ['app://pooldeck@evil/', false],
  ])('%s → %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });
});

describe('buildPaths', () => {
  it('finds the preload and the renderer beside out/main', () => {
    const paths = buildPaths('/opt/pooldeck/out/main');
    expect(paths.preload).toBe(join('/opt/pooldeck/out/preload/index.cjs'));
    expect(paths.renderer).toBe(join('/opt/pooldeck/out/renderer'));
  });
});

describe('workersDir', () => {
  it('is resources/workers of the checkout in development', () => {
    expect(workersDir('/home/me/pooldeck/out/main')).toBe(join('/home/me/pooldeck/resources/workers'));
  });

  it('points into app.asar.unpacked when packaged, where child processes can read it', () => {
    expect(workersDir('/opt/Pooldeck/resources/app.asar/out/main')).toBe(
      join('/opt/Pooldeck/resources/app.asar.unpacked/resources/workers'),
    );
    expect(workersDir('/opt/my.app.asar.d/resources/app.asar/out/main')).toBe(
      join('/opt/my.app.asar.d/resources/app.asar.unpacked/resources/workers'),
    );
  });
});

describe('resolveAppFile', () => {
  it('serves index.html for the root and files below the renderer folder', () => {
    expect(resolveAppFile(root, APP_ENTRY_URL)).toEqual({
      ok: true,
      filePath: join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://pooldeck/')).toMatchObject({ ok: true, filePath: join(root, 'index.html') });
    expect(resolveAppFile(root, 'app://pooldeck/assets/app.js?v=1#x')).toMatchObject({
      ok: true,
      filePath: join(root, 'assets', 'app.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://pooldeck/assets/my%20font.woff2')).toMatchObject({
      ok: true,
      filePath: join(root, 'assets', 'my font.woff2'),
    });
  });

  it('never resolves outside the renderer folder', () => {
    const attempts = [
      'app://pooldeck/../../etc/passwd',
      'app://pooldeck/%2e%2e/%2e%2e/etc/passwd',
      'app://pooldeck/assets/%2E%2E/%2E%2E/main/index.js',
      'app://pooldeck/.%2e/.%2e/etc/passwd',
      'app://pooldeck/..%2f..%2fetc%2fpasswd',
      'app://pooldeck/assets/..%2F..%2F..%2Fetc/passwd',
      'app://pooldeck/%2fetc%2fpasswd',
      'app://pooldeck//etc/passwd',
      'app://pooldeck/..%5c..%5cwindows%5cwin.ini',
      'app://pooldeck/a%00.html',
    ];
    for (const url of attempts) {
      const result = resolveAppFile(root, url);
      if (result.ok) expect(result.filePath.startsWith(root + sep), url).toBe(true);
    }
  });

  it('refuses encoded parent segments, backslashes, NUL and bad encodings', () => {
    // The URL parser folds literal and %2e-encoded dot segments itself, so those stay inside the root.
    expect(resolveAppFile(root, 'app://pooldeck/../../etc/passwd')).toMatchObject({ ok: true, filePath: join(root, 'etc', 'passwd') });
    expect(resolveAppFile(root, 'app://pooldeck/%2e%2e/etc/passwd')).toMatchObject({ ok: true, filePath: join(root, 'etc', 'passwd') });
    // Encoded slashes are decoded after parsing: the .. segments they reveal are refused.
    expect(refused('app://pooldeck/..%2f..%2fetc%2fpasswd')).toBe(403);
    expect(refused('app://pooldeck/assets/..%2F..%2F..%2Fetc/passwd')).toBe(403);
    expect(refused('app://pooldeck/..%5c..%5cwindows%5cwin.ini')).toBe(400);
    expect(refused('app://pooldeck/a%00.html')).toBe(400);
    expect(refused('app://pooldeck/%E0%A4%A')).toBe(400);
  });

  it('refuses other origins', () => {
    expect(refused('app://evil/index.html')).toBe(403);
    expect(refused('app://pooldeck.evil/index.html')).toBe(403);
    expect(refused('https://pooldeck/index.html')).toBe(403);
    expect(refused('file:///etc/passwd')).toBe(403);
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.JS', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.png', 'image/png'],
    ['a.woff2', 'font/woff2'],
    ['a.wasm', 'application/wasm'],
    ['a.json', 'application/json; charset=utf-8'],
    ['noextension', 'application/octet-stream'],
    ['a.exe', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});
