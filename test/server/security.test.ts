import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, parseCliArgs } from '../../main/server/options.js';
import {
  bearerToken,
  cookieValue,
  generateToken,
  isAllowedHost,
  isAllowedOrigin,
  isJsonContentType,
  tokenMatches,
} from '../../main/server/security.js';

describe('token', () => {
  it('is 32 random bytes in hex, different every launch', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('matches only the exact token', () => {
    const token = generateToken();
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token.toUpperCase(), token)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches(token + '0', token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
    expect(tokenMatches(null, token)).toBe(false);
    expect(tokenMatches(undefined, token)).toBe(false);
  });

  it('reads Bearer headers strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('reads one cookie by exact name', () => {
    expect(cookieValue('a=1; pooldeck_assets_80=xyz; b=2', 'pooldeck_assets_80')).toBe('xyz');
    expect(cookieValue('xpooldeck_assets_80=xyz', 'pooldeck_assets_80')).toBeNull();
    expect(cookieValue(undefined, 'x')).toBeNull();
  });
});

describe('Host allowlist (DNS rebinding)', () => {
  it('accepts the loopback names with our port', () => {
    for (const host of ['127.0.0.1:4000', 'localhost:4000', 'LOCALHOST:4000', '[::1]:4000']) {
      expect(isAllowedHost(host, 4000), host).toBe(true);
    }
  });

  it('refuses other names, other ports, suffix tricks and a missing Host', () => {
    for (const host of [
      'evil.test:4000',
      'localhost.evil.test:4000',
      '127.0.0.1.nip.io:4000',
      '127.0.0.1:4001',
      '127.0.0.1',
      'localhost',
      '0.0.0.0:4000',
      '127.0.0.2:4000',
      '[::ffff:127.0.0.1]:4000',
      '',
      undefined,
    ]) {
      expect(isAllowedHost(host, 4000), String(host)).toBe(false);
    }
  });

  it('accepts a bare name only on port 80, where browsers leave the port out', () => {
    expect(isAllowedHost('localhost', 80)).toBe(true);
  });
});

describe('Origin allowlist', () => {
  it('accepts exactly our own origins', () => {
    for (const origin of ['http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000']) {
      expect(isAllowedOrigin(origin, 4000), origin).toBe(true);
    }
  });

  it('refuses foreign, opaque, https, other-port and prefix-matching origins', () => {
    for (const origin of [
      'http://evil.test',
      'null',
      'https://127.0.0.1:4000',
      'http://127.0.0.1:4001',
      'http://127.0.0.1:4000.evil.test',
      'http://localhost:40000',
      'file://',
      undefined,
    ]) {
      expect(isAllowedOrigin(origin, 4000), String(origin)).toBe(false);
    }
  });
});

describe('JSON content type', () => {
  it('accepts application/json with or without parameters, and nothing else', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('Application/JSON')).toBe(true);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', undefined]) {
      expect(isJsonContentType(type), String(type)).toBe(false);
    }
  });
});

describe('CLI options', () => {
  it('defaults to the default ports (port null) and the XDG data folder', () => {
    const options = parseCliArgs([], { XDG_DATA_HOME: '/data/home' });
    expect(options).toEqual({ port: null, dataDir: join('/data/home', 'pooldeck'), exitWithParent: false, workspace: null });
  });

  it('ignores a relative XDG_DATA_HOME, as the spec says', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' })).toMatch(/\.local\/share\/pooldeck$/);
  });

  it('reads --port and --data-dir', () => {
    expect(parseCliArgs(['--port', '8123', '--data-dir', '/tmp/pd'], {})).toEqual({ port: 8123, dataDir: '/tmp/pd', exitWithParent: false, workspace: null });
    expect(parseCliArgs(['--exit-with-parent'], {})).toMatchObject({ exitWithParent: true });
  });

  it('refuses a bad port, unknown options and positionals with a message', () => {
    expect(() => parseCliArgs(['--port', '70000'], {})).toThrow(/--port must be a whole number from 0 to 65535/);
    expect(() => parseCliArgs(['--port', '-1'], {})).toThrow();
    expect(() => parseCliArgs(['--host', '0.0.0.0'], {})).toThrow(/host/);
    expect(() => parseCliArgs(['one.yaml', 'two.yaml'], {})).toThrow(/at most one workspace file, got 2/);
  });
});
