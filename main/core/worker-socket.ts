// The worker protocol over a local socket, for where a worker cannot inherit a pipe on fd 3 (Windows):
// each worker gets its own listener, a Unix-domain socket in a private 0700 folder (a named pipe
// `\\.\pipe\…` on Windows), named in POOLDECK_WORKER_ADDRESS. The worker connects once and proves it
// holds its POOLDECK_AUTHKEY with the channel's challenge–response (channel-server.ts's Handshake);
// then the connection carries the same lines fd 3 would. The environment says which transport a
// worker must use (POOLDECK_WORKER_TRANSPORT): see docs/worker-protocol.md.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Handshake } from './channel-server.js';
import { channelFolderPrefix } from './stale-channel-folders.js';

/** `fd3`: a pipe on file descriptor 3 (POOLDECK_CHANNEL_FD). `socket`: a connection to POOLDECK_WORKER_ADDRESS. */
export type WorkerTransport = 'fd3' | 'socket';

/** Which transport the worker must use; also read from a pool's `env` or the app's environment to choose it. */
export const WORKER_TRANSPORT_ENV = 'POOLDECK_WORKER_TRANSPORT';
/** The socket's path or the pipe's name, in socket mode. */
export const WORKER_ADDRESS_ENV = 'POOLDECK_WORKER_ADDRESS';

/** How long a connected worker has for the handshake. */
const HANDSHAKE_TIMEOUT_MS = 5000;

/**
 * The transport for a new worker: `POOLDECK_WORKER_TRANSPORT` from the worker's own `env` (a pool's
 * `env` option), else from the app's environment, else the platform's: a socket on Windows, fd 3 elsewhere.
 */
export function chooseWorkerTransport(env: Readonly<Record<string, string>> | undefined, platform: NodeJS.Platform = process.platform): WorkerTransport {
  const named = env?.[WORKER_TRANSPORT_ENV] ?? process.env[WORKER_TRANSPORT_ENV];
  if (named === undefined || named === '') return platform === 'win32' ? 'socket' : 'fd3';
  if (named === 'fd3' || named === 'socket') return named;
  throw new TypeError(`${WORKER_TRANSPORT_ENV} must be "fd3" or "socket" (got ${JSON.stringify(named)})`);
}

/** The one connection a worker makes in socket mode: listens until the worker connected with its key, or until closed. */
export class WorkerSocketListener {
  readonly address: string;
  /** Resolves with the authenticated connection, paused (attach a reader, then resume it); null if closed first. */
  readonly connection: Promise<Socket | null>;
  readonly #server: Server;
  readonly #folder: string | null;
  readonly #pending = new Set<Socket>();
  #settle!: (socket: Socket | null) => void;
  #closed = false;

  constructor(authkey: Buffer) {
    if (process.platform === 'win32') {
      this.#folder = null;
      this.address = `\\\\.\\pipe\\pooldeck-worker-${randomBytes(16).toString('hex')}`;
    } else {
      // Only its owner can reach a socket in a 0700 folder: the first gate; the handshake is the second.
      this.#folder = mkdtempSync(join(tmpdir(), channelFolderPrefix()));
      chmodSync(this.#folder, 0o700);
      this.address = join(this.#folder, 'worker.sock');
    }
    this.connection = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.#server = createServer((socket) => this.#accept(socket, authkey));
    this.#server.unref();
    // A listener that cannot listen leaves the worker without a channel: it exits and the pool says so.
    this.#server.on('error', () => this.close());
    this.#server.listen(this.address);
  }

  /** Stops listening and removes the socket's folder; a connection already made is the caller's. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#pending) socket.destroy();
    this.#server.close();
    if (this.#folder !== null) rmSync(this.#folder, { recursive: true, force: true });
    this.#settle(null);
  }

  #accept(socket: Socket, authkey: Buffer): void {
    this.#pending.add(socket);
    socket.on('error', () => socket.destroy());
    new Handshake(socket, HANDSHAKE_TIMEOUT_MS, [authkey], {
      refused: () => {
        // Not our worker (or a wrong key): refused, and the worker may still come.
        this.#pending.delete(socket);
        socket.destroy();
      },
      authenticated: (_key, rest) => {
        this.#pending.delete(socket);
        // Paused until the slot reads it, with what came after the handshake put back in front.
        socket.pause();
        if (rest.length > 0) socket.unshift(rest);
        this.#settle(socket);
        this.close();
      },
    }).begin();
  }
}
