import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { contentTypeFor, isInside, rendererPathFrom } from '../shell-common/static-files.js';

// Serves the built renderer (out/renderer). Only regular files inside that folder, resolved through
// symlinks, are ever read; everything else is 404. Authorization happens before this is called.

/** Serves GET/HEAD of one file of `rootDir`; answers 404 for anything that is not a file inside it. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rootDir: string,
  pathname: string,
): Promise<void> {
  const path = rendererPathFrom(pathname);
  if (!path.ok) return sendPlain(res, 404, 'not found');

  const root = resolve(rootDir);
  const candidate = join(root, path.relativePath);
  let realFile: string;
  let realRoot: string;
  try {
    [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
  } catch {
    return sendPlain(res, 404, 'not found');
  }
  // Checked on the real paths, so a symlink inside the folder cannot point outside it.
  if (!isInside(realRoot, realFile)) return sendPlain(res, 404, 'not found');
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
