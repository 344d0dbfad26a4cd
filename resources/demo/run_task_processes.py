"""Five processes of run_task, one after another: start() then join(), as in multiprocessing's docs.
Run from Pooldeck, the job's row shows Process-1 … Process-5, each with its pid and exit code."""

import multiprocessing
import os
import time


def run_task(name):
    print(f"Task {name} (pid = {os.getpid()}) is running...", flush=True)
    time.sleep(1)
    print(f"Task {name} end.", flush=True)


if __name__ == "__main__":
    print(f"Parent process {os.getpid()}.", flush=True)
    for i in range(5):
        p = multiprocessing.Process(target=run_task, args=(str(i),))
        print("Process will start.", flush=True)
        p.start()
        p.join()
        print(f"Process end: {p.name} exit code {p.exitcode}.", flush=True)
