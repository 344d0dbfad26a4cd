import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/shell-common/csp.js';
import { contentTypeFor, isInside, rendererPathFrom } from '../../main/shell-common/static-files.js';
import { SECURITY_HEADERS } from '../../main/server/security.js';

describe('rendererPathFrom', () => {
  it('maps / to index.html and keeps plain paths', () => {
    expect(rendererPathFrom('/')).toEqual({ ok: true, relativePath: 'index.html' });
    expect(rendererPathFrom('/assets/app.js')).toEqual({ ok: true, relativePath: 'assets/app.js' });
    expect(rendererPathFrom('/assets/./app.js')).toEqual({ ok: true, relativePath: 'assets/app.js' });
    expect(rendererPathFrom('/assets/my%20font.woff2')).toEqual({ ok: true, relativePath: 'assets/my font.woff2' });
  });

  it('refuses traversal in every spelling, and says why', () => {
    for (const path of ['/../secret', '/assets/../../secret', '/%2e%2e/secret', '/assets/%2E%2E%2Fsecret']) {
      expect(rendererPathFrom(path), path).toEqual({ ok: false, status: 403, reason: 'path leaves the renderer folder' });
    }
    for (const path of ['/..%5csecret', '/a\\b', '/%00', 'relative']) {
      expect(rendererPathFrom(path), path).toMatchObject({ ok: false, status: 400, reason: 'forbidden character in the path' });
    }
    expect(rendererPathFrom('/%E0%A4%A')).toMatchObject({ ok: false, status: 400, reason: 'malformed percent-encoding in the path' });
  });
});

describe('isInside', () => {
  const root = resolve('/opt/pooldeck/out/renderer');
  it('holds for files below the root only', () => {
    expect(isInside(root, join(root, 'index.html'))).toBe(true);
    expect(isInside(root, join(root, 'assets', 'a.js'))).toBe(true);
    expect(isInside(root, root)).toBe(false);
    expect(isInside(root, join(root, '..', 'main', 'index.js'))).toBe(false);
    expect(isInside(root, `${root}-evil/index.html`)).toBe(false);
    expect(isInside(root, '/etc/passwd')).toBe(false);
  });
});

describe('contentTypeFor', () => {
  it('names the content types the renderer uses, case-insensitively', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});

describe('one policy for both shells', () => {
  it('the server sends the same CSP the Electron shell does, with no inline code and nothing remote', () => {
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|unsafe-hashes|https?:|\*/);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  });

  it('shell-common imports no electron, so the headless shell can use it', () => {
    const folder = resolve('main/shell-common');
    for (const file of readdirSync(folder)) {
      expect(readFileSync(join(folder, file), 'utf8'), file).not.toMatch(/from ['"]electron['"]/);
    }
  });
});
