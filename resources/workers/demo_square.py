"""Demo worker for Pooldeck's demo workspace: squares a number slowly and says which worker did it.

Run by a worker-mode pool; pooldeck_worker (beside this file) speaks the worker protocol.
"""
import os
import random
import time

from pooldeck_worker import serve


def square(x):
    time.sleep(0.6 + random.random() * 0.8)
    print(f"\x1b[36mworker {os.getpid()}\x1b[0m squared {x}", flush=True)
    return {"x": x, "square": x * x, "pid": os.getpid()}


if __name__ == "__main__":
    serve(square)
