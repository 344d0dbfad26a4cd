import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpTransport, takeToken } from '../../renderer/lib/transport-http.js';
import type { ConnectionState } from '../../renderer/lib/transport.js';
import { snapshot } from './process-rows.js';

/** A WebSocket stand-in the test opens, feeds and closes by hand. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  close() {
    this.closed = true;
  }
}

function transport(fetchImpl: typeof fetch = vi.fn()) {
  FakeSocket.instances = [];
  return new HttpTransport({
    origin: 'http://127.0.0.1:4000',
    token: 'secret',
    fetch: fetchImpl,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    reconnectDelaysMs: [100, 200],
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('takeToken', () => {
  it('moves the token from the address bar into this tab’s storage', () => {
    const replaceState = vi.fn();
    const storage = new Map<string, string>();
    const win = {
      location: { href: 'http://127.0.0.1:4000/?token=abc&view=pools#x' },
      history: { state: null, replaceState },
      sessionStorage: { setItem: (k: string, v: string) => storage.set(k, v), getItem: (k: string) => storage.get(k) ?? null },
    } as unknown as Window;
    expect(takeToken(win)).toBe('abc');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/?view=pools#x');

    // A reload has no token in the address any more: it comes from storage.
    const reloaded = { ...win, location: { href: 'http://127.0.0.1:4000/?view=pools' } } as unknown as Window;
    expect(takeToken(reloaded)).toBe('abc');
  });
});

describe('HttpTransport', () => {
  it('posts commands with the bearer token and returns the outcome', async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ ok: true, value: { id: 'p1' } }), { status: 200 }));
    const api = transport(fetchImpl as unknown as typeof fetch);
    const outcome = await api.call('restart', { id: 'p1' });
    expect(outcome).toEqual({ ok: true, value: { id: 'p1' } });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:4000/api/command/restart');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer secret');
    expect(init.body).toBe('{"id":"p1"}');
  });

  it('turns a refused token and an unreachable server into readable errors', async () => {
    const states: ConnectionState[] = [];
    const api = transport(vi.fn(async () => new Response('', { status: 401 })) as unknown as typeof fetch);
    api.onConnectionChange((state) => states.push(state));
    const refused = await api.call('getSnapshot', {});
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.message).toMatch(/token/);
    expect(states.at(-1)).toBe('unauthorized');

    const down = transport(vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch);
    const outcome = await down.call('getSnapshot', {});
    expect(!outcome.ok && outcome.error.message).toMatch(/Cannot reach Pooldeck/);
  });

  it('streams events from the WebSocket and reconnects when it drops', async () => {
    vi.useFakeTimers();
    const api = transport(vi.fn(async () => new Response('{}', { status: 200 })) as unknown as typeof fetch);
    const states: ConnectionState[] = [];
    api.onConnectionChange((state) => states.push(state));
    const events: unknown[] = [];
    const stop = api.subscribe((event) => events.push(event));

    const first = FakeSocket.instances[0];
    expect(first.url).toBe('ws://127.0.0.1:4000/api/events?token=secret');
    first.onopen?.();
    first.onmessage?.({ data: JSON.stringify({ type: 'snapshot', snapshot: snapshot() }) });
    first.onmessage?.({ data: 'not json' });
    expect(events).toHaveLength(1);
    expect(states).toEqual(['connecting', 'open']);

    first.onclose?.();
    expect(states.at(-1)).toBe('reconnecting');
    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.instances[1].onopen?.();
    expect(states.at(-1)).toBe('open');

    stop();
    expect(FakeSocket.instances[1].closed).toBe(true);
    api.dispose();
  });

  it('asks over HTTP whether a socket that never opened was refused for its token', async () => {
    vi.useFakeTimers();
    const api = transport(vi.fn(async () => new Response('', { status: 401 })) as unknown as typeof fetch);
    const states: ConnectionState[] = [];
    api.onConnectionChange((state) => states.push(state));
    api.subscribe(() => {});
    FakeSocket.instances[0].onclose?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toBe('unauthorized');
    api.dispose();
  });

  /**
   * A server that takes only `current` as token and hands it to GET /api/session when `session` is
   * true (the page holds a valid session cookie). Every request is recorded.
   */
  function restartingServer(state: { current: string; session: boolean }) {
    const requests: { url: string; authorization?: string }[] = [];
    const fetchImpl = vi.fn(async (url: string, init: RequestInit = {}) => {
      const authorization = (init.headers as Record<string, string> | undefined)?.Authorization;
      requests.push({ url, authorization });
      if (url.endsWith('/api/session')) {
        return state.session ? new Response(JSON.stringify({ ok: true, value: { token: state.current } })) : new Response('{}', { status: 401 });
      }
      if (authorization !== `Bearer ${state.current}`) return new Response('{}', { status: 401 });
      return new Response(JSON.stringify({ ok: true, value: { id: 'p1' } }));
    });
    return { requests, fetch: fetchImpl as unknown as typeof fetch };
  }

  /** A transport on fake timers whose socket opened on a server that will restart (`session`: whether
   *  its session still knows this page then), and the connection states it went through. */
  function openOnRestartingServer(session: boolean) {
    vi.useFakeTimers();
    const state = { current: 'run-1', session };
    const server = restartingServer(state);
    FakeSocket.instances = [];
    const api = new HttpTransport({ origin: 'http://127.0.0.1:7770', token: 'run-1', fetch: server.fetch, WebSocket: FakeSocket as unknown as typeof WebSocket, reconnectDelaysMs: [100] });
    const states: ConnectionState[] = [];
    api.onConnectionChange((next) => states.push(next));
    api.subscribe(() => {});
    FakeSocket.instances[0].onopen?.();
    return { state, api, states };
  }

  it('gets a tab opened at the bare address its token from the session cookie, and keeps it', async () => {
    const server = restartingServer({ current: 'run-1', session: true });
    const kept: string[] = [];
    FakeSocket.instances = [];
    const api = new HttpTransport({
      origin: 'http://127.0.0.1:7770',
      token: null,
      fetch: server.fetch,
      WebSocket: FakeSocket as unknown as typeof WebSocket,
      onToken: (token) => kept.push(token),
    });
    const states: ConnectionState[] = [];
    api.onConnectionChange((state) => states.push(state));
    api.subscribe(() => {});
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    expect(FakeSocket.instances[0].url).toBe('ws://127.0.0.1:7770/api/events?token=run-1');
    expect(kept).toEqual(['run-1']);
    expect(states).toEqual(['connecting']);
    expect(await api.call('restart', { id: 'p1' })).toEqual({ ok: true, value: { id: 'p1' } });
    api.dispose();
  });

  it('reconnects at once with the new token when the server restarted and its session still knows this page', async () => {
    const { state, api, states } = openOnRestartingServer(true);

    // The server stops, and comes back with a new token: the old one is refused at the handshake.
    FakeSocket.instances[0].onclose?.();
    expect(states.at(-1)).toBe('reconnecting');
    state.current = 'run-2';
    await vi.advanceTimersByTimeAsync(100);
    FakeSocket.instances[1].onclose?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.instances).toHaveLength(3);
    expect(FakeSocket.instances[2].url).toBe('ws://127.0.0.1:7770/api/events?token=run-2');
    FakeSocket.instances[2].onopen?.();
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    api.dispose();
  });

  it('says unauthorized when the restarted server has no session for this page, and stops retrying', async () => {
    const { state, api, states } = openOnRestartingServer(false);
    state.current = 'run-2';
    FakeSocket.instances[0].onclose?.();
    await vi.advanceTimersByTimeAsync(100);
    FakeSocket.instances[1].onclose?.();
    await vi.advanceTimersByTimeAsync(1000);
    expect(states.at(-1)).toBe('unauthorized');
    expect(FakeSocket.instances).toHaveLength(2);
    api.dispose();
  });

  it('retries a command refused for its token once, with the token the session hands over', async () => {
    const state = { current: 'run-2', session: true };
    const server = restartingServer(state);
    const api = new HttpTransport({ origin: 'http://127.0.0.1:7770', token: 'run-1', fetch: server.fetch, WebSocket: FakeSocket as unknown as typeof WebSocket });
    expect(await api.call('restart', { id: 'p1' })).toEqual({ ok: true, value: { id: 'p1' } });
    expect(server.requests.map((request) => `${request.url} ${request.authorization ?? ''}`)).toEqual([
      'http://127.0.0.1:7770/api/command/restart Bearer run-1',
      'http://127.0.0.1:7770/api/session ',
      'http://127.0.0.1:7770/api/command/restart Bearer run-2',
    ]);
    api.dispose();
  });
});
