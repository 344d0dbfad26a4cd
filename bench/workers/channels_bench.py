"""Targets for bench/channels.ts: the same loops as bench/python/mp_channels.py, on Pooldeck's objects."""
import time


def produce(q, count):
    for i in range(count):
        q.put(i)
    q.put(None)


def consume(q):
    """Items per second from the first item to the end marker."""
    q.get()
    started = time.perf_counter()
    count = 1
    while q.get() is not None:
        count += 1
    return count / (time.perf_counter() - started)


def echo(conn):
    while True:
        message = conn.recv()
        if message is None:
            return
        conn.send(message)


def value_writes(v, count):
    started = time.perf_counter()
    for i in range(count):
        v.value = i
    return count / (time.perf_counter() - started)


def locked_increments(v, count):
    lock = v.get_lock()
    started = time.perf_counter()
    for _ in range(count):
        with lock:
            v.value += 1
    return count / (time.perf_counter() - started)
