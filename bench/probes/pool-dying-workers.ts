// How many workers a pool starts in a time when each lives a little over a second and dies without
// answering (the respawn-for-ever case): counts 'worker' events over the window. Not part of npm test.
//   npx tsx bench/probes/pool-dying-workers.ts [processes] [seconds]
import { Pool } from '../../main/core/index.js';

const processes = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 10);
const pool = new Pool({ processes, command: 'sh', args: ['-c', 'sleep 1.2; exit 3'] });
let started = 0;
pool.on('worker', () => (started += 1));
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
await pool.terminate();
console.log(JSON.stringify({ processes, seconds, workersStarted: started }));
