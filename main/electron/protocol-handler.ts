// Serves the built renderer from app://pooldeck instead of file:// (Electron security checklist item 18):
// a privileged standard secure scheme, the CSP sent as a header on every response, and paths resolved by
// app-paths.ts, which refuses anything outside out/renderer.
import { readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { APP_SCHEME, resolveAppFile } from './app-paths.js';
import { CONTENT_SECURITY_POLICY } from './window-options.js';

/** Must run before the app is ready. */
export function registerAppSchemeAsPrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Serves `rendererDir` on the app scheme of `session`; returns the function that stops serving. */
export function serveRenderer(session: Session, rendererDir: string, log: (message: string) => void): () => void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'method not allowed');
    const resolved = resolveAppFile(rendererDir, request.url);
    if (!resolved.ok) {
      log(`refused ${request.url}: ${resolved.reason}`);
      return textResponse(resolved.status, resolved.reason);
    }
    let body: Buffer;
    try {
      body = await readFile(resolved.filePath);
    } catch {
      return textResponse(404, 'not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body.buffer, body.byteOffset, body.byteLength), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': resolved.contentType, 'Cache-Control': 'no-cache' },
    });
  });
  return () => session.protocol.unhandle(APP_SCHEME);
}
