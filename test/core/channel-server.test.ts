// The channel every process gets, against real clients: multiprocessing.connection.Client, the Python
// and Node helpers' connect(), a grandchild with the inherited key, and raw sockets that break the
// handshake. Every process a test starts is killed (its whole group) and joined in afterEach, and
// every server closed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runAuthkey } from '../../main/core/authkey.js';
import { answerFor, CHALLENGE, DIGEST_PREFIX, encodeFrame, FrameReader, WELCOME } from '../../main/core/channel-handshake.js';
import { ChannelServer, type ChannelConnection, type ChannelServerOptions, type RefusedAttempt } from '../../main/core/channel-server.js';
import { Pool } from '../../main/core/pool.js';
import { Process, type ProcessOptions } from '../../main/core/process.js';
import { killAndClose } from '../helpers/kill-processes.js';
import { nodeProgram, python, skipUnless, unixLike } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const FILE = 'test/core/channel-server.test.ts';
const WORKERS = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const NODE_HELPER = join(WORKERS, 'pooldeck-worker.cjs');
/** The real interpreter (not a version-manager shim), so that its pid is python's. */
const PYTHON = execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

/**
 * A Python whose multiprocessing speaks `{sha256}` (3.12+): python3 (Windows: python) itself, a versioned one on PATH,
 * or one installed by pyenv. Null when the machine has none.
 */
function findPython312(): string | null {
  const candidates = [python, 'python3.14', 'python3.13', 'python3.12'];
  try {
    const root = globalThis.process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
    for (const version of readdirSync(join(root, 'versions')).sort().reverse()) candidates.push(join(root, 'versions', version, 'bin', 'python3'));
  } catch {
    // No pyenv: PATH only.
  }
  for (const candidate of candidates) {
    try {
      const found = execFileSync(candidate, ['-c', 'import sys; print(sys.executable if sys.version_info >= (3, 12) else "")'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (found) return found;
    } catch {
      // Not there.
    }
  }
  return null;
}
const PYTHON_312 = findPython312();

const started: Process[] = [];
const pools: Pool[] = [];
const servers: ChannelServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const pool of pools.splice(0)) await pool.terminate();
  await killAndClose(started);
  for (const server of servers.splice(0)) await server.close();
});

async function openServer(options: ChannelServerOptions = {}): Promise<ChannelServer> {
  const server = new ChannelServer(options);
  servers.push(server);
  await server.listening;
  return server;
}

function make(options: ProcessOptions): Process {
  const process = new Process(options);
  started.push(process);
  return process;
}

/** Runs `process` to its end, with what it printed. */
async function run(process: Process): Promise<{ exitcode: number | null; stdout: string; stderr: string }> {
  const output = { stdout: '', stderr: '' };
  process.on('output', (stream, chunk) => {
    output[stream] += chunk.toString('utf8');
  });
  await process.start();
  const exitcode = await process.join();
  return { exitcode, ...output };
}

/** Answers every message with `{"type":"echo","of":<message>}`, and collects the connections. */
function echoing(server: ChannelServer): ChannelConnection[] {
  const connections: ChannelConnection[] = [];
  server.on('connection', (connection) => {
    connections.push(connection);
    connection.on('message', (message) => connection.send({ type: 'echo', of: message }));
  });
  return connections;
}

function refusals(server: ChannelServer): RefusedAttempt[] {
  const seen: RefusedAttempt[] = [];
  server.on('refused', (attempt) => seen.push(attempt));
  return seen;
}

/** A raw client: every byte it receives, and whether the server closed it. */
function rawClient(server: ChannelServer): { socket: Socket; received: () => Buffer; closed: Promise<void> } {
  const socket = netConnect(server.address);
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/** The first `most` frames in `bytes` (the handshake's), and what came after them. */
function framesOf(bytes: Buffer, most = Infinity): { frames: Buffer[]; rest: Buffer } {
  const reader = new FrameReader();
  reader.push(bytes);
  const frames: Buffer[] = [];
  for (let frame = frames.length < most ? reader.next() : null; frame !== null; frame = frames.length < most ? reader.next() : null) frames.push(frame);
  return { frames, rest: reader.rest() };
}

const PY_HELPER_CLIENT = `
import os, sys
from pooldeck_worker import connect
with connect() as channel:
    channel.send({"type": "ping", "n": 1})
    print(channel.server["type"], channel.server["version"], channel.server["minor"])
    print(channel.recv()["of"]["n"], os.getpid())
`;

describe('the channel server', () => {
  it.skipIf(skipUnless(unixLike, FILE, 'checks the Unix socket and its 0700 folder (Windows: a named pipe)'))('listens in a private 0700 folder and removes it on close', async () => {
    const server = await openServer();
    const folder = dirname(server.address);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(server.address).isSocket()).toBe(true);
    await server.close();
    expect(existsSync(folder)).toBe(false);
  });

  it.skipIf(PYTHON_312 === null)("accepts Python's own multiprocessing.connection.Client (3.12+) and maps its hello to the process", async () => {
    const server = await openServer();
    const connections = echoing(server);
    // After the handshake the channel speaks JSON lines, written straight to the socket.
    const script = `
import json, os
from multiprocessing.connection import Client
c = Client(os.environ['POOLDECK_ADDRESS'], authkey=bytes.fromhex(os.environ['POOLDECK_AUTHKEY']))
lines = os.fdopen(os.dup(c.fileno()), 'rb')
os.write(c.fileno(), (json.dumps({"type": "hello", "pid": os.getpid()}) + "\\n").encode())
print(json.loads(lines.readline())["type"])
os.write(c.fileno(), b'{"type":"ping","n":7}\\n')
print(json.loads(lines.readline())["of"]["n"])
`;
    const process = make({ command: PYTHON_312!, args: ['-c', script], channelServer: server });
    const { exitcode, stdout, stderr } = await run(process);
    expect(stderr).toBe('');
    expect(exitcode).toBe(0);
    expect(stdout).toBe('welcome\n7\n');
    expect(connections).toHaveLength(1);
    expect(connections[0].pid).toBe(process.pid);
    expect(connections[0].member).toBe(process);
    expect(server.refusedAttempts).toEqual([]);
  });

  it.skipIf(PYTHON === PYTHON_312)("refuses an older multiprocessing Client (before 3.12), which answers with HMAC-MD5, and says why", async () => {
    const server = await openServer();
    const seen = refusals(server);
    const script = `
import os
from multiprocessing.connection import Client
try:
    Client(os.environ['POOLDECK_ADDRESS'], authkey=bytes.fromhex(os.environ['POOLDECK_AUTHKEY']))
except Exception as exc:
    print(type(exc).__name__)
`;
    const { stdout } = await run(make({ command: PYTHON, args: ['-c', script], channelServer: server }));
    expect(stdout).toBe('AuthenticationError\n');
    expect(seen).toHaveLength(1);
    expect(seen[0].reason).toMatch(/HMAC-MD5.*Python 3\.12.*pooldeck_worker\.connect\(\)/);
  });

  it("accepts the Python helper's connect() and answers on the same connection", async () => {
    const server = await openServer();
    const connections = echoing(server);
    const process = make({ command: PYTHON, args: ['-c', PY_HELPER_CLIENT], channelServer: server, env: { PYTHONPATH: WORKERS } });
    const { exitcode, stdout, stderr } = await run(process);
    expect(stderr).toBe('');
    expect(exitcode).toBe(0);
    expect(stdout).toBe(`welcome 1 1\n1 ${process.pid}\n`);
    expect(connections.map((connection) => [connection.pid, connection.member, connection.hello.minor])).toEqual([[process.pid, process, 1]]);
  });

  it("accepts the Node helper's connect()", async () => {
    const server = await openServer();
    const connections = echoing(server);
    const script = `
const { connect } = require(${JSON.stringify(NODE_HELPER)});
(async () => {
  const channel = await connect();
  channel.send({ type: 'ping', n: 2 });
  console.log(channel.server.type, (await channel.recv()).of.n, process.pid);
  channel.close();
})();
`;
    const process = make({ command: globalThis.process.execPath, args: ['-e', script], channelServer: server });
    const { exitcode, stdout, stderr } = await run(process);
    expect(stderr).toBe('');
    expect(exitcode).toBe(0);
    expect(stdout).toBe(`welcome 2 ${process.pid}\n`);
    expect(connections[0].member).toBe(process);
  });

  it.skipIf(skipUnless(unixLike, FILE, 'its grandchild is started through sh -c'))('lets a grandchild (sh -> python3 -> python3) connect with the inherited key and say hello with its own pid', async () => {
    const server = await openServer();
    const connections = echoing(server);
    const grandchild = `import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-c', ${JSON.stringify(PY_HELPER_CLIENT)}]))`;
    const process = make({
      command: 'sh',
      args: ['-c', `"${PYTHON}" -c "$GRANDCHILD"`],
      channelServer: server,
      env: { PYTHONPATH: WORKERS, GRANDCHILD: grandchild },
    });
    const { exitcode, stdout, stderr } = await run(process);
    expect(stderr).toBe('');
    expect(exitcode).toBe(0);
    const grandchildPid = Number(stdout.trim().split(' ').pop());
    expect(stdout).toBe(`welcome 1 1\n1 ${grandchildPid}\n`);
    expect(grandchildPid).not.toBe(process.pid);
    expect(connections).toHaveLength(1);
    expect(connections[0].pid).toBe(grandchildPid);
    // Found by walking up the tree from the grandchild's pid to the process the app started.
    expect(connections[0].member).toBe(process);
  });

  it('refuses a client with a wrong key: FAILURE, closed, no app data, the attempt recorded', async () => {
    const server = await openServer();
    const seen = refusals(server);
    const connections = echoing(server);
    const script = `
from pooldeck_worker import connect, AuthenticationError
try:
    connect(authkey=b"\\0" * 32)
except AuthenticationError as exc:
    print("refused:", exc)
`;
    const { stdout } = await run(make({ command: PYTHON, args: ['-c', script], channelServer: server, env: { PYTHONPATH: WORKERS } }));
    expect(stdout).toMatch(/^refused: the channel refused this process's authkey/);

    // The same from a raw socket, to see every byte the server sends.
    const client = rawClient(server);
    await until(() => client.received().length > 0, 'the challenge');
    const challenge = framesOf(client.received()).frames[0];
    client.socket.write(encodeFrame(answerFor(randomBytes(32), challenge.subarray(CHALLENGE.length))));
    await client.closed;
    const { frames, rest } = framesOf(client.received());
    expect(frames.map((frame) => frame.toString('latin1').slice(0, 19))).toEqual(['#CHALLENGE#{sha256}', '#FAILURE#']);
    expect(rest.length).toBe(0);

    expect(connections).toEqual([]);
    expect(seen).toHaveLength(2);
    for (const attempt of seen) {
      expect(attempt.reason).toMatch(/matches no key this channel accepts \(a wrong authkey\)/);
      expect(attempt.at).toBeGreaterThan(0);
    }
    expect(server.refusedAttempts).toEqual(seen);
  });

  it.each([
    ['garbage (an HTTP request)', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /frame of \d+ bytes; at most 256/],
    ['an oversized frame', Buffer.concat([Buffer.from([0, 1, 0, 0]), Buffer.alloc(300)]), /frame of 65536 bytes; at most 256/],
    ["CPython's 8-byte length marker", Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1, 0]), /over 2 GiB/],
    ['an answer that is not {sha256} and an HMAC', encodeFrame(Buffer.from('hello there')), /not \{sha256\} and a 32-byte HMAC/],
  ])('refuses %s without a byte of app data', async (_what, bytes, reason) => {
    const server = await openServer();
    const seen = refusals(server);
    const client = rawClient(server);
    client.socket.write(bytes);
    await client.closed;
    const { frames, rest } = framesOf(client.received());
    expect(frames[0].subarray(0, CHALLENGE.length).equals(CHALLENGE)).toBe(true);
    expect(frames.slice(1).every((frame) => frame.toString() === '#FAILURE#')).toBe(true);
    expect(rest.length).toBe(0);
    expect(seen.map((attempt) => attempt.reason)).toEqual([expect.stringMatching(reason)]);
  });

  it('refuses a client that does not answer in time', async () => {
    const server = await openServer({ handshakeTimeoutMs: 300 });
    const seen = refusals(server);
    const client = rawClient(server);
    await client.closed;
    expect(framesOf(client.received()).frames).toHaveLength(1);
    expect(seen[0].reason).toBe('did not finish the handshake within 300 ms');
  });

  it('refuses an authenticated client whose first line is not a hello, and closes one whose line is too long', async () => {
    const server = await openServer({ maxLineLength: 1000 });
    const seen = refusals(server);
    const connections = echoing(server);
    const closes: (string | null)[] = [];
    server.on('connection', (connection) => connection.on('close', (why) => closes.push(why)));

    const noHello = await authenticatedRawClient(server, runAuthkey());
    noHello.socket.write('{"type":"ping"}\n');
    await noHello.closed;
    expect(seen.map((attempt) => attempt.reason)).toEqual([expect.stringMatching(/instead of a hello/)]);

    const tooLong = await authenticatedRawClient(server, runAuthkey());
    tooLong.socket.write(`{"type":"hello","pid":${globalThis.process.pid}}\n`);
    await until(() => connections.length === 1, 'the hello');
    tooLong.socket.write(`{"type":"note","text":"${'x'.repeat(2000)}`);
    await tooLong.closed;
    expect(closes).toEqual([expect.stringMatching(/longer than 1000 characters/)]);
    expect(server.connections).toEqual([]);
  });

  it("accepts a process's own authkey while it lives, and no longer once it ended", async () => {
    const server = await openServer();
    const connections = echoing(server);
    const seen = refusals(server);
    const ownKey = randomBytes(32);
    const script = `${PY_HELPER_CLIENT}\nprint(os.environ["POOLDECK_AUTHKEY"])`;
    const process = make({ command: PYTHON, args: ['-c', script], authkey: ownKey, channelServer: server, env: { PYTHONPATH: WORKERS } });
    expect(process.authkey.equals(ownKey)).toBe(true);
    const { exitcode, stdout } = await run(process);
    expect(exitcode).toBe(0);
    expect(stdout.trim().split('\n').pop()).toBe(ownKey.toString('hex'));
    expect(connections[0].member).toBe(process);

    const late = rawClient(server);
    await until(() => late.received().length > 0, 'the challenge');
    const challenge = framesOf(late.received()).frames[0];
    late.socket.write(encodeFrame(answerFor(ownKey, challenge.subarray(CHALLENGE.length))));
    await late.closed;
    expect(seen.map((attempt) => attempt.reason)).toEqual([expect.stringMatching(/wrong authkey/)]);
  });

  it("gives a process the run's key by default, and refuses an authkey that is not 32 bytes", () => {
    expect(new Process({ command: 'true' }).authkey.equals(runAuthkey())).toBe(true);
    expect(() => new Process({ command: 'true', authkey: Buffer.alloc(16) })).toThrow(
      /`authkey` must be a Buffer of exactly 32 bytes, e\.g\. crypto\.randomBytes\(32\) \(got a Buffer of 16 bytes\)/,
    );
    expect(() => new Pool({ processes: 1, command: 'true', authkey: 'secret' as unknown as Buffer })).toThrow(/^Pool Pool-\d+: `authkey` must be a Buffer of exactly 32 bytes.*\(got string\)$/);
  });

  it('gives a process without a channel its authkey but no address, even when the app itself has one', async () => {
    const inherited = globalThis.process.env.POOLDECK_ADDRESS;
    globalThis.process.env.POOLDECK_ADDRESS = '/somewhere/else.sock';
    try {
      const { stdout } = await run(make(nodeProgram('console.log("[" + (process.env.POOLDECK_ADDRESS ?? "") + "]", process.env.POOLDECK_AUTHKEY)')));
      expect(stdout).toBe(`[] ${runAuthkey().toString('hex')}\n`);
    } finally {
      if (inherited === undefined) delete globalThis.process.env.POOLDECK_ADDRESS;
      else globalThis.process.env.POOLDECK_ADDRESS = inherited;
    }
  });

  it("gives a pool's workers the address and the pool's authkey", async () => {
    const server = await openServer();
    const poolKey = randomBytes(32);
    const pool = new Pool({ processes: 1, mode: 'exec', ...nodeProgram('console.log(process.env.POOLDECK_ADDRESS, process.env.POOLDECK_AUTHKEY)'), channelServer: server, authkey: poolKey });
    pools.push(pool);
    const result = (await pool.apply([])) as { stdout: string };
    expect(result.stdout).toBe(`${server.address} ${poolKey.toString('hex')}\n`);
  });

  it("lets a worker-mode pool's workers connect with the pool's key", async () => {
    const server = await openServer();
    const connections = echoing(server);
    const pool = new Pool({
      processes: 2,
      command: PYTHON,
      args: ['-c', 'from pooldeck_worker import serve, connect\nchannel = connect()\nserve(lambda x: channel.send({"type": "seen", "x": x}) or x)'],
      env: { PYTHONPATH: WORKERS },
      channelServer: server,
      authkey: randomBytes(32),
    });
    pools.push(pool);
    expect(await pool.map([1, 2, 3])).toEqual([1, 2, 3]);
    await until(() => connections.length === 2, 'both workers');
    expect(new Set(connections.map((connection) => connection.member?.name))).toEqual(new Set(pool.workers.map((worker) => worker.name)));
  });
});

/** A raw client that passed the handshake with `key`, reading the server's welcome line. */
async function authenticatedRawClient(server: ChannelServer, key: Buffer): Promise<ReturnType<typeof rawClient>> {
  const client = rawClient(server);
  await until(() => framesOf(client.received(), 1).frames.length === 1, 'the challenge');
  const challenge = framesOf(client.received(), 1).frames[0];
  client.socket.write(encodeFrame(answerFor(key, challenge.subarray(CHALLENGE.length))));
  await until(() => framesOf(client.received(), 2).frames.length === 2, 'the welcome');
  const ours = Buffer.concat([DIGEST_PREFIX, randomBytes(40)]);
  client.socket.write(encodeFrame(Buffer.concat([CHALLENGE, ours])));
  await until(() => framesOf(client.received(), 3).frames.length === 3, "the answer to the client's challenge");
  expect(framesOf(client.received(), 3).frames[2].equals(answerFor(key, ours))).toBe(true);
  client.socket.write(encodeFrame(WELCOME));
  await until(() => framesOf(client.received(), 3).rest.toString() === '{"type":"welcome","version":1,"minor":1}\n', 'the welcome line');
  return client;
}
