"""CPU split of multiprocessing.Pool(2).map(square, range(n)): the parent's CPU (all its threads) and
each worker's, over `rounds` maps after a warm-up, from /proc/<pid>/stat. Stdlib only; Linux only.
Prints one JSON object. For bench/probes/map-cpu-split.ts.

    python3 mp_map_cpu.py --items 200000 --rounds 10
"""
import argparse
import json
import multiprocessing
import os
import time

TICK = os.sysconf("SC_CLK_TCK")


def square(x):
    return x * x


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(square, range(1000), chunksize=1)
        pids = [worker.pid for worker in pool._pool]
        before = [cpu_ms(os.getpid())] + [cpu_ms(pid) for pid in pids]
        started = time.perf_counter()
        for _ in range(options.rounds):
            pool.map(square, range(options.items))
        wall = (time.perf_counter() - started) * 1000
        after = [cpu_ms(os.getpid())] + [cpu_ms(pid) for pid in pids]
    used = [b - a for a, b in zip(before, after)]
    print(json.dumps({"wallMs": wall / options.rounds, "mainMs": used[0] / options.rounds, "workersMs": sum(used[1:]) / options.rounds}))


if __name__ == "__main__":
    main()
