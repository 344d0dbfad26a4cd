"""Processes put ['hello', n] on a multiprocessing Queue; the parent gets each one.
The parent takes its time: run from Pooldeck, the job's row shows the five processes and the
queue's size going up to 5 and back to 0."""

import multiprocessing
import time


def f(q, n):
    q.put(["hello", n])


if __name__ == "__main__":
    q = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=f, args=(q, n)) for n in range(5)]
    for p in processes:
        p.start()
    for _ in processes:
        time.sleep(1)
        print(q.get(), flush=True)
    for p in processes:
        p.join()
