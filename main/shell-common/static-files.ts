// What both shells (the HTTP server and Electron's app:// handler) need to serve the built renderer:
// the content types and the guard that keeps every request inside the renderer folder. Plain Node,
// no electron, so both can import it and it is tested without either.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type RendererPath = { ok: true; relativePath: string } | { ok: false; status: 400 | 403; reason: string };

/**
 * Maps a URL pathname to a path relative to the renderer folder; refuses malformed escapes, NUL bytes,
 * backslashes and encoded or literal `..` segments. `/` is index.html.
 */
export function rendererPathFrom(pathname: string): RendererPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding in the path' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) {
    return { ok: false, status: 400, reason: 'forbidden character in the path' };
  }
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return { ok: false, status: 403, reason: 'path leaves the renderer folder' };
  return { ok: true, relativePath: segments.length === 0 ? 'index.html' : segments.join('/') };
}

/** True when `path` is strictly inside `root` (compare real paths to see through symlinks). */
export function isInside(root: string, path: string): boolean {
  const fromRoot = relative(resolve(root), resolve(path));
  return fromRoot !== '' && fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot);
}
