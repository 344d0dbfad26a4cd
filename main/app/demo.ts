import { join } from 'node:path';
import { defaultPythonCommand } from '../core/python-command.js';
import type { PoolSpec, ProcessSpec } from '../protocol/schemas.js';

export interface DemoWorkspace {
  pools: PoolSpec[];
  /** Started at once. */
  processes: ProcessSpec[];
  /** Started one after another, each once the one before has ended (joined). */
  processesOneByOne: ProcessSpec[];
}

/**
 * The demo workspace offered on first launch: the examples people know from multiprocessing's docs,
 * each showing one thing the table makes visible.
 */
export function demoWorkspace(workersDir: string, platform: NodeJS.Platform = process.platform): DemoWorkspace {
  const python = defaultPythonCommand(platform);
  // The targets' file is resolved against cwd, as a user's `tasks.py:f` would be.
  const targets = { cwd: workersDir, target: 'demo_targets.py:run_task' };
  // The same examples as plain Python scripts using multiprocessing itself, unchanged by Pooldeck:
  // `python pool_run_task.py`, watched through the multiprocessing inspector.
  const scriptsDir = join(workersDir, '..', 'demo');
  const script = (name: string, file: string): ProcessSpec => ({ name, cwd: scriptsDir, command: python, args: [file] });
  return {
    pools: [
      {
        // Five tasks on three workers: the task list shows the same pids doing several tasks.
        name: 'demo-squares',
        processes: 3,
        mode: 'worker',
        command: python,
        args: [join(workersDir, 'demo_square.py')],
        tasks: [[1], [2], [3], [4], [5]],
      },
      {
        // multiprocessing's Pool(3) given five run_task calls, with no worker program: the task
        // list shows three pids sharing the five tasks.
        name: 'demo-pool-run-task',
        processes: 3,
        ...targets,
        tasks: [[1], [2], [3], [4], [5]],
      },
    ],
    processes: [
      {
        // A daemon: it runs until the app quits, and the app ends it then.
        name: 'demo-daemon-ticker',
        daemon: true,
        command: python,
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
        command: python,
        args: ['-c', 'import time\nend = time.time() + 120\nwhile time.time() < end:\n    t = time.time()\n    while time.time() - t < 0.03: pass\n    time.sleep(0.07)'],
      },
      {
        // Ends itself with SIGTERM: its exitcode reads -15 (SIGTERM). Python rather than sh, so it runs on
        // Windows too, where os.kill ends it through TerminateProcess with exit code 15.
        name: 'demo-ended-by-signal',
        command: python,
        args: ['-u', '-c', 'import os, signal, time\nprint("working for two seconds, then SIGTERM")\ntime.sleep(2)\nos.kill(os.getpid(), signal.SIGTERM)'],
      },
      {
        // "Subclass Process and override run()": MyProcess sets daemon = True and ticks until the app quits.
        name: 'demo-myprocess',
        daemon: true,
        cwd: workersDir,
        target: 'demo_targets.py:MyProcess',
        args: [1],
      },
      // for i in range(5): p = Process(target=run_task, args=(str(i),)); p.start(); p.join()
      script('demo-mp-processes', 'run_task_processes.py'),
      // Pool(processes=3), five apply_async(run_task, ...), close(), join(): the same pids come back.
      script('demo-mp-pool', 'pool_run_task.py'),
      // MyProcess(Process) with daemon = True: it ends when its parent exits, 5 s in.
      script('demo-mp-myprocess', 'my_process_daemon.py'),
      // Processes put ['hello', n] on a Queue; the parent gets them one a second.
      script('demo-mp-queue', 'queue_example.py'),
      // The parent sends on a Pipe; the child receives and answers.
      script('demo-mp-pipe', 'pipe_example.py'),
    ],
    // for name in 1..5: p = Process(target=run_task, args=(name,)); p.start(); p.join()
    processesOneByOne: [1, 2, 3, 4, 5].map((name) => ({ name: `demo-run-task-${name}`, ...targets, args: [name] })),
  };
}
