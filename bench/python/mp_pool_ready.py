"""multiprocessing.Pool(8) until its workers answer, for bench row 6. Stdlib only.

Prints {"ms": ...}: from Pool(8) to the end of a map of 8 tasks of 50 ms (chunksize 1), which
needs every worker up; the same work bench row 6 gives a Pooldeck pool of 8 Python workers.
"""
import json
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workers"))

from ready_probe import pid_after_nap  # noqa: E402


def main():
    start = time.perf_counter()
    with multiprocessing.Pool(8) as pool:
        pool.map(pid_after_nap, range(8), chunksize=1)
        ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"ms": ms, "startMethod": multiprocessing.get_start_method()}), flush=True)


if __name__ == "__main__":
    main()
