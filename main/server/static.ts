import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

// Serves the built renderer (out/renderer). Only regular files inside that folder, resolved through
// symlinks, are ever read; everything else is 404. Authorization happens before this is called.

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

/**
 * Maps a URL pathname to a path relative to the renderer folder, or null when it could leave the
 * folder or is malformed: encoded or literal `..` segments, backslashes, NUL bytes, bad escapes.
 */
export function safeRelativePath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return null;
  if (segments.length === 0) return 'index.html';
  return segments.join('/');
}

/** Serves GET/HEAD of one file of `rootDir`; answers 404 for anything that is not a file inside it. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rootDir: string,
  pathname: string,
): Promise<void> {
  const relativePath = safeRelativePath(pathname);
  if (relativePath === null) return sendPlain(res, 404, 'not found');

  const root = resolve(rootDir);
  const candidate = join(root, relativePath);
  let realFile: string;
  let realRoot: string;
  try {
    [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
  } catch {
    return sendPlain(res, 404, 'not found');
  }
  // Checked on the real paths, so a symlink inside the folder cannot point outside it.
  const inside = relative(realRoot, realFile);
  if (inside === '' || inside.startsWith('..' + sep) || inside === '..' || isAbsolute(inside)) {
    return sendPlain(res, 404, 'not found');
  }
  let info;
  try {
    info = await stat(realFile);
  } catch {
    return sendPlain(res, 404, 'not found');
  }
  if (!info.isFile()) return sendPlain(res, 404, 'not found');

  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeFor(realFile));
  res.setHeader('Content-Length', info.size);
  // The page and its assets are only for whoever holds this launch's token: keep them out of caches.
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(realFile);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}

function sendPlain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}
