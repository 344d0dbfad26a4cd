"""The parent sends on a Pipe; the child receives and answers.
Run from Pooldeck, the job's row shows the child process and its exit code."""

import multiprocessing
import os


def f(conn):
    message = conn.recv()
    conn.send(f"child {os.getpid()} got {message!r}")
    conn.close()


if __name__ == "__main__":
    parent_conn, child_conn = multiprocessing.Pipe()
    p = multiprocessing.Process(target=f, args=(child_conn,))
    p.start()
    parent_conn.send([42, None, "hello"])
    print(parent_conn.recv(), flush=True)
    p.join()
