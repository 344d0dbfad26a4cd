"""The two workloads of the inspector's overhead bench, as a user would write them (nothing of
Pooldeck's): `map` is a Pool(2).map of N tiny tasks, `processes` starts N short Processes (all, then
joins them). Prints one JSON line: the workload's milliseconds, timed inside the program, from
before the Pool or the first Process to after the last join, and the CPU milliseconds it took (this
process's threads and its joined children, user + system): on a busy machine, wall time is mostly
waiting for a core, and CPU time shows the work itself.

    python3 mp_inspected.py map 100000
    python3 mp_inspected.py processes 200
"""

import json
import multiprocessing
import resource
import sys
import time


def cpu_ms():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) * 1000


def square(x):
    return x * x


def nothing():
    pass


def main():
    workload, count = sys.argv[1], int(sys.argv[2])
    started, cpu_started = time.perf_counter(), cpu_ms()
    if workload == "map":
        with multiprocessing.Pool(2) as pool:
            squares = pool.map(square, range(count))
        assert squares[-1] == (count - 1) ** 2
    else:
        processes = [multiprocessing.Process(target=nothing) for _ in range(count)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        assert all(process.exitcode == 0 for process in processes)
    ms, cpu = (time.perf_counter() - started) * 1000, cpu_ms() - cpu_started
    print(json.dumps({"workload": workload, "count": count, "ms": ms, "cpuMs": cpu, "startMethod": multiprocessing.get_start_method()}))


if __name__ == "__main__":
    main()
