// The renderer bench page (bench/renderer/) built with vite, served over loopback, and the Chromium it
// runs in: shared by row 5 and the scroll-trace probe.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import type { Page } from 'playwright-core';

/** Builds the page into `<cacheDir>/renderer-build` and returns that directory. */
export async function buildPage(root: string, cacheDir: string): Promise<string> {
  const outDir = resolve(cacheDir, 'renderer-build');
  const { build } = await import('vite');
  const { svelte } = await import('@sveltejs/vite-plugin-svelte');
  await build({
    root: resolve(root, 'bench/renderer'),
    configFile: false,
    logLevel: 'warn',
    base: './',
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: { outDir, emptyOutDir: true, minify: true, sourcemap: false },
  });
  return outDir;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

export function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(dir, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolveServe) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolveServe({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

/** The e2e tests' Chromium and flags (headless, software rendering, a fresh profile). */
export { launchChromium } from '../../test/e2e/harness.js';

/** The page's API (bench/renderer/main.js), called by name: these files are type-checked without the DOM. */
export function pageApi(page: Page): <T>(method: string, ...args: unknown[]) => Promise<T> {
  return <T>(method: string, ...args: unknown[]) =>
    page.evaluate(
      ([name, list]) => {
        const api = (globalThis as unknown as { pooldeckBench: Record<string, (...a: unknown[]) => unknown> }).pooldeckBench;
        return api[name as string](...(list as unknown[])) as T;
      },
      [method, args] as const,
    ) as Promise<T>;
}
