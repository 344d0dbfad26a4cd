import { describe, expect, it } from 'vitest';
import { appTrustPolicy, checkSender, isTrustedSender, type SenderInfo } from '../../main/electron/trusted-sender.js';

const policy = appTrustPolicy(new Set([7]));
const good: SenderInfo = { frameUrl: 'app://pooldeck/index.html', isMainFrame: true, webContentsId: 7 };

describe('isTrustedSender', () => {
  it('trusts the main frame of our window showing the app', () => {
    expect(isTrustedSender(good, policy)).toBe(true);
    expect(isTrustedSender({ ...good, frameUrl: 'app://pooldeck/' }, policy)).toBe(true);
  });

  it.each([
    'app://pooldeck.evil/index.html',
    'app://evil.pooldeck/index.html',
    'app://evil/index.html',
    'app://pooldeck:444/index.html',
    'app://x@pooldeck/index.html',
    'https://app.pooldeck/index.html',
    'https://pooldeck/index.html',
    'http://localhost:5173/',
    'file:///opt/pooldeck/out/renderer/index.html',
    'about:blank',
    'data:text/html,hi',
    'javascript:alert(1)',
    '',
    'not a url',
  ])('refuses a frame at %s', (frameUrl) => {
    expect(isTrustedSender({ ...good, frameUrl }, policy)).toBe(false);
  });

  it('refuses a frame without a URL (gone, or not reported)', () => {
    expect(isTrustedSender({ ...good, frameUrl: null }, policy)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: undefined }, policy)).toBe(false);
  });

  it('refuses an iframe, even one on the app origin', () => {
    expect(checkSender({ ...good, isMainFrame: false }, policy)).toEqual({ trusted: false, reason: 'sent from a subframe' });
  });

  it('refuses a webContents the app did not create', () => {
    const verdict = checkSender({ ...good, webContentsId: 8 }, policy);
    expect(verdict).toEqual({ trusted: false, reason: 'webContents 8 was not created by Pooldeck' });
  });

  it('follows the live set of windows', () => {
    const ids = new Set<number>();
    const live = appTrustPolicy(ids);
    expect(isTrustedSender(good, live)).toBe(false);
    ids.add(7);
    expect(isTrustedSender(good, live)).toBe(true);
    ids.delete(7);
    expect(isTrustedSender(good, live)).toBe(false);
  });
});
