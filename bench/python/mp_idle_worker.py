"""An idle multiprocessing.Pool worker, for bench row 6 (memory). Stdlib only.

Starts Pool(1), runs a few tiny tasks so the worker is warm, prints {"pids": [...]} and waits
until stdin closes, then closes the pool.
"""
import json
import multiprocessing
import sys


def square(x):
    return x * x


def main():
    with multiprocessing.Pool(1) as pool:
        pool.map(square, range(100), chunksize=1)
        pids = [worker.pid for worker in pool._pool]
        print(json.dumps({"pids": pids, "startMethod": multiprocessing.get_start_method()}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
