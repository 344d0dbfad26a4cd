// Probe (not in npm test): connections per second to the app's channel (handshake + hello + welcome),
// from the Python and Node helpers' connect(), beside CPython's own Listener/Client handshake in the
// same run. Run: npx tsx bench/probes/channel-handshake.ts [connections=2000]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runAuthkey } from '../../main/core/authkey.js';
import { ChannelServer } from '../../main/core/channel-server.js';

const connections = Number(process.argv[2] ?? 2000);
const workers = fileURLToPath(new URL('../../resources/workers/', import.meta.url));
const server = new ChannelServer();
await server.listening;
server.on('connection', (connection) => connection.close());
const env = { ...process.env, POOLDECK_ADDRESS: server.address, POOLDECK_AUTHKEY: runAuthkey().toString('hex'), PYTHONPATH: workers };

const pythonHelper = `
import sys, time
from pooldeck_worker import connect
n = int(sys.argv[1])
start = time.perf_counter()
for _ in range(n):
    connect().close()
print("%.0f" % (n / (time.perf_counter() - start)))
`;
const nodeHelper = `
const { connect } = require(${JSON.stringify(`${workers}pooldeck-worker.cjs`)});
(async () => {
  const n = Number(process.argv[1]);
  const start = performance.now();
  for (let i = 0; i < n; i += 1) (await connect()).close();
  console.log((n / ((performance.now() - start) / 1000)).toFixed(0));
})();
`;
// CPython's Listener and Client in one process: the handshake (both ways) with no JSON after it.
const cpython = `
import os, sys, tempfile, threading, time
from multiprocessing.connection import Client, Listener
n = int(sys.argv[1])
key = os.urandom(32)
address = os.path.join(tempfile.mkdtemp(), "s")
listener = Listener(address, authkey=key)
def serve():
    for _ in range(n):
        listener.accept().close()
threading.Thread(target=serve, daemon=True).start()
start = time.perf_counter()
for _ in range(n):
    Client(address, authkey=key).close()
print("%.0f" % (n / (time.perf_counter() - start)))
listener.close()
`;
// Asynchronous: the server answers on this process's event loop.
const run = async (command: string, args: string[]): Promise<string> => (await promisify(execFile)(command, args, { env, encoding: 'utf8' })).stdout.trim();
const python = await run('python3', ['-c', 'import sys; print(sys.version.split()[0])']);
console.log(`connections/s over ${connections} connections (python3 ${python}, node ${process.version}):`);
console.log(`  Python helper connect() -> Pooldeck channel: ${await run('python3', ['-c', pythonHelper, String(connections)])}`);
console.log(`  Node helper connect()   -> Pooldeck channel: ${await run(process.execPath, ['-e', nodeHelper, String(connections)])}`);
console.log(`  CPython Client -> CPython Listener (same process, its default digest): ${await run('python3', ['-c', cpython, String(connections)])}`);
console.log(`refused: ${server.refusedAttempts.length}`);
await server.close();
