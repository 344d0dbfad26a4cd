import { HttpTransport, keepToken, takeToken } from './transport-http.js';
import { IpcTransport } from './transport-ipc.js';
import type { Transport } from './transport.js';

/** Electron's preload sets `window.pooldeck`; without it we were served by the headless server. */
export function connect(win: Window = window): Transport {
  if (win.pooldeck) return new IpcTransport(win.pooldeck);
  return new HttpTransport({ origin: win.location.origin, token: takeToken(win), onToken: (token) => keepToken(token, win) });
}
