"""A Pool of 3 processes given 5 run_task calls with apply_async, then close() and join().
Run from Pooldeck, the pool shows which of its 3 workers ran which task: the same pids come back."""

import multiprocessing
import os
import time


def run_task(name):
    print(f"Run task {name} ({os.getpid()})...", flush=True)
    start = time.time()
    time.sleep(1)
    print(f"Task {name} runs {time.time() - start:0.2f} seconds.", flush=True)


if __name__ == "__main__":
    print(f"Parent process {os.getpid()}.", flush=True)
    p = multiprocessing.Pool(processes=3)
    for i in range(5):
        p.apply_async(run_task, args=(i,))
    print("Waiting for all subprocesses done...", flush=True)
    p.close()
    p.join()
    print("All subprocesses done.", flush=True)
