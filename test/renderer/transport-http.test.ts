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
});
