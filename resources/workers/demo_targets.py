"""The examples of multiprocessing's docs, written as Pooldeck targets for the demo workspace.

    Process(target=run_task, args=(name,))  ->  { target: 'demo_targets.py:run_task', args: [name] }
    Pool(3) mapping run_task over 5 names   ->  a pool with target 'demo_targets.py:run_task' and 5 tasks
    MyProcess(interval).start()             ->  { target: 'demo_targets.py:MyProcess', args: [interval] }

The helper (pooldeck_worker.py, beside this file) imports this file and calls the target.
"""
import multiprocessing
import os
import time


def run_task(name):
    """Say which process runs the task, work for about a second, and return both."""
    print(f"Task {name} (pid = {os.getpid()}) is running...", flush=True)
    time.sleep(1)
    print(f"Task {name} end.", flush=True)
    return {"task": name, "pid": os.getpid()}


class MyProcess(multiprocessing.Process):
    """A subclass of multiprocessing.Process that overrides run(): a daemon ticking every `interval` s."""

    def __init__(self, interval):
        super().__init__()
        self.daemon = True
        self.interval = interval

    def run(self):
        ticks = 0
        while True:
            ticks += 1
            print(f"tick {ticks} from pid {os.getpid()} (daemon={self.daemon})", flush=True)
            time.sleep(self.interval)
