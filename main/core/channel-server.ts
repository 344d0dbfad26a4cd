// The channel every process gets: a Unix-domain socket in a private 0700 folder (a named pipe on
// Windows) at POOLDECK_ADDRESS. A connection is served only after multiprocessing's challenge–
// response with a key the server accepts (channel-handshake.ts); then both sides speak JSON lines,
// the client's first being a `hello` saying which pid speaks. Attempts that fail are refused without
// a byte of app data and remembered, so that the user can see who knocked.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { runAuthkey } from './authkey.js';
import { answerFor, challengeMessageOf, CHALLENGE, encodeFrame, FAILURE, FrameReader, matchAnswer, newChallengeMessage, WELCOME } from './channel-handshake.js';
import { readProcStat } from './proc-stat.js';
import { LineSplitter, quoteExcerpt, WORKER_PROTOCOL_MINOR, WORKER_PROTOCOL_VERSION } from './worker-channel.js';
import { channelFolderPrefix, removeStaleChannelFolders } from './stale-channel-folders.js';

/** Someone whose key the server accepts while it is admitted: a Process (it has these fields). */
export interface ChannelMember {
  readonly authkey: Buffer;
  readonly pid: number | null;
  readonly name: string;
}

/** What the server can do for a Process about to start: its address, and admitting its key. */
export interface ChannelRegistry {
  readonly address: string;
  /** Accepts `member.authkey` (and maps hellos to `member`) until the returned function is called. */
  admit(member: ChannelMember): () => void;
}

/** A connection that failed the handshake or never said hello. */
export interface RefusedAttempt {
  /** When it was refused (ms since epoch). */
  at: number;
  /** The pid at the other end when known (a hello named it); null before a hello. */
  pid: number | null;
  reason: string;
}

export interface ChannelServerOptions {
  /** The run's key, always accepted. Default: runAuthkey(). */
  authkey?: Buffer;
  /** How long a client has for the handshake, and then for its hello. Default 5000 ms. */
  handshakeTimeoutMs?: number;
  /** Longest JSON line accepted after the handshake. Default 64 MiB, as on fd 3. */
  maxLineLength?: number;
  /** How many refused attempts `refusedAttempts` keeps, newest last. Default 100. */
  keepRefused?: number;
}

export interface ChannelServerEvents {
  /** A client passed the handshake and said hello. */
  connection: [connection: ChannelConnection];
  refused: [attempt: RefusedAttempt];
  /** The socket could not be listened on (or failed later). */
  error: [error: Error];
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;
const DEFAULT_KEEP_REFUSED = 100;

/** Folders of servers still open, removed if the process exits without closing them. */
const openFolders = new Set<string>();
let exitCleanupInstalled = false;

function removeFolderAtExit(folder: string): void {
  openFolders.add(folder);
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.once('exit', () => {
    for (const path of openFolders) rmSync(path, { recursive: true, force: true });
  });
}

interface AcceptedKey {
  key: Buffer;
  members: Set<ChannelMember>;
}

export class ChannelServer extends EventEmitter<ChannelServerEvents> implements ChannelRegistry {
  /** The socket's path (Linux, macOS) or the pipe's name (Windows): what POOLDECK_ADDRESS says. */
  readonly address: string;
  /** Resolves once the server listens; rejects if it cannot. */
  readonly listening: Promise<void>;
  readonly handshakeTimeoutMs: number;
  readonly #folder: string | null;
  readonly #server: Server;
  readonly #maxLineLength: number;
  readonly #keepRefused: number;
  /** Accepted keys by hex: the run's key, and each admitted member's own key while admitted. */
  readonly #keys = new Map<string, AcceptedKey>();
  readonly #runKeyHex: string;
  readonly #sockets = new Set<Socket>();
  readonly #connections = new Set<ChannelConnection>();
  #refused: RefusedAttempt[] = [];
  #closed: Promise<void> | null = null;

  constructor(options: ChannelServerOptions = {}) {
    super();
    const runKey = options.authkey ?? runAuthkey();
    this.#runKeyHex = runKey.toString('hex');
    this.#keys.set(this.#runKeyHex, { key: Buffer.from(runKey), members: new Set() });
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.#keepRefused = options.keepRefused ?? DEFAULT_KEEP_REFUSED;
    if (process.platform === 'win32') {
      this.#folder = null;
      this.address = `\\\\.\\pipe\\pooldeck-${randomBytes(16).toString('hex')}`;
    } else {
      // mkdtemp makes the folder 0700; chmod says so even under an odd umask. Only its owner can
      // reach the socket inside, which is the first gate; the handshake is the second.
      removeStaleChannelFolders(tmpdir());
      this.#folder = mkdtempSync(join(tmpdir(), channelFolderPrefix()));
      chmodSync(this.#folder, 0o700);
      removeFolderAtExit(this.#folder);
      this.address = join(this.#folder, 'channel.sock');
    }
    this.#server = createServer((socket) => this.#accept(socket));
    // A channel nobody talks on must not keep the process alive.
    this.#server.unref();
    this.listening = new Promise((resolve, reject) => {
      this.#server.once('listening', resolve);
      this.#server.once('error', reject);
    });
    this.listening.catch(() => undefined);
    this.#server.on('error', (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    this.#server.listen(this.address);
  }

  /** Accepts `member.authkey` until the returned function is called; hellos from its tree map to it. */
  admit(member: ChannelMember): () => void {
    const hex = member.authkey.toString('hex');
    let accepted = this.#keys.get(hex);
    if (!accepted) {
      accepted = { key: Buffer.from(member.authkey), members: new Set() };
      this.#keys.set(hex, accepted);
    }
    accepted.members.add(member);
    const entry = accepted;
    return () => {
      entry.members.delete(member);
      if (entry.members.size === 0 && hex !== this.#runKeyHex) this.#keys.delete(hex);
    };
  }

  /** The latest refused attempts, oldest first (at most `keepRefused`). */
  get refusedAttempts(): RefusedAttempt[] {
    return [...this.#refused];
  }

  /** The connections that said hello and are still open. */
  get connections(): ChannelConnection[] {
    return [...this.#connections];
  }

  /** Stops listening, ends every connection and removes the socket's folder. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      for (const socket of this.#sockets) socket.destroy();
      this.#server.close(() => resolve());
    }).finally(() => {
      if (this.#folder !== null) {
        rmSync(this.#folder, { recursive: true, force: true });
        openFolders.delete(this.#folder);
      }
    });
    return this.#closed;
  }

  #accept(socket: Socket): void {
    socket.unref();
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    new Handshake(socket, this.handshakeTimeoutMs, [...this.#keys.values()].map(({ key }) => key), {
      refused: (reason, pid) => this.#refuse(socket, reason, pid),
      authenticated: (key, rest) => this.#awaitHello(socket, key, rest),
    }).begin();
  }

  #refuse(socket: Socket, reason: string, pid: number | null): void {
    socket.destroy();
    const attempt: RefusedAttempt = { at: Date.now(), pid, reason };
    this.#refused.push(attempt);
    if (this.#refused.length > this.#keepRefused) this.#refused.splice(0, this.#refused.length - this.#keepRefused);
    this.emit('refused', attempt);
  }

  #awaitHello(socket: Socket, key: Buffer, rest: Buffer): void {
    let settled = false;
    const refuse = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.#refuse(socket, reason, null);
    };
    const timer = setTimeout(() => refuse(`said no hello within ${this.handshakeTimeoutMs} ms after the handshake`), this.handshakeTimeoutMs);
    timer.unref();
    const lines = new JsonLines(socket, this.#maxLineLength, rest);
    lines.onLine = (line) => {
      const hello = parseHello(line);
      if (typeof hello === 'string') return refuse(hello);
      settled = true;
      clearTimeout(timer);
      const member = this.#memberFor(key, hello.pid as number);
      const connection = new ChannelConnection(socket, lines, hello.pid as number, member, hello);
      this.#connections.add(connection);
      connection.once('close', () => this.#connections.delete(connection));
      this.emit('connection', connection);
    };
    lines.onEnd = (reason) => refuse(reason ?? 'closed the connection before its hello');
    socket.write(`${JSON.stringify({ type: 'welcome', version: WORKER_PROTOCOL_VERSION, minor: WORKER_PROTOCOL_MINOR })}\n`);
  }

  /**
   * Who speaks: among the members holding `key`, the one whose pid is `pid` or, walking up the process
   * tree (Linux), its nearest ancestor; failing that, the key's only member; else null (a process of
   * the run the server does not know, or one whose tree could not be read).
   */
  #memberFor(key: Buffer, pid: number): ChannelMember | null {
    const members = [...(this.#keys.get(key.toString('hex'))?.members ?? [])];
    const byPid = new Map(members.filter((member) => member.pid !== null).map((member) => [member.pid!, member]));
    let current: number | undefined = pid;
    for (let depth = 0; current !== undefined && current > 1 && depth < 64; depth += 1) {
      const member = byPid.get(current);
      if (member) return member;
      current = readProcStat(current)?.ppid;
    }
    return members.length === 1 ? members[0] : null;
  }
}

interface HandshakeOutcome {
  refused(reason: string, pid: number | null): void;
  /** `rest`: bytes that came after the handshake (the start of the first line). */
  authenticated(key: Buffer, rest: Buffer): void;
}

/**
 * One connection's handshake, as multiprocessing's Listener runs it: deliver our challenge, check the
 * answer against every accepted key, then answer the client's challenge with the key that matched.
 */
export class Handshake {
  readonly #reader = new FrameReader();
  readonly #challenge = newChallengeMessage();
  #step: 'answer' | 'challenge' | 'verdict' | 'done' = 'answer';
  #key: Buffer | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);
  readonly #onEnd = (): void => this.#fail('closed the connection during the handshake');

  constructor(
    readonly socket: Socket,
    readonly timeoutMs: number,
    readonly keys: readonly Buffer[],
    readonly outcome: HandshakeOutcome,
  ) {}

  begin(): void {
    this.#timer = setTimeout(() => this.#fail(`did not finish the handshake within ${this.timeoutMs} ms`), this.timeoutMs);
    this.#timer.unref();
    this.socket.on('data', this.#onData);
    this.socket.once('end', this.#onEnd);
    this.socket.once('close', this.#onEnd);
    this.socket.write(encodeFrame(Buffer.concat([CHALLENGE, this.#challenge])));
  }

  #receive(chunk: Buffer): void {
    this.#reader.push(chunk);
    try {
      while (this.#step !== 'done') {
        const frame = this.#reader.next();
        if (frame === null) return;
        this.#take(frame);
      }
    } catch (error) {
      this.#fail((error as Error).message);
    }
  }

  #take(frame: Buffer): void {
    if (this.#step === 'answer') {
      const match = matchAnswer(this.keys, this.#challenge, frame);
      if (typeof match === 'string') {
        // As CPython does: say FAILURE, then close.
        this.socket.write(encodeFrame(FAILURE));
        this.#fail(match);
        return;
      }
      this.#key = this.keys[match];
      this.socket.write(encodeFrame(WELCOME));
      this.#step = 'challenge';
    } else if (this.#step === 'challenge') {
      const message = challengeMessageOf(frame);
      if (typeof message === 'string') return this.#fail(message);
      this.socket.write(encodeFrame(answerFor(this.#key!, message)));
      this.#step = 'verdict';
    } else if (this.#step === 'verdict') {
      if (!frame.equals(WELCOME)) return this.#fail("rejected the channel's answer to its challenge (it holds a different key)");
      this.#finish();
      this.outcome.authenticated(this.#key!, this.#reader.rest());
    }
  }

  #finish(): void {
    this.#step = 'done';
    if (this.#timer) clearTimeout(this.#timer);
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onEnd);
    this.socket.off('close', this.#onEnd);
  }

  #fail(reason: string): void {
    if (this.#step === 'done') return;
    this.#finish();
    this.outcome.refused(reason, null);
  }
}

/** The JSON lines of an authenticated socket. */
class JsonLines {
  onLine: (line: string) => void = () => undefined;
  /** The socket ended, or a line broke the rules (`reason`). Called once. */
  onEnd: (reason: string | null) => void = () => undefined;
  readonly #splitter: LineSplitter;
  readonly #decoder = new StringDecoder('utf8');
  #ended = false;

  constructor(
    readonly socket: Socket,
    readonly maxLineLength: number,
    rest: Buffer,
  ) {
    this.#splitter = new LineSplitter(maxLineLength);
    socket.on('data', (chunk: Buffer) => this.#push(chunk));
    socket.once('close', () => this.#end(null));
    // Registered after the socket's data listener, on the next tick: the bytes that came with the
    // handshake's last frame go first.
    if (rest.length > 0) queueMicrotask(() => this.#push(rest));
  }

  /** Ends the connection because of a line that broke the rules. */
  fail(reason: string): void {
    this.#end(reason);
    this.socket.destroy();
  }

  #push(chunk: Buffer): void {
    if (this.#ended) return;
    try {
      this.#splitter.push(this.#decoder.write(chunk), (line) => {
        if (this.#ended) return;
        if (line.length > this.maxLineLength) throw new RangeError(`sent a line longer than ${this.maxLineLength} characters`);
        if (line.trim() !== '') this.onLine(line);
      });
    } catch (error) {
      this.fail((error as Error).message);
    }
  }

  #end(reason: string | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onEnd(reason);
  }
}

type ChannelMessage = Record<string, unknown> & { type: string };

/** A message (a JSON object with a string `type`), or why the line is not one. */
function parseMessage(line: string): ChannelMessage | string {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return `sent a line that is not JSON: ${quoteExcerpt(line)}`;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || typeof (data as { type?: unknown }).type !== 'string') {
    return `sent a line that is not a JSON object with a string "type": ${quoteExcerpt(line)}`;
  }
  return data as ChannelMessage;
}

/** The hello, or why the line is not one. */
function parseHello(line: string): ChannelMessage | string {
  const message = parseMessage(line);
  if (typeof message === 'string' || message.type !== 'hello') return `sent ${quoteExcerpt(line)} instead of a hello ({"type":"hello","pid":…})`;
  const pid = message.pid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 1) return `said hello without a pid (a positive integer): ${quoteExcerpt(line)}`;
  return message;
}

export interface ChannelConnectionEvents {
  /** A JSON object with a string `type` (other lines are skipped: receivers ignore what they do not know). */
  message: [message: ChannelMessage];
  /** The connection ended; `reason` when a line broke the rules (not JSON, no type, too long): the server closed it. */
  close: [reason: string | null];
}

/** An authenticated client that said hello. */
export class ChannelConnection extends EventEmitter<ChannelConnectionEvents> {
  /** The pid the hello named. */
  readonly pid: number;
  /** The process (of those started with the channel) the pid belongs to, when known. */
  readonly member: ChannelMember | null;
  readonly hello: Readonly<Record<string, unknown>>;
  readonly #socket: Socket;

  constructor(socket: Socket, lines: JsonLines, pid: number, member: ChannelMember | null, hello: Record<string, unknown>) {
    super();
    this.#socket = socket;
    this.pid = pid;
    this.member = member;
    this.hello = hello;
    lines.onLine = (line) => {
      const message = parseMessage(line);
      if (typeof message === 'string') lines.fail(message);
      else this.emit('message', message);
    };
    lines.onEnd = (reason) => this.emit('close', reason);
  }

  /** Writes `message` as one JSON line. */
  send(message: Record<string, unknown>): void {
    this.sendLine(`${JSON.stringify(message)}\n`);
  }

  /** Writes a line already encoded: one JSON object ending in a newline. */
  sendLine(line: string): void {
    this.#socket.write(line);
  }

  close(): void {
    this.#socket.end();
  }
}
