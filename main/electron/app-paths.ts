// Where the desktop shell finds its own files, and which URLs belong to the app. Pure (no electron),
// so the rules that keep the renderer inside out/renderer can be unit-tested in plain Node.
import { join, resolve } from 'node:path';
import { contentTypeFor, isInside, rendererPathFrom } from '../shell-common/static-files.js';

/** The renderer is served from `app://pooldeck/…`, a privileged standard scheme (see protocol-handler.ts). */
export const APP_SCHEME = 'app';
const APP_HOST = 'pooldeck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The origin of a URL, parsed with a real URL parser. Node's `URL.origin` is the string "null" for every
 * non-special scheme (`app:` included), so comparing `.origin` values would call `app://pooldeck` and
 * `app://evil` equal; for those schemes the origin is built from the protocol and host instead.
 * Returns null for unparsable URLs and for URLs carrying credentials.
 */
export function originOf(url: string | null | undefined): string | null {
  if (typeof url !== 'string' || url === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.origin !== 'null') return parsed.origin;
  if (parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host.toLowerCase()}`;
}

/** True when `url` is a page or file of the app itself (same origin as `app://pooldeck`). */
export function isAppUrl(url: string | null | undefined): boolean {
  return originOf(url) === APP_ORIGIN;
}

/** The build output folders, found from the folder of the bundled main script (out/main). */
export function buildPaths(mainDir: string): { preload: string; renderer: string } {
  return {
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    renderer: join(mainDir, '..', 'renderer'),
  };
}

/**
 * The worker helpers (resources/workers), two levels above out/main. Packaged, out/main is inside
 * app.asar, which child processes (python, node) cannot read: electron-builder unpacks the helpers to
 * app.asar.unpacked (package.json build.asarUnpack), so the path points there.
 */
export function workersDir(mainDir: string): string {
  return join(mainDir, '..', '..', 'resources', 'workers').replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}

export type AppFileResolution =
  | { ok: true; filePath: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps a request URL of the app scheme to a file under `rendererRoot`. Refuses other origins, encoded
 * or literal `..` segments, backslashes, NUL bytes and anything that would resolve outside the root.
 * `/` serves index.html. The caller still gets a 404 from the file system for missing files.
 */
export function resolveAppFile(rendererRoot: string, requestUrl: string): AppFileResolution {
  if (!isAppUrl(requestUrl)) return { ok: false, status: 403, reason: `not an ${APP_ORIGIN} URL` };
  const path = rendererPathFrom(new URL(requestUrl).pathname);
  if (!path.ok) return path;
  const filePath = resolve(rendererRoot, path.relativePath);
  if (!isInside(rendererRoot, filePath)) return { ok: false, status: 403, reason: 'path leaves the renderer folder' };
  return { ok: true, filePath, contentType: contentTypeFor(filePath) };
}
