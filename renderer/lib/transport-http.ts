import { EVENTS_PATH, HTTP_COMMAND_PREFIX, SESSION_PATH } from '../../main/protocol/bridge.js';
import type { AppEvent, CommandArgs, CommandName, CommandOutcome, CommandResult } from '../../main/protocol/index.js';
import type { ConnectionState, Transport } from './transport.js';

// The headless transport: commands are HTTP POSTs, events come over one WebSocket. Both carry the
// server's token (its `authkey`), which arrives once in the page URL and then lives in sessionStorage.
// A tab without one (a second tab, a bookmark of the bare address) or whose token the server no longer
// takes (it restarted: a new token per run) asks GET /api/session for the current one, which the
// server answers to pages holding its session cookie.

const TOKEN_STORAGE_KEY = 'pooldeck.token';

/** Waits between reconnection attempts; the last one repeats. */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];

/**
 * Takes `?token=` from the address the server printed, keeps it for this tab and removes it from the
 * address bar (and history), so it is not bookmarked, shared in a screenshot or sent as a Referer.
 */
export function takeToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  let storage: Storage | null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage refused: the token still works until this page is reloaded.
    }
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Keeps a token the session handed us for this tab, so a reload does not have to ask again. */
export function keepToken(token: string, win: Pick<Window, 'sessionStorage'> = window): void {
  try {
    win.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage refused: the session cookie still gets the token again after a reload.
  }
}

export interface HttpTransportOptions {
  /** `http://127.0.0.1:port`; the page's own origin by default. */
  origin?: string;
  token: string | null;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  reconnectDelaysMs?: readonly number[];
  /** Called with each token the server's session hands over (to keep it for reloads). */
  onToken?: (token: string) => void;
}

const UNAUTHORIZED_MESSAGE =
  'The server refused this page’s token (it may have restarted). Open the address Pooldeck printed when it started (it carries a fresh token).';

export class HttpTransport implements Transport {
  readonly kind = 'http';
  readonly #origin: string;
  #token: string | null;
  readonly #onToken: (token: string) => void;
  /** The session request under way, shared by everyone who needs a token meanwhile. */
  #renewing: Promise<boolean> | null = null;
  readonly #fetch: typeof fetch;
  readonly #WebSocket: typeof WebSocket;
  readonly #delays: readonly number[];
  readonly #eventListeners = new Set<(event: AppEvent) => void>();
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  #state: ConnectionState = 'connecting';
  #socket: WebSocket | null = null;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(options: HttpTransportOptions) {
    this.#origin = options.origin ?? window.location.origin;
    this.#token = options.token;
    this.#fetch = options.fetch ?? window.fetch.bind(window);
    this.#WebSocket = options.WebSocket ?? window.WebSocket;
    this.#delays = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
    this.#onToken = options.onToken ?? (() => {});
  }

  async call<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutcome<CommandResult<N>>> {
    if (!this.#token && !(await this.#renewToken())) {
      this.#setState('unauthorized');
      return { ok: false, error: { code: 'internal', message: UNAUTHORIZED_MESSAGE } };
    }
    const outcome = await this.#post(name, args);
    // A token refused after a restart: the session may have this run's one; then try once more.
    if (outcome === 'refused' && (await this.#renewToken())) {
      const again = await this.#post(name, args);
      if (again !== 'refused') return again;
    }
    if (outcome === 'refused') {
      this.#setState('unauthorized');
      return { ok: false, error: { code: 'internal', message: UNAUTHORIZED_MESSAGE } };
    }
    return outcome;
  }

  async #post<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutcome<CommandResult<N>> | 'refused'> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#origin}${HTTP_COMMAND_PREFIX}${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.#token}` },
        body: JSON.stringify(args ?? {}),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal', message: `Cannot reach Pooldeck (${reason}). Is the server still running?` } };
    }
    if (response.status === 401 || response.status === 403) return 'refused';
    try {
      const outcome = (await response.json()) as CommandOutcome<CommandResult<N>>;
      if (outcome && typeof outcome === 'object' && typeof outcome.ok === 'boolean') return outcome;
    } catch {
      // fall through: the body was not the JSON we expect
    }
    return {
      ok: false,
      error: { code: 'internal', message: `Unexpected answer from the server to ${name} (HTTP ${response.status}).` },
    };
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.#eventListeners.add(listener);
    if (!this.#socket && !this.#retryTimer && !this.#disposed) {
      if (this.#token) this.#connect();
      else void this.#connectWithSessionToken();
    }
    return () => {
      this.#eventListeners.delete(listener);
      if (this.#eventListeners.size === 0) this.#closeSocket();
    };
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    listener(this.#state);
    return () => this.#stateListeners.delete(listener);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  dispose(): void {
    this.#disposed = true;
    this.#eventListeners.clear();
    this.#stateListeners.clear();
    this.#closeSocket();
  }

  /** A tab that came without a token: ask the session for one, then connect (or say we cannot). */
  async #connectWithSessionToken(): Promise<void> {
    if (!(await this.#renewToken())) {
      this.#setState('unauthorized');
      return;
    }
    if (!this.#socket && !this.#retryTimer && !this.#disposed && this.#eventListeners.size > 0) this.#connect();
  }

  /**
   * Asks GET /api/session for this run's token (the session cookie goes along by itself). True when
   * it gave one we did not have; false when there is no session (no cookie, or the server's cookie
   * secret changed) or the server is unreachable.
   */
  #renewToken(): Promise<boolean> {
    if (this.#renewing) return this.#renewing;
    const renewing = this.#askSession().finally(() => {
      if (this.#renewing === renewing) this.#renewing = null;
    });
    this.#renewing = renewing;
    return renewing;
  }

  async #askSession(): Promise<boolean> {
    try {
      const response = await this.#fetch(`${this.#origin}${SESSION_PATH}`, { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) return false;
      const body = (await response.json()) as { ok?: unknown; value?: { token?: unknown } } | null;
      const token = body?.ok === true ? body.value?.token : undefined;
      if (typeof token !== 'string' || token.length === 0 || token === this.#token) return false;
      this.#token = token;
      this.#onToken(token);
      return true;
    } catch {
      return false;
    }
  }

  #connect(): void {
    const wsOrigin = this.#origin.replace(/^http/, 'ws');
    const socket = new this.#WebSocket(`${wsOrigin}${EVENTS_PATH}?token=${encodeURIComponent(this.#token ?? '')}`);
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.#setState('open');
    };
    socket.onmessage = (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let event: AppEvent;
      try {
        event = JSON.parse(message.data) as AppEvent;
      } catch {
        return; // not ours: ignore rather than break the stream
      }
      for (const listener of this.#eventListeners) listener(event);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#disposed || this.#eventListeners.size === 0) return;
      if (this.#state === 'unauthorized') return; // retrying cannot make a refused token valid
      this.#setState('reconnecting');
      // A socket refused before opening may be a wrong token: the handshake cannot tell us, HTTP can.
      if (!opened) void this.#checkToken();
      this.#scheduleReconnect();
    };
  }

  async #checkToken(): Promise<void> {
    try {
      const response = await this.#fetch(`${this.#origin}${HTTP_COMMAND_PREFIX}getSnapshot`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.#token}` },
        body: '{}',
      });
      if (response.status !== 401 && response.status !== 403) return;
      // The server restarted with a new token: a session cookie gets this run's, and we connect at once.
      const renewed = await this.#renewToken();
      this.#closeSocket(); // also cancels the retry already scheduled
      if (this.#disposed || this.#eventListeners.size === 0) return;
      if (renewed) this.#connect();
      else this.#setState('unauthorized');
    } catch {
      // unreachable server: stay in 'reconnecting'
    }
  }

  #scheduleReconnect(): void {
    const delay = this.#delays[Math.min(this.#attempt, this.#delays.length - 1)] ?? 1000;
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#disposed && this.#eventListeners.size > 0) this.#connect();
    }, delay);
  }

  #closeSocket(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }
}
