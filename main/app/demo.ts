import { join } from 'node:path';
import type { PoolSpec, ProcessSpec } from '../protocol/schemas.js';

/**
 * The demo workspace offered on first launch: the examples people know from multiprocessing's docs,
 * each showing one thing the table makes visible.
 */
export function demoWorkspace(workersDir: string): { pools: PoolSpec[]; processes: ProcessSpec[] } {
  return {
    pools: [
      {
        // Five tasks on three workers: the task list shows the same pids doing several tasks.
        name: 'demo-squares',
        processes: 3,
        mode: 'worker',
        command: 'python3',
        args: [join(workersDir, 'demo_square.py')],
        tasks: [[1], [2], [3], [4], [5]],
      },
    ],
    processes: [
      {
        // A daemon: it runs until the app quits, and the app ends it then.
        name: 'demo-daemon-ticker',
        daemon: true,
        command: 'python3',
        args: [
          '-u',
          '-c',
          [
            'import time, itertools',
            'colors = ["\\x1b[32m", "\\x1b[33m", "\\x1b[34m", "\\x1b[35m"]',
            'for n in itertools.count(1):',
            '    print(f"{colors[n % 4]}tick {n}\\x1b[0m", flush=True)',
            '    time.sleep(1)',
          ].join('\n'),
        ],
      },
      {
        // Busy for a while, so the CPU column and its sparkline have something to show.
        name: 'demo-busy',
        daemon: true,
        command: 'python3',
        args: ['-c', 'import time\nend = time.time() + 120\nwhile time.time() < end:\n    t = time.time()\n    while time.time() - t < 0.03: pass\n    time.sleep(0.07)'],
      },
      {
        // Ends itself with SIGTERM: its exitcode reads -15 (SIGTERM).
        name: 'demo-ended-by-signal',
        command: 'sh',
        args: ['-c', 'echo "working for two seconds, then SIGTERM"; sleep 2; kill -TERM $$'],
      },
    ],
  };
}
