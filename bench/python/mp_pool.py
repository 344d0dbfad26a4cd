"""Python's multiprocessing.Pool on tiny tasks (return x*x): the reference for bench rows 1 and 2.

Stdlib only. Prints one JSON object: tasks per second for each style, timed around the calls only
(the pool is created and warmed first, as the Pooldeck side does).

    python3 mp_pool.py --processes 2 --map 100000 --imap 20000 --apply 20000
"""
import argparse
import json
import multiprocessing
import time


def square(x):
    return x * x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--map", type=int, default=100_000)
    parser.add_argument("--imap", type=int, default=20_000)
    parser.add_argument("--apply", type=int, default=20_000)
    parser.add_argument("--start-method", default=None)
    options = parser.parse_args()

    context = multiprocessing.get_context(options.start_method)
    result = {"startMethod": context.get_start_method(), "processes": options.processes}
    with context.Pool(options.processes) as pool:
        # Warm: every worker started and has run a task.
        pool.map(square, range(1000), chunksize=1)

        items = range(options.map)
        started = time.perf_counter()
        out = pool.map(square, items)
        result["map"] = options.map / (time.perf_counter() - started)
        assert out[-1] == (options.map - 1) ** 2

        items = range(options.imap)
        started = time.perf_counter()
        total = 0
        for value in pool.imap(square, items, chunksize=1):
            total += value
        result["imap1"] = options.imap / (time.perf_counter() - started)

        items = range(options.apply)
        started = time.perf_counter()
        pending = [pool.apply_async(square, (x,)) for x in items]
        for handle in pending:
            handle.get()
        result["applyAsync"] = options.apply / (time.perf_counter() - started)

        count = max(1, options.apply // 20)
        started = time.perf_counter()
        for x in range(count):
            pool.apply(square, (x,))
        result["apply"] = count / (time.perf_counter() - started)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
