import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { EVENTS_PATH, HTTP_COMMAND_PREFIX, SESSION_PATH, type AppEventSource } from '../protocol/bridge.js';
import type { CommandHandlers } from '../protocol/commands.js';
import { dispatchCommand } from '../protocol/dispatch.js';
import type { CommandError, CommandOutcome } from '../protocol/errors.js';
import type { AppEvent } from '../protocol/events.js';
import {
  SECURITY_HEADERS,
  bearerToken,
  cookieValue,
  generateToken,
  hostHeaderCount,
  isAllowedHost,
  isAllowedOrigin,
  isJsonContentType,
  isLoopbackPeer,
  isSameOriginFetch,
  queryToken,
  sessionCookieHeader,
  sessionCookieName,
  sessionCookieValue,
  tokenMatches,
} from './security.js';
import { serveStatic } from './static.js';

// The headless shell: the built renderer over HTTP, commands as POST /api/command/<name>, events over
// a WebSocket at /api/events. Listens on 127.0.0.1 only.
//
// How requests are authorized (one secret per launch, 32 random bytes, printed in the URL):
// - Every request is first checked for a loopback peer and an allowed Host header (403 otherwise:
//   DNS rebinding), then for a credential (401 otherwise). Nothing is served without one.
// - `Authorization: Bearer <token>` is accepted everywhere.
// - `?token=<token>` is accepted on a page load (`/` or `/index.html`) and on the events WebSocket,
//   which browsers cannot give headers.
// - Scripts and styles the page loads cannot carry a header either, and a second tab or a bookmark
//   of the bare address has no token. So a page load with a valid `?token=` sets a session cookie
//   (HttpOnly, SameSite=Strict, Path=/, 30 days) holding an HMAC of the port under the cookie secret,
//   never the token. The cookie authorizes GET/HEAD of static files and `GET /api/session`, which
//   answers this run's token to a same-origin script (no CORS headers, Sec-Fetch-Site checked), so the
//   page can then use Bearer like any client. It never authorizes a command (a cookie is ambient, so
//   honouring it on a mutation would be CSRF) nor the event stream. With a cookie secret kept across
//   runs (the CLI keeps one in the data dir), an old tab or a bookmark works after a restart on the
//   same port. Cookies are not scoped by port: another server on 127.0.0.1 that the browser visits
//   sees the cookie and could present it here; that is the price of bookmarks of the bare address.
//   The value is bound to the port, so a cookie set on another port is worthless here, and the
//   cookie name carries the port so servers on different ports do not overwrite each other's.
// - Commands additionally require POST, `Content-Type: application/json` (a cross-site page can only
//   send that after a CORS preflight, which gets no CORS headers and so fails) and, when an Origin is
//   sent, one of our own origins. No response ever carries Access-Control-Allow-* headers.
// - WebSocket upgrades with an Origin that is not ours are refused (WebSockets skip the same-origin
//   policy); a missing Origin (a non-browser client) is fine because the token is required anyway.

/** The part of the backend the server needs. */
export interface ServerBackend {
  handlers: CommandHandlers;
  events: AppEventSource;
}

export interface ServerOptions {
  backend: ServerBackend;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Ports tried in order before `port` (the first free one wins; EADDRINUSE moves on). The CLI's
   * default: a fixed port and the next few, so the address (and its settings, cookie and bookmarks)
   * stays the same from run to run.
   */
  preferredPorts?: readonly number[];
  /** The secret session cookies are derived from; random per server by default. Keep it across runs to keep tabs and bookmarks working after a restart. */
  cookieSecret?: string;
  /** Largest command body accepted; larger gets 413. */
  maxBodyBytes?: number;
  /** A connection that has not sent a request's headers within this time is closed (never-sending and slowloris clients). */
  headersTimeoutMs?: number;
  /** A request whose body has not all arrived within this time is closed. */
  requestTimeoutMs?: number;
  /** Keepalive: a client that does not answer a ping within this interval is dropped. */
  pingIntervalMs?: number;
  /** A client with more than this many bytes unsent gets no more deltas, then a fresh snapshot. */
  maxBufferedBytes?: number;
  /** Diagnostics (never stdout: the CLI's stdout is one line). */
  log?: (message: string) => void;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Node checks those timeouts on an interval (30 s by default, which would stretch 10 s to 40 s). */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1_000;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const RESYNC_POLL_MS = 50;

type HttpErrorCode =
  | CommandError['code']
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'bad_request';

/** HTTP statuses of command errors; the body is the same JSON error value whatever the status. */
const COMMAND_ERROR_STATUS: Partial<Record<CommandError['code'], number>> = {
  invalid: 400,
  not_found: 404,
  unknown_command: 404,
  conflict: 409,
};

/** JSON text of an event, computed once however many clients receive it. */
const encodedEvents = new WeakMap<AppEvent, string>();
function encodeEvent(event: AppEvent): string {
  let text = encodedEvents.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    encodedEvents.set(event, text);
  }
  return text;
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { backend, rendererDir } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const log = options.log ?? (() => {});

  const token = generateToken();
  const cookieSecret = options.cookieSecret ?? generateToken();
  let port = 0;

  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(headersTimeout, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const server = http.createServer({
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_INTERVAL_MS, Math.max(10, Math.floor(headersTimeout / 4))),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false, clientTracking: true });
  const clients = new Map<WebSocket, EventStream>();

  // Node's headersTimeout only runs once a request has begun; a connection that never sends a byte
  // would be kept forever. Each new connection gets until its first request's headers are in.
  const firstRequestTimers = new WeakMap<Duplex, NodeJS.Timeout>();
  const firstRequestArrived = (socket: Duplex) => {
    clearTimeout(firstRequestTimers.get(socket));
    firstRequestTimers.delete(socket);
  };
  server.on('connection', (socket: Duplex) => {
    const timer = setTimeout(() => socket.destroy(), headersTimeout);
    timer.unref();
    firstRequestTimers.set(socket, timer);
    socket.once('close', () => firstRequestArrived(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    firstRequestArrived(req.socket);
    handleRequest(req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) sendJsonError(res, 500, 'internal', 'internal error');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    firstRequestArrived(socket);
    socket.on('error', () => {});
    const refusal = checkUpgrade(req);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal} ${http.STATUS_CODES[refusal]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.set(ws, new EventStream(ws, backend.events, maxBufferedBytes));
      ws.on('close', () => {
        clients.get(ws)?.dispose();
        clients.delete(ws);
      });
    });
  });

  /** null when the upgrade may proceed, otherwise the HTTP status to refuse it with. */
  function checkUpgrade(req: IncomingMessage): number | null {
    if (hostHeaderCount(req.rawHeaders) !== 1) return 400;
    if (!isLoopbackPeer(req) || !isAllowedHost(req.headers.host, port)) return 403;
    const target = parseTarget(req.url);
    if (!target || target.pathname !== EVENTS_PATH) return 404;
    const origin = req.headers.origin;
    if (origin !== undefined && !isAllowedOrigin(origin, port)) return 403;
    const presented = queryToken(target.searchParams) ?? bearerToken(req.headers.authorization);
    if (!tokenMatches(presented, token)) return 401;
    return null;
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // Node keeps the first of several Host headers; which one a proxy or browser meant is anyone's guess.
    if (hostHeaderCount(req.rawHeaders) !== 1) return sendText(res, 400, 'bad request: send exactly one Host header');
    // Host first, before anything else is looked at (DNS rebinding).
    if (!isLoopbackPeer(req) || !isAllowedHost(req.headers.host, port)) {
      return sendText(res, 403, 'forbidden: this server answers only to 127.0.0.1, localhost or [::1] on its own port');
    }
    const target = parseTarget(req.url);
    if (!target) return sendText(res, 400, 'bad request target');
    const { pathname } = target;
    const bearerOk = tokenMatches(bearerToken(req.headers.authorization), token);

    const cookieOk = tokenMatches(cookieValue(req.headers.cookie, sessionCookieName(port)), sessionCookieValue(cookieSecret, port));

    if (pathname === SESSION_PATH) return handleSession(req, res, bearerOk || cookieOk);
    if (pathname.startsWith('/api/')) {
      if (!bearerOk) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return sendJsonError(res, 401, 'unauthorized', 'missing or wrong token (send Authorization: Bearer <token>)');
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !isAllowedOrigin(origin, port)) {
        return sendJsonError(res, 403, 'forbidden', 'requests from other origins are refused');
      }
      if (pathname.startsWith(HTTP_COMMAND_PREFIX)) {
        return handleCommand(req, res, pathname.slice(HTTP_COMMAND_PREFIX.length));
      }
      if (pathname === EVENTS_PATH) {
        res.setHeader('Upgrade', 'websocket');
        return sendJsonError(res, 426, 'invalid', 'the event stream is a WebSocket');
      }
      return sendJsonError(res, 404, 'not_found', `no such endpoint: ${pathname.slice(0, 100)}`);
    }

    // Static files: Bearer, the asset cookie, or (page loads only) the ?token= handoff.
    const isPageLoad = pathname === '/' || pathname === '/index.html';
    const handoffOk = isPageLoad && tokenMatches(queryToken(target.searchParams), token);
    if (!bearerOk && !handoffOk && !cookieOk) {
      return sendText(
        res,
        401,
        'Pooldeck needs its token: open the URL the server printed (http://127.0.0.1:<port>/?token=...).',
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed');
    }
    // Every page load renews the cookie, so a bookmark in daily use does not expire.
    if (isPageLoad && (handoffOk || cookieOk)) res.setHeader('Set-Cookie', sessionCookieHeader(cookieSecret, port));
    await serveStatic(req, res, rendererDir, pathname);
  }

  /** `GET /api/session`: this run's token, to our own page holding the session cookie. */
  function handleSession(req: IncomingMessage, res: ServerResponse, authorized: boolean): void {
    const origin = req.headers.origin;
    if ((origin !== undefined && !isAllowedOrigin(origin, port)) || !isSameOriginFetch(req.headers['sec-fetch-site'])) {
      return sendJsonError(res, 403, 'forbidden', 'requests from other origins are refused');
    }
    if (!authorized) {
      return sendJsonError(res, 401, 'unauthorized', 'no session: open the address the server printed (it carries the token)');
    }
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendJsonError(res, 405, 'method_not_allowed', 'the session is read with GET');
    }
    sendJson(res, 200, JSON.stringify({ ok: true, value: { token } }));
  }

  async function handleCommand(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJsonError(res, 405, 'method_not_allowed', 'commands are POST requests with a JSON body');
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      return sendJsonError(res, 415, 'unsupported_media_type', 'commands need Content-Type: application/json');
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too_large') {
      res.setHeader('Connection', 'close');
      return sendJsonError(res, 413, 'payload_too_large', `the body must be at most ${maxBodyBytes} bytes`);
    }
    if (body === 'aborted') return;
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJsonError(res, 400, 'invalid', 'the body is not valid JSON');
    }
    const outcome = await dispatchCommand(backend.handlers, name, payload);
    const status = outcome.ok ? 200 : (COMMAND_ERROR_STATUS[outcome.error.code] ?? 200);
    let text: string;
    try {
      text = JSON.stringify(outcome);
    } catch (error) {
      log(`command ${name} returned a value that is not JSON: ${String(error)}`);
      return sendJsonError(res, 500, 'internal', 'the result could not be encoded');
    }
    sendJson(res, status, text);
  }

  // An accept that fails (EMFILE/ENFILE when the app is out of file descriptors) is reported here;
  // without a listener it would be an uncaught exception and take the app down. libuv has already
  // dropped that connection and keeps accepting once descriptors are free again.
  const onServerError = (error: Error) => log(`server: ${error.message}`);

  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await listenOnFirstFree(server, [...(options.preferredPorts ?? []), options.port ?? 0]);
  server.on('error', onServerError);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  port = address.port;

  // Keepalive: a client that did not answer the previous ping is gone (sleeping laptop, dead tab).
  const pingTimer = setInterval(() => {
    for (const stream of clients.values()) stream.ping();
  }, pingIntervalMs);
  pingTimer.unref();

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close() {
      closing ??= (async () => {
        clearInterval(pingTimer);
        for (const [ws, stream] of clients) {
          stream.dispose();
          ws.close(1001, 'server closing');
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Give close frames a moment, then cut whatever is left.
        await Promise.race([closed, delay(500)]);
        for (const ws of clients.keys()) ws.terminate();
        server.closeAllConnections();
        await closed;
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/**
 * One WebSocket client of the event stream: snapshot first, then deltas. A client that reads too
 * slowly (more than `maxBufferedBytes` unsent) is unsubscribed instead of buffered without bound; once
 * its backlog has drained it is subscribed again, which starts with a fresh snapshot.
 */
class EventStream {
  private unsubscribe: (() => void) | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private alive = true;
  private disposed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly events: AppEventSource,
    private readonly maxBufferedBytes: number,
  ) {
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', () => {});
    // Clients have nothing to say on this socket; messages are ignored (maxPayload bounds them).
    this.subscribe();
  }

  private subscribe(): void {
    const unsubscribe = this.events.subscribe((event) => this.onEvent(event));
    // The snapshot may have arrived (and made us fall behind) while subscribe() ran.
    if (this.disposed || this.resyncTimer !== null) unsubscribe();
    else this.unsubscribe = unsubscribe;
  }

  private onEvent(event: AppEvent): void {
    if (this.disposed || this.resyncTimer !== null || this.ws.readyState !== WebSocket.OPEN) return;
    if (event.type === 'delta' && this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.fallBehind();
      return;
    }
    this.ws.send(encodeEvent(event));
  }

  private fallBehind(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.resyncTimer = setInterval(() => {
      if (this.ws.readyState !== WebSocket.OPEN) return this.dispose();
      if (this.ws.bufferedAmount > 0) return;
      clearInterval(this.resyncTimer!);
      this.resyncTimer = null;
      this.subscribe();
    }, RESYNC_POLL_MS);
  }

  ping(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.ws.ping();
    } catch {
      this.ws.terminate();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.resyncTimer !== null) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}

/** Listens on 127.0.0.1 at the first of `ports` that is free; any other error (or the last port busy) rejects. */
async function listenOnFirstFree(server: http.Server, ports: readonly number[]): Promise<void> {
  for (const [index, port] of ports.entries()) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!busy || index === ports.length - 1) throw error;
    }
  }
}

function parseTarget(url: string | undefined): URL | null {
  // Origin-form only ("/path?query"); absolute-form targets could name another host than Host.
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return null;
  try {
    return new URL(url, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/**
 * The body, or 'too_large' past the limit (nothing more is read: the 413 closes the connection), or
 * 'aborted' if the client left.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    if (tooLarge) return resolve('too_large');
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        req.off('data', onData);
        req.pause();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    req.on('aborted', () => resolve('aborted'));
    req.on('error', () => resolve('aborted'));
  });
}

/**
 * An answer given before the request's body was read (401, 403, 413...) closes the connection:
 * otherwise Node would read and discard the whole body, however large or slow, to reach the next
 * request on the connection.
 */
function closeIfBodyUnread(res: ServerResponse): void {
  const req = res.req;
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.complete) res.shouldKeepAlive = false;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  closeIfBodyUnread(res);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, text: string): void {
  closeIfBodyUnread(res);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

function sendJsonError(res: ServerResponse, status: number, code: HttpErrorCode, message: string): void {
  const outcome: CommandOutcome<never> | { ok: false; error: { code: HttpErrorCode; message: string } } = {
    ok: false,
    error: { code, message },
  };
  sendJson(res, status, JSON.stringify(outcome));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
