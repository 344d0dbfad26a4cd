import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CONTENT_SECURITY_POLICY } from '../shell-common/csp.js';

// The headless server's gatekeeping, as small pure functions so each rule is tested on its own.
//
// Threat model (docs: shared reference "security", section 5): any web page the user visits can send
// requests to 127.0.0.1, and a page whose DNS name was rebound to 127.0.0.1 can even read the
// replies. So: the Host header must name this server (DNS rebinding), every request needs a secret
// the page cannot know (the token), WebSocket upgrades must come from our own origin (WebSockets
// skip the same-origin policy), and mutations need a header a cross-site page cannot send (CSRF).

/** Loopback names a browser may use for this server. Anything else in Host is DNS rebinding. */
const LOOPBACK_HOSTNAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** 32 random bytes, hex: URL-, header- and cookie-safe without escaping. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Compares a presented secret with the real one in constant time. Both are hashed first so that
 * `timingSafeEqual` gets equal lengths and the comparison leaks neither content nor length.
 */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 1024) return false;
  const a = createHash('sha256').update(candidate, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * True when the Host header is one of our loopback names with our port. Exact match only: no
 * suffixes, no wildcards, no other port (another local server's origin is not ours either).
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (typeof host !== 'string') return false;
  const value = host.trim().toLowerCase();
  return LOOPBACK_HOSTNAMES.some((name) => value === `${name}:${port}` || (port === 80 && value === name));
}

/** How many Host headers a request carried (Node keeps only the first in `headers.host`). */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'host') count += 1;
  return count;
}

/** The exact origins of pages this server served. */
function allowedOrigins(port: number): string[] {
  return LOOPBACK_HOSTNAMES.map((name) => `http://${name}:${port}`);
}

/** True when an Origin header is exactly one of our own origins (never a prefix or suffix match). */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (typeof origin !== 'string') return false;
  return allowedOrigins(port).includes(origin.trim().toLowerCase());
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  if (typeof authorization !== 'string') return null;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
  return match ? match[1]! : null;
}

/** The value of one cookie from a Cookie header, or null. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | null {
  if (typeof cookieHeader !== 'string') return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** How long the session cookie keeps a bookmark of the bare address working: 30 days. */
const SESSION_COOKIE_MAX_AGE_S = 30 * 24 * 60 * 60;

/** The session cookie's name; it carries the port so servers on other ports keep their own. */
export function sessionCookieName(port: number): string {
  return `pooldeck_session_${port}`;
}

/**
 * The session cookie's value on `port`: an HMAC of the port under the server's cookie secret. Browsers
 * send 127.0.0.1's cookies to every port, so binding the value to the port makes a cookie that another
 * port's server (even one sharing the secret) set worthless here. Never the token itself.
 */
export function sessionCookieValue(cookieSecret: string, port: number): string {
  return createHmac('sha256', cookieSecret).update(`pooldeck-session:${port}`).digest('hex');
}

/** The Set-Cookie header that hands a page the session cookie: script-proof, same-site only, whole origin. */
export function sessionCookieHeader(cookieSecret: string, port: number): string {
  return `${sessionCookieName(port)}=${sessionCookieValue(cookieSecret, port)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_COOKIE_MAX_AGE_S}`;
}

/**
 * True unless the browser says the request comes from another origin (Sec-Fetch-Site): a page on
 * another port of 127.0.0.1 is "same-site", so SameSite=Strict alone would still send it our cookie.
 * Absent (a non-browser client or an old browser) or `none` (the user typed or bookmarked it) is fine.
 */
export function isSameOriginFetch(secFetchSite: string | string[] | undefined): boolean {
  return secFetchSite === undefined || secFetchSite === 'same-origin' || secFetchSite === 'none';
}

/** The `?token=` query parameter of a request target, or null. */
export function queryToken(search: URLSearchParams): string | null {
  return search.get('token');
}

/** True when the TCP peer is on this machine. We bind 127.0.0.1 only; this is the belt to those braces. */
export function isLoopbackPeer(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * A JSON content type (`application/json`, optionally with parameters such as charset). Anything
 * else, notably text/plain, form encodings and multipart (the "simple request" types a cross-site
 * page can send without a CORS preflight), is refused.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** Headers sent on every response: the renderer's CSP and no sniffing, no referrer, no framing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Other origins (including another server on 127.0.0.1, which is "same site") cannot embed our
  // responses with <script src> or <img src>, nor keep a handle on our window.
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
