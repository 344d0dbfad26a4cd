"""The template a Python pool keeps on Linux, as multiprocessing's forkserver: it loads the helper
and the pool's target once, then forks each worker from itself, so that workers share its pages and
skip the interpreter's start and the helper's compilation.

    python3 pooldeck_template.py serve TARGET [--initializer INIT] [--initargs JSON]

Control channel on fd 3 (POOLDECK_CHANNEL_FD), one JSON object per line each way:
  main -> template  {"type":"fork","id":N,"env":{...}}   fork a worker; env is added to its environment
                    {"type":"opened","id":N}              main opened the worker's output pipes
  template -> main  {"type":"ready"}                      the target loaded
                    {"type":"forked","id":N,"pid":P,"stdout":FD,"stderr":FD}
                        FD: the read end of the worker's stdout/stderr pipe, held open in the template
                        until "opened", so that main can open it as /proc/<template pid>/fd/FD
                    {"type":"fork_failed","id":N,"message":TEXT}
                    {"type":"exited","pid":P,"code":C} or {"type":"exited","pid":P,"signal":S}
When the control channel closes, the template forks no more and exits once every worker it forked
has ended (it alone can reap them and report their exit status).
A worker leads its own process group, serves the target over the worker socket named in
its env (POOLDECK_WORKER_ADDRESS), and writes its stdout and stderr to its own pipes.
"""

import json
import os
import select
import signal
import sys
import traceback

# Imports pooldeck_connection too (the socket and the key's proof, without OpenSSL): imported here
# once, so that workers share its pages instead of each importing its own copy after the fork.
import pooldeck_worker as helper


class _Loaded(Exception):
    pass


def _served(argv):
    """(handler, initializer, initargs) as the helper's `serve` mode loads them, or the exit code when it cannot.

    The helper's own argument parsing and loading run, with its serve() swapped for one that hands
    back what it was given: the template loads exactly what a spawned worker would.
    """
    loaded = []

    def capture(handler, initializer=None, initargs=()):
        loaded.append((handler, initializer, initargs))
        raise _Loaded()

    serve, helper.serve = helper.serve, capture
    try:
        return helper._serve_target(argv)
    except _Loaded:
        return loaded[0]
    finally:
        helper.serve = serve


class _Template(object):
    def __init__(self, control_fd, served):
        self.control = control_fd
        self.served = served
        self.workers = set()
        # Read ends of workers' output pipes that main has not opened yet: fork id -> (stdout, stderr).
        self.unopened = {}
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        # A handler (not SIG_DFL) so that SIGCHLD reaches the wakeup pipe and wakes select().
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)

    def send(self, message):
        data = (json.dumps(message) + "\n").encode()
        try:
            while data:
                data = data[os.write(self.control, data):]
        except OSError:
            pass  # main is gone: the workers end with their channels, and we with them

    def run(self):
        self.send({"type": "ready"})
        pending = b""
        open_control = True
        while open_control or self.workers:
            watched = [self.wake_r, self.control] if open_control else [self.wake_r]
            readable, _, _ = select.select(watched, [], [])
            if self.wake_r in readable:
                try:
                    os.read(self.wake_r, 512)
                except BlockingIOError:
                    pass
            self.reap()
            if open_control and self.control in readable:
                chunk = os.read(self.control, 65536)
                if not chunk:
                    open_control = False
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if line.strip():
                        self.handle(json.loads(line))
        return 0

    def handle(self, message):
        kind = message.get("type")
        if kind == "fork":
            self.fork(message["id"], message.get("env") or {})
        elif kind == "opened":
            for fd in self.unopened.pop(message["id"], ()):
                os.close(fd)

    def reap(self):
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.workers.discard(pid)
            if os.WIFSIGNALED(status):
                self.send({"type": "exited", "pid": pid, "signal": os.WTERMSIG(status)})
            else:
                self.send({"type": "exited", "pid": pid, "code": os.WEXITSTATUS(status)})

    def fork(self, fork_id, env):
        try:
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            pid = os.fork()
        except OSError as exc:
            self.send({"type": "fork_failed", "id": fork_id, "message": str(exc)})
            return
        if pid == 0:
            self.become_worker(env, (out_r, err_r), out_w, err_w)
        # Its own group, as a spawned worker's (detached), so that its tree is ended through it. Set
        # here as well as in the child, so that it holds before main hears the pid (the shells' way).
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # it set it itself already, or it died
        os.close(out_w)
        os.close(err_w)
        self.workers.add(pid)
        self.unopened[fork_id] = (out_r, err_r)
        self.send({"type": "forked", "id": fork_id, "pid": pid, "stdout": out_r, "stderr": err_r})

    def become_worker(self, env, own_read_ends, out_w, err_w):
        code = 1
        try:
            os.setpgid(0, 0)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in [self.control, self.wake_r, self.wake_w, *own_read_ends, *(fd for fds in self.unopened.values() for fd in fds)]:
                os.close(fd)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.close(out_w)
            os.close(err_w)
            os.environ.update(env)
            helper.serve(*self.served)
        except SystemExit as exc:
            code = helper._exit_code(exc)
        except BaseException:
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(code)


def main(argv):
    if len(argv) < 2 or argv[0] != "serve":
        return helper._usage()
    served = _served(argv[1:])
    if not isinstance(served, tuple):
        return served
    fd = int(os.environ.get("POOLDECK_CHANNEL_FD", "3"))
    os.set_inheritable(fd, False)
    return _Template(fd, served).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
