// The floor under a channel round trip: a Python process sends a JSON line over a Unix socket and a
// bare Node server answers it (no handshake, no broker), 5,000 times; prints µs per round trip, three
// times. The broker's own round trips (pipe recv, lock acquire) cannot be faster than this.
//   npx tsx bench/probes/channel-round-trip-floor.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExitHandlers, runCleanups } from '../lib/owned.js';
import { pythonExecutable, runOwned } from '../lib/python.js';

const folder = mkdtempSync(join(tmpdir(), 'pooldeck-floor-'));
const address = join(folder, 'floor.sock');
const server = createServer((socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const message = JSON.parse(buffered.slice(0, end)) as { id: number };
      buffered = buffered.slice(end + 1);
      socket.write(`${JSON.stringify({ type: 'reply', id: message.id, ok: true, value: false })}\n`);
    }
  });
});
const client = `
import json, socket, time
s = socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(address)})
buffered, n = b"", 5000
started = time.perf_counter()
for i in range(n):
    s.sendall(json.dumps({"type": "op", "id": i}).encode() + b"\\n")
    while b"\\n" not in buffered:
        buffered += s.recv(65536)
    line, buffered = buffered.split(b"\\n", 1)
    json.loads(line)
print((time.perf_counter() - started) / n * 1e6)
`;
installExitHandlers();
try {
  await new Promise<void>((resolve) => server.listen(address, resolve));
  const python = await pythonExecutable();
  for (let round = 1; round <= 3; round += 1) {
    const us = Number((await runOwned(python, ['-c', client])).trim());
    console.log(`round ${round}: ${us.toFixed(1)} µs per round trip, Python ↔ bare Node over a Unix socket`);
  }
} finally {
  server.close();
  rmSync(folder, { recursive: true, force: true });
  await runCleanups();
}
