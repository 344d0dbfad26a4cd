"""multiprocessing's Queue, Pipe and Value measured as bench/channels.ts measures Pooldeck's; prints one JSON line.

    python3 mp_channels.py [--measure queue|pipe|values ...] --items N --rounds N --writes N --increments N --processes 4
"""
import argparse
import json
import multiprocessing as mp
import time


def produce(q, count):
    for i in range(count):
        q.put(i)
    q.put(None)


def consume(q, out):
    q.get()
    started = time.perf_counter()
    count = 1
    while q.get() is not None:
        count += 1
    out.put(count / (time.perf_counter() - started))


def echo(conn):
    while True:
        message = conn.recv()
        if message is None:
            return
        conn.send(message)


def increments(v, count):
    for _ in range(count):
        with v.get_lock():
            v.value += 1


def measure_queue(options, figures):
    q, out = mp.Queue(), mp.Queue()
    consumer = mp.Process(target=consume, args=(q, out))
    producer = mp.Process(target=produce, args=(q, options.items))
    consumer.start()
    producer.start()
    figures["queue"] = out.get()
    producer.join()
    consumer.join()


def measure_pipe(options, figures):
    mine, theirs = mp.Pipe()
    child = mp.Process(target=echo, args=(theirs,))
    child.start()
    mine.send(0)
    mine.recv()
    started = time.perf_counter()
    for i in range(options.rounds):
        mine.send(i)
        mine.recv()
    figures["pipeRoundTripUs"] = (time.perf_counter() - started) / options.rounds * 1e6
    mine.send(None)
    child.join()


def measure_values(options, figures):
    raw = mp.Value("i", 0, lock=False)
    started = time.perf_counter()
    for i in range(options.writes):
        raw.value = i
    figures["valueWrites"] = options.writes / (time.perf_counter() - started)

    locked = mp.Value("i", 0)
    started = time.perf_counter()
    increments(locked, options.increments)
    figures["lockedIncrements"] = options.increments / (time.perf_counter() - started)

    total = mp.Value("i", 0)
    workers = [mp.Process(target=increments, args=(total, options.increments)) for _ in range(options.processes)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    figures["contendedIncrements"] = options.increments * options.processes / (time.perf_counter() - started)
    figures["contendedTotal"] = total.value


MEASURES = {"queue": measure_queue, "pipe": measure_pipe, "values": measure_values}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", choices=sorted(MEASURES), action="append", help="what to measure (repeatable; default: all)")
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--writes", type=int, default=1000000)
    parser.add_argument("--increments", type=int, default=100000)
    parser.add_argument("--processes", type=int, default=4)
    options = parser.parse_args()
    figures = {"startMethod": mp.get_start_method()}
    for name in options.measure or list(MEASURES):
        MEASURES[name](options, figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
