/**
 * The one Content-Security-Policy of the renderer, whichever shell serves it (HTTP header from the
 * server, app:// response header in Electron): only the app's own files, no inline or remote scripts
 * or styles, no frames, plugins, workers or form posts. Svelte sets dynamic styles through the CSSOM,
 * which style-src does not govern.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ');
