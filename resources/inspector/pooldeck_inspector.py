"""Pooldeck's multiprocessing inspector. Standard library only, Python 3.8+.

The app puts this folder first on PYTHONPATH for a Python job, so its sitecustomize calls install().
install() only adds an import hook: nothing of multiprocessing is imported here. When the program
imports multiprocessing's modules itself, the hook wraps a few of their functions to note each
Process, Pool, Queue and shared Value/Array, and the tasks pool workers run; a background thread
sends what changed every 100 ms (every second while the program starts processes) over the app's
channel (POOLDECK_ADDRESS, POOLDECK_AUTHKEY) as one JSON line, {"type":"inspect",...} (see "The
multiprocessing inspector" in docs/worker-protocol.md). The workers of a forked Pool only write which
task they take to a pipe their pool's process reads (_TaskNotes); other workers report themselves.

Most of what it does is shaped by one cost: after a fork, every page either process writes is copied,
and in CPython 3.11+ running a Python function for the first time writes to its code (the
interpreter's inline caches). On the 2-core VM the benches run on, a copied page costs tens of µs; so
the hooks run little Python code between two forks and in forked children.

It never changes what the program does: the wrappers call the original first and note afterwards;
an exception in the inspector's own code turns it off for the process, with one line on stderr
("pooldeck inspector disabled: ..."); a channel that cannot be reached or refuses the key turns it
off silently, so the program's output stays its own.
"""

import os
import sys

_WORKERS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "workers")
_FLUSH_INTERVAL_S = 0.1
# How long the sending thread waits after a report with processes started since the last: while the
# program forks, every page a report writes in the parent is copied once per fork (~200 pages per
# report), so reports then go once a second, as often as the app samples the tree.
_FORKING_FLUSH_INTERVAL_S = 1.0
# Every how many reports, with no process started or ended since the last, the processes still running
# are looked at again (an exit code read without a join: `p.exitcode` polled).
_SCAN_EVERY = 10
# The text a report carries at most per field (a target's repr, a traceback, a value).
_MAX_TEXT = 4000
_MAX_REPR = 200
_MAX_ARRAY_ITEMS = 16
# POOLDECK_INSPECTOR_FAULT=<hook> makes that hook raise: how the tests check that a failing hook
# turns the inspector off without touching the program.
_FAULT = os.environ.get("POOLDECK_INSPECTOR_FAULT", "")

# Which job's processes this one belongs to: the pid of the first inspected process, which sets it
# for its descendants (they inherit the environment, whichever the start method).
_JOB_ROOT_ENV = "POOLDECK_INSPECTOR_JOB"

_disabled = False


def _off_marker():
    """The file that says the inspector is off in this job: made by the first of its processes whose
    hook failed, in the channel's private folder. None where there is no such folder (a named pipe)."""
    address = os.environ.get("POOLDECK_ADDRESS", "")
    root = os.environ.get(_JOB_ROOT_ENV)
    if not root or not os.path.isabs(address) or address.startswith("\\\\"):
        return None
    return os.path.join(os.path.dirname(address), "inspector-off-%s" % root)


# The channel's address and key, read by install(): a pool worker connecting in a forked child would
# otherwise run os.environ's Python code there (~20 pages copied, measured with getrusage).
_channel = (None, None)

# _off_marker(), found once by install(): every report looks for it, and in a forked child each
# Python function run for the first time writes to its code's page (the interpreter's inline caches),
# which the child then copies.
_off_marker_path = None


def _turned_off_elsewhere():
    if _off_marker_path is None:
        return False
    try:
        os.stat(_off_marker_path)
    except OSError:
        return False
    return True


def _first_to_turn_off():
    marker = _off_marker_path
    if marker is None:
        return True
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    except OSError:
        return True
    return True


def _disable(reason):
    """Turns the inspector off in this process. `reason` (an exception or text) goes to stderr once
    per job: the job's other processes turn off quietly when they next look (_Reporter.flush)."""
    global _disabled
    if _disabled:
        return
    _disabled = True
    if reason is None:
        return
    if isinstance(reason, BaseException):
        reason = "%s: %s" % (type(reason).__name__, reason)
    try:
        if _first_to_turn_off():
            sys.stderr.write("pooldeck inspector disabled: %s\n" % reason)
            sys.stderr.flush()
    except Exception:
        pass


def _fault(hook):
    if _FAULT == hook:
        raise RuntimeError("a fault was injected in the %s hook (POOLDECK_INSPECTOR_FAULT)" % hook)


def _note(record, *args):
    """Runs one of the inspector's recorders; any exception turns the inspector off."""
    if _disabled:
        return
    try:
        record(*args)
    except Exception as exc:
        _disable(exc)


def _clip(text, limit=_MAX_TEXT):
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _call_text(func, args, kwargs):
    """`run_task('3',)`: the callable's name and its arguments' repr, as multiprocessing users read it."""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    text = "%s%r" % (name, tuple(args))
    if kwargs:
        text += " %r" % (dict(kwargs),)
    return _clip(text, _MAX_REPR)


def _json_number(value):
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return repr(value)
    return value


# ---------------------------------------------------------------------------------------------------
# What this process has seen, and the thread that sends it.


class _Reporter(object):
    """One process's notes and its channel connection. A forked child gets a fresh one."""

    def __init__(self):
        import _thread

        self.pid = os.getpid()
        self.lock = _thread.allocate_lock()
        self.sending = False  # the sending thread was started
        self.connection = None
        # (process, target, args, kwargs) of each Process started here since the last report: start()
        # forgets the target, and describing it there, between two forks, would write to more pages.
        self.fresh = []
        self.processes = []  # those reported, held until their exit code was sent
        self.ended = []  # Process objects multiprocessing took out of its children since the last report
        self.reports_since_scan = 0
        self.pause = _FLUSH_INTERVAL_S  # before the sending thread's next report
        self.pools = []  # weak references to Pools made here
        self.queues = []
        self.values = []
        self.tasks = {}  # (job, i) -> the task's latest row, until sent
        self.own = None  # this process's own end, when it is a multiprocessing child that raised
        self.sent = {}  # key -> the row last sent, so that only changes go
        self.counters = {}

    def next_name(self, kind):
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return "%s-%d" % (kind, number)

    def start(self):
        """Starts the sending thread (once per process); it connects at its first report."""
        if not self.sending:
            import _thread

            # In the program's thread: a fork while the sending thread held an import lock would
            # leave the child waiting on it for ever. (Done already when multiprocessing was imported.)
            _connection_module()

            # A bare thread, not threading's: the program's threading.enumerate() does not list it,
            # and its forked children have one thread fewer to clean up (threading's after-fork
            # hook runs Python code for each, in every child). It dies with the interpreter, as a
            # daemon thread does.
            from time import sleep

            _thread.start_new_thread(self._run, (sleep,))
            self.sending = True

    def connect_then_start(self):
        """Connects now, in the program's thread, then starts the sending thread: a pool worker's first
        task. Connecting from the sending thread instead, while the task held the interpreter's lock,
        took a few of its 5 ms switch intervals, and the task's result waited for it."""
        with self.lock:
            if self.connection is None:
                self._connect()
        self.start()

    def _run(self, sleep):
        try:
            while not _disabled:
                sleep(self.pause)
                self.flush()
        except BaseException:
            # A bare thread's uncaught exception would be printed: the program's output is its own.
            # (flush() catches the inspector's own failures; this is the interpreter shutting down.)
            pass

    def flush(self):
        if _disabled:
            return
        if _turned_off_elsewhere():
            _disable(None)  # another of the job's processes failed and said so
            return
        try:
            with self.lock:
                report = self._report()
                # A process with nothing to tell never connects (an idle pool worker, say).
                if report is not None and (self.connection is not None or self._connect()):
                    self.connection.send(report)
        except (OSError, EOFError):
            # The app went away or closed the channel: nothing more to tell, and nothing to say.
            _disable(None)
        except Exception as exc:
            _disable(exc)

    def _connect(self):
        try:
            self.connection = _connection_module().connect(*_channel, welcome=False)
        except Exception:
            # No channel, or a refused key: stay silent, the program's output is its own.
            _disable(None)
            return False
        return True

    def _look_at(self, looked_at, rows, still_running):
        for process in looked_at:
            row = _process_row(process)
            if self._changed(("process", row["pid"]), row):
                rows.append(row)
            if row["exitcode"] is None and not getattr(process, "_closed", False):
                still_running.append(process)

    def _changed(self, key, row):
        if self.sent.get(key) == row:
            return False
        self.sent[key] = row
        return True

    def _report(self):
        _fault("report")
        processes = []
        fresh, self.fresh = _described(self.fresh), []
        ended, self.ended = self.ended, []
        self._look_at(fresh, processes, self.processes)
        self._look_at(ended, processes, [])
        # Only the processes started or ended since the last report are looked at (_Children says
        # which ended): touching every reported Process between two forks writes to pages the last
        # fork had just shared, and each written page is copied. The others are looked at again only
        # once the program has stopped starting and ending them for a second.
        self.pause = _FORKING_FLUSH_INTERVAL_S if fresh else _FLUSH_INTERVAL_S
        self.reports_since_scan += 1
        if fresh or ended:
            self.reports_since_scan = 0
        elif self.reports_since_scan >= _SCAN_EVERY:
            self.reports_since_scan = 0
            reported, self.processes = self.processes, []
            self._look_at(reported, processes, self.processes)
        pools = self._rows("pool", self.pools, _pool_row)
        queues = self._rows("queue", self.queues, _queue_row)
        values = self._rows("value", self.values, _value_row)
        tasks = list(self.tasks.values())
        self.tasks = {}
        for _key, ref in self.pools:
            pool = ref()
            notes = None if pool is None else pool.__dict__.get("_pooldeck_task_notes")
            if notes is not None:
                _fault("task")
                tasks.extend(notes.rows())
        report = {"type": "inspect", "pid": self.pid}
        for field, rows in (("processes", processes), ("pools", pools), ("queues", queues), ("values", values), ("tasks", tasks)):
            if rows:
                report[field] = rows
        if self.own is not None:
            report["own"], self.own = self.own, None
        return report if len(report) > 2 else None

    def _rows(self, kind, refs, make_row):
        rows = []
        live = []
        for key, ref in refs:
            target = ref()
            if target is None:
                continue
            live.append((key, ref))
            row = make_row(key, target)
            if self._changed((kind, key), row):
                rows.append(row)
        refs[:] = live
        return rows


_reporter = None


def _current():
    """This process's reporter (made on first use)."""
    global _reporter, _parents_reporter
    if _reporter is None or _reporter.pid != os.getpid():
        # In a forked child: the parent's is kept, not freed, since freeing it would write to every
        # row and Process it holds (a page copied for each). Its socket stays open in the child
        # until it exits, unused: closing it would take Python code in every child (see install()).
        _parents_reporter = _reporter
        _reporter = _Reporter()
    return _reporter


# In a process started by multiprocessing, while its _bootstrap runs: the tracebacks
# traceback.print_exc() printed, the last of them being the one of the exception that ended it.
_printed_tracebacks = None

# The reporter a forked child inherited, once it made its own (_current).
_parents_reporter = None


def _connection_module():
    """pooldeck_connection (beside the helpers): the channel's one connect and handshake. It imports
    at its top all that connecting needs, so the sending thread imports nothing. Loaded where the
    program imported multiprocessing, before it forks: every forked child has it already. Not the
    whole helper, pooldeck_worker.py: all the parent loads is in the page tables each fork copies."""
    module = sys.modules.get("pooldeck_connection")
    if module is None:
        path = os.path.join(_WORKERS_DIR, "pooldeck_connection.py")
        if _load is not None:
            return _load("pooldeck_connection", path)
        import importlib.util

        spec = importlib.util.spec_from_file_location("pooldeck_connection", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module = sys.modules.setdefault("pooldeck_connection", module)
    return module


def _weak(target):
    """A weak reference when the object takes one (ctypes objects do not): a strong one otherwise."""
    import weakref

    try:
        return weakref.ref(target)
    except TypeError:
        return lambda: target


# ---------------------------------------------------------------------------------------------------
# Rows: read from the objects without calling anything that could block or reap (no poll(), no lock).


def _process_row(process):
    popen = getattr(process, "_popen", None)
    cached = process.__dict__.setdefault("_pooldeck_seen", {"pid": None, "exitcode": None})
    if popen is not None:
        cached["pid"] = getattr(popen, "pid", None)
        cached["exitcode"] = getattr(popen, "returncode", None)
    return {
        "pid": cached["pid"],
        "name": process._name,
        "daemon": bool(process._config.get("daemon", False)),
        "alive": cached["pid"] is not None and cached["exitcode"] is None,
        "exitcode": cached["exitcode"],
        "ppid": os.getpid(),
        "className": type(process).__name__,
        "target": _target_text(process),
    }


_POOL_STATES = {"INIT": "running", "RUN": "running", "CLOSE": "closed", "TERMINATE": "terminated"}


def _pool_row(key, pool):
    return {
        "key": key,
        "ppid": os.getpid(),
        "processes": pool._processes,
        "workers": [worker.pid for worker in list(pool._pool) if getattr(worker, "_popen", None) is not None],
        "state": _POOL_STATES.get(str(pool._state), str(pool._state).lower()),
                "submitted": pool.__dict__.get("_pooldeck_submitted", 0),
        "done": pool.__dict__.get("_pooldeck_done", 0),
        "failed": pool.__dict__.get("_pooldeck_failed", 0),
        "failures": list(pool.__dict__.get("_pooldeck_failures", ())),
    }


def _queue_row(key, queue):
    try:
        size = queue.qsize()
    except (NotImplementedError, OSError, ValueError):
        size = None  # macOS has no sem_getvalue; a closed queue has no semaphore to read
    maxsize = queue._maxsize
    # Queue(maxsize=0) keeps the semaphore's largest value as its bound: 0 (unbounded), as the program said.
    if maxsize >= sys.modules["multiprocessing.synchronize"].SEM_VALUE_MAX:
        maxsize = 0
    return {"key": key, "kind": type(queue).__name__, "maxsize": maxsize, "size": size}


def _value_row(key, shared):
    raw = shared.get_obj() if hasattr(shared, "get_obj") else shared
    typecode = shared.__dict__.get("_pooldeck_typecode") if hasattr(shared, "__dict__") else None
    if hasattr(raw, "_length_"):
        kind = "Array"
        if raw._type_.__name__ == "c_char":
            value = _clip(repr(raw.raw), _MAX_REPR)
        else:
            value = [_json_number(item) for item in raw[:_MAX_ARRAY_ITEMS]]
        length = raw._length_
    else:
        kind = "Value"
        value = raw.value
        value = _clip(repr(value), _MAX_REPR) if isinstance(value, bytes) else _json_number(value)
        length = None
    return {"key": key, "kind": kind, "typecode": typecode or type(raw).__name__, "value": value, "length": length}


# ---------------------------------------------------------------------------------------------------
# Recorders: what the wrappers note.


def _described(started):
    """The processes of start()'s notes, each with its target described."""
    _fault("start")
    processes = []
    for process, target, args, kwargs in started:
        # A pool's worker loop says nothing its name does not (ForkPoolWorker-3).
        if target is not None and getattr(target, "__module__", None) != "multiprocessing.pool":
            process.__dict__["_pooldeck_target"] = _call_text(target, args, kwargs)
        processes.append(process)
    return processes


def _target_text(process):
    return process.__dict__.get("_pooldeck_target")


_getpid = os.getpid


class _Children(set):
    """multiprocessing.process._children, which notes each process taken out of it: join, is_alive
    and the reaping at each start take a process out once they have seen its exit code."""

    def discard(self, process):
        # Often between two forks (each start reaps the children that ended): one function, a few
        # objects touched.
        reporter = _reporter
        if reporter is not None and not _disabled and process in self and reporter.pid == _getpid():
            reporter.ended.append(process)
        set.discard(self, process)


def _made(kind, pool_or_queue, refs_field):
    _fault(kind)
    reporter = _current()
    getattr(reporter, refs_field).append((reporter.next_name(kind), _weak(pool_or_queue)))
    reporter.start()


def _made_value(shared, typecode):
    _fault("value")
    if hasattr(shared, "__dict__"):
        shared.__dict__["_pooldeck_typecode"] = typecode if isinstance(typecode, str) else getattr(typecode, "__name__", None)
    reporter = _current()
    kind = "Array" if hasattr(shared.get_obj() if hasattr(shared, "get_obj") else shared, "_length_") else "Value"
    reporter.values.append((reporter.next_name(kind), _weak(shared)))
    reporter.start()


def _task_call(func, args, kwargs):
    """How a pool task reads: `square × 12500` for a chunk of a map, `fail(7,)` for an apply_async."""
    if getattr(func, "__name__", "") in ("mapstar", "starmapstar"):
        return "%s \u00d7 %d" % (getattr(args[0][0], "__qualname__", "?"), len(args[0][1]))
    return _call_text(func, args, kwargs)


def _task_started(task, worker_pid):
    _fault("task")
    job, i, func, args, kwargs = task
    _current().tasks[(job, i)] = {"job": job, "index": i, "worker": worker_pid, "call": _task_call(func, args, kwargs), "state": "running"}


def _task_ended(message):
    job, i, (success, value) = message
    row = _current().tasks.get((job, i))
    if row is None:
        row = {"job": job, "index": i, "worker": os.getpid(), "call": None}
        _current().tasks[(job, i)] = row
    row["state"] = "done" if success else "failed"
    if not success:
        tb = getattr(value, "tb", None)
        if isinstance(tb, str):
            tb = tb.strip().strip('"').strip()  # ExceptionWithTraceback wraps it in triple quotes
        else:
            import traceback

            tb = "".join(traceback.format_exception_only(type(value), value))
        row["traceback"] = _clip(tb)


_MAX_FAILURES_KEPT = 20


def _result_arrived(pool, job, i, outcome):
    """In the pool's process: a task (job, i) ended. The counts come from here, not from the workers,
    whose notes die with them when the pool is terminated."""
    _fault("result")
    if pool is None:
        return
    success, value = outcome
    counts = pool.__dict__
    notes = counts.get("_pooldeck_task_notes")
    if success:
        counts["_pooldeck_done"] = counts.get("_pooldeck_done", 0) + 1
        if notes is not None:
            notes.finished[(job, i)] = None
        return
    counts["_pooldeck_failed"] = counts.get("_pooldeck_failed", 0) + 1
    tb = _clip(_remote_traceback(value))
    if notes is not None:
        notes.finished[(job, i)] = tb
    failures = counts.setdefault("_pooldeck_failures", [])
    if len(failures) < _MAX_FAILURES_KEPT:
        failures.append({"job": job, "index": i, "error": _clip("%s: %s" % (type(value).__name__, value)), "traceback": tb})


def _remote_traceback(error):
    # A worker's exception arrives with its traceback as text in its cause (RemoteTraceback).
    cause = getattr(error, "__cause__", None)
    tb = getattr(cause, "tb", None)
    if isinstance(tb, str):
        return tb.strip().strip('"').strip()
    import traceback

    return "".join(traceback.format_exception_only(type(error), error))


def _own_end(exitcode, tb):
    _current().own = {"pid": os.getpid(), "exitcode": exitcode, "traceback": None if tb is None else _clip(tb)}


# ---------------------------------------------------------------------------------------------------
# Hooks, one per module of multiprocessing, applied right after the program imports it.


def _hook_process(module):
    import traceback

    _connection_module()

    base = module.BaseProcess
    start, bootstrap = base.start, base._bootstrap
    module._children = _Children(module._children)
    # A started child's _bootstrap gives it a new `set()` of children, looked up in the module's
    # globals before the builtins: ours, so that its own children are noted too, with nothing to check
    # at each start.
    module.set = _Children

    getpid = os.getpid

    def start_then_note(self):
        # Between two forks every page the parent writes is copied (a fault of tens of µs on a VM): so
        # this touches a few objects only, and the sending thread does the rest (_described). No
        # wake-up either: a send on every start, racing the next fork, made starting twice as slow.
        # start() forgets the target (a reference cycle otherwise): taken first, noted once started.
        started = (self, self._target, self._args, self._kwargs)
        start(self)
        reporter = _reporter
        if (reporter is None or not reporter.sending or reporter.pid != getpid()) and not _disabled:
            reporter = _current()
            _note(reporter.start)
        if reporter is not None and not _disabled:
            reporter.fresh.append(started)

    def bootstrap_and_report(self, *args, **kwargs):
        # In the child. multiprocessing prints an uncaught exception's traceback with
        # traceback.print_exc() and exits 1: print_and_keep (below) keeps what it prints.
        global _printed_tracebacks
        _printed_tracebacks = printed = []
        exitcode = bootstrap(self, *args, **kwargs)
        if exitcode == 1 and printed:
            _note(_own_end, exitcode, printed[-1])
        reporter = _reporter
        if not _disabled and reporter is not None and reporter.pid == os.getpid():
            reporter.flush()
        return exitcode

    # Wrapped once, here, rather than in each child around its _bootstrap: a function made and a
    # module's dict written in every child were pages it copied. Outside a child's _bootstrap it
    # only prints, as before.
    print_exc = traceback.print_exc

    def print_and_keep(*args, **kwargs):
        printed = _printed_tracebacks
        if printed is not None and not _disabled:
            printed.append(traceback.format_exc())
        return print_exc(*args, **kwargs)

    print_and_keep.__name__ = print_and_keep.__qualname__ = print_exc.__name__
    print_and_keep.__module__ = print_exc.__module__
    print_and_keep.__doc__ = print_exc.__doc__
    traceback.print_exc = print_and_keep

    base.start = start_then_note
    base._bootstrap = bootstrap_and_report


def _hook_util(module):
    # After multiprocessing's own exit function (it joins non-daemon children and ends daemonic
    # ones), send their exit codes. It is also what a child runs last, before os._exit.
    import atexit

    exit_function = module._exit_function

    def exit_then_flush(*args, **kwargs):
        try:
            return exit_function(*args, **kwargs)
        finally:
            reporter = _reporter
            if not _disabled and reporter is not None and reporter.pid == os.getpid():
                reporter.flush()

    module._exit_function = exit_then_flush
    atexit.unregister(exit_function)
    atexit.register(exit_then_flush)


class _TaskNotes(object):
    """Which worker took which task, for a pool whose workers are forked: each worker writes
    `pid job index` to a pipe the pool's process made before forking it, as it takes a task, and this
    process reads them at each report. Its workers then run no code of ours but that write: no
    connection, no thread, no report (a forked worker copied a page for each Python function it ran
    for the first time: ~150 for connecting and reporting). The rest of a task's row is known here:
    its call (from the task, as it was submitted) and how it ended (from its result). Workers of a
    spawn or forkserver pool do not inherit the pipe and report as before (_trace_worker).
    """

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe()
        # A full pipe drops notes rather than stop a worker (those tasks show in the counts only).
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)
        self.calls = {}  # (job, i) -> how each task submitted reads (_task_call), until it is reported
        self.finished = {}  # (job, i) -> None (done) or the traceback (failed), until it is reported
        self.running = {}  # (job, i) -> the row of a task a worker took, until it ends
        self.pending = b""  # a note's start, when a read ended in its middle

    def rows(self):
        """The rows of the tasks taken or ended since the last call."""
        # Taken first: a result in it came after its worker's note was written.
        finished_keys = list(self.finished)
        rows = {}  # (job, i) -> row, each task once however many of its news this report carries
        for line in self._read_lines():
            try:
                pid, job, i = (int(field) for field in line.split())
            except ValueError:
                continue
            row = {"job": job, "index": i, "worker": pid, "call": self.calls.pop((job, i), None), "state": "running"}
            self.running[(job, i)] = rows[(job, i)] = row
        for key in finished_keys:
            tb = self.finished.pop(key)
            self.calls.pop(key, None)
            row = self.running.pop(key, None)
            if row is None:
                continue  # its note was dropped: the counts have it
            row["state"] = "done" if tb is None else "failed"
            if tb is not None:
                row["traceback"] = tb
            rows[key] = row
        return list(rows.values())

    def _read_lines(self):
        data = self.pending
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                break  # nothing more to read now (or the pipe is closed: the pool is gone)
            if not chunk:
                break
            data += chunk
        *lines, self.pending = data.split(b"\n")
        return lines

    def close(self):
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


def _open_task_notes(pool):
    _fault("Pool")
    context = getattr(pool, "_ctx", None)
    if context is None or context.get_start_method() != "fork":
        return
    import weakref

    notes = _TaskNotes()
    pool.__dict__["_pooldeck_task_notes"] = notes
    # The workers find it on the task queue they are given; a pickled queue (spawn) leaves it out.
    pool._inqueue._pooldeck_task_notes_fd = notes.write_fd
    # Not at exit: the last report, after multiprocessing's exit function, still reads the pipe.
    weakref.finalize(pool, notes.close).atexit = False


def _note_call(pool, job, i, func, args, kwargs):
    notes = pool.__dict__.get("_pooldeck_task_notes")
    if notes is not None:
        # Described now, not kept: keeping the task's arguments until the report kept a map's
        # chunks alive, and the pool's process took new memory for every chunk (~900 pages per
        # 100,000 items).
        notes.calls[(job, i)] = _task_call(func, args, kwargs)


def _hook_pool(module):
    pool_class = module.Pool
    init, apply_async, generate = pool_class.__init__, pool_class.apply_async, pool_class._guarded_task_generation
    setup_queues = pool_class._setup_queues
    worker = module.worker

    def init_then_note(self, *args, **kwargs):
        init(self, *args, **kwargs)
        _note(_made, "Pool", self, "pools")

    def setup_queues_then_notes(self, *args, **kwargs):
        setup_queues(self, *args, **kwargs)
        # Before the workers fork: they inherit the pipe.
        _note(_open_task_notes, self)

    def apply_async_counted(self, func, args=(), kwds={}, *rest, **kwargs):
        result = apply_async(self, func, args, kwds, *rest, **kwargs)
        self.__dict__["_pooldeck_submitted"] = self.__dict__.get("_pooldeck_submitted", 0) + 1
        _note(_note_call, self, result._job, 0, func, args, kwds)
        return result

    def generate_counted(self, *args, **kwargs):
        for task in generate(self, *args, **kwargs):
            self.__dict__["_pooldeck_submitted"] = self.__dict__.get("_pooldeck_submitted", 0) + 1
            if len(task) == 5:
                _note(_note_call, self, *task)
            yield task

    def traced_worker(inqueue, outqueue, *args, **kwargs):
        _note(_trace_worker, inqueue, outqueue)
        return worker(inqueue, outqueue, *args, **kwargs)

    # Pickled by reference (spawn, forkserver): the wrapper must answer to the original's name.
    traced_worker.__name__ = traced_worker.__qualname__ = "worker"
    traced_worker.__module__ = module.__name__
    for sink in (module.ApplyResult, module.MapResult, module.IMapIterator, module.IMapUnorderedIterator):
        if "_set" in vars(sink):
            _hook_result_sink(sink)
    pool_class.__init__ = init_then_note
    pool_class._setup_queues = setup_queues_then_notes
    pool_class.apply_async = apply_async_counted
    pool_class._guarded_task_generation = generate_counted
    module.worker = traced_worker


def _hook_result_sink(sink):
    set_result = sink._set

    def set_then_count(self, i, outcome):
        pool = self._pool  # the sink lets go of its pool once it has every result
        set_result(self, i, outcome)
        _note(_result_arrived, pool, self._job, i, outcome)

    sink._set = set_then_count


def _trace_worker(inqueue, outqueue):
    """In a pool worker: note each task it takes and how it ended, by wrapping its two queue ends."""
    notes_fd = getattr(inqueue, "_pooldeck_task_notes_fd", None)
    if notes_fd is not None:
        return _write_task_notes(inqueue, notes_fd)
    get, put = inqueue.get, outqueue.put
    reader = getattr(inqueue, "_reader", None)
    pid = os.getpid()
    reporter = _current()

    def traced_get():
        # About to wait with notes unsent (its last result went while other tasks were queued,
        # which another worker took): send them first.
        if reporter.tasks and not _disabled and reader is not None and not reader.poll(0):
            reporter.flush()
        task = get()
        if task is not None:
            _note(_task_started, task, pid)
            # Connected before the task ends, the worker's notes go out in the time a send takes:
            # the pool may be terminated as soon as its last result arrives.
            if not reporter.sending:
                _note(reporter.connect_then_start)
        return task

    def traced_put(message):
        _note(_task_ended, message)
        # With no task waiting, send the notes before the result: the program may end the pool as
        # soon as it has the result, and every task must still show.
        if not _disabled and (reader is None or not reader.poll(0)):
            reporter.flush()
        return put(message)

    inqueue.get = traced_get
    outqueue.put = traced_put


def _write_task_notes(inqueue, notes_fd):
    """In a forked pool worker: `pid job index` to the pool's pipe for each task taken (_TaskNotes).
    One write of a few bytes, atomic on a pipe, whoever else writes."""
    get = inqueue.get
    pid = os.getpid()
    write = os.write

    def noted_get():
        task = get()
        if task is not None and not _disabled:
            try:
                write(notes_fd, b"%d %d %d\n" % (pid, task[0], task[1]))
            except (OSError, TypeError, IndexError):
                pass  # a full pipe (its reader is behind), or not a task as a Pool makes them
        return task

    inqueue.get = noted_get


def _hook_queues(module):
    init = module.Queue.__init__

    def init_then_note(self, *args, **kwargs):
        init(self, *args, **kwargs)
        _note(_made, type(self).__name__, self, "queues")

    module.Queue.__init__ = init_then_note


def _hook_sharedctypes(module):
    # Value and Array make their object with RawValue and RawArray: note the outer one only.
    building = [0]
    for name in ("Value", "Array", "RawValue", "RawArray"):
        original = getattr(module, name)

        def make_then_note(typecode_or_type, *args, _original=original, _raw=name.startswith("Raw"), **kwargs):
            if _raw and building[0]:
                return _original(typecode_or_type, *args, **kwargs)
            building[0] += 1
            try:
                shared = _original(typecode_or_type, *args, **kwargs)
            finally:
                building[0] -= 1
            _note(_made_value, shared, typecode_or_type)
            return shared

        make_then_note.__name__ = make_then_note.__qualname__ = name
        setattr(module, name, make_then_note)


_HOOKS = {
    "multiprocessing.process": _hook_process,
    "multiprocessing.util": _hook_util,
    "multiprocessing.pool": _hook_pool,
    "multiprocessing.queues": _hook_queues,
    "multiprocessing.sharedctypes": _hook_sharedctypes,
}


def _apply_hook(name, module):
    if _disabled:
        return
    try:
        _fault("import")
        _HOOKS[name](module)
    except Exception as exc:
        _disable(exc)


class _HookingLoader(object):
    """Runs the real loader, then the module's hook. Everything else is the real loader's."""

    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # Nobody else needs to see this wrapper once the module is loaded.
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        _apply_hook(self._name, module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _ImportHook(object):
    """A meta path finder that finds nothing itself: it wraps the loader of the modules it hooks."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _HOOKS or _disabled:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _HookingLoader(spec.loader, fullname)
        return spec


# How sitecustomize loads our modules (from compiled code it keeps: _pooldeck_load), if it gave one.
_load = None


def install(load=None):
    """Hooks multiprocessing when (and if) the program imports it. Does nothing without a channel.
    `load(name, path)` loads a module of ours (pooldeck_connection) as sitecustomize loaded this one."""
    global _channel, _off_marker_path, _load
    _load = load
    address, key_hex = os.environ.get("POOLDECK_ADDRESS"), os.environ.get("POOLDECK_AUTHKEY")
    if not (address and key_hex):
        return
    try:
        _channel = (address, bytes.fromhex(key_hex))
    except ValueError:
        return  # not a key the channel would take: stay silent, as a refused connect does
    os.environ.setdefault(_JOB_ROOT_ENV, str(os.getpid()))
    _off_marker_path = _off_marker()
    if _turned_off_elsewhere():
        return  # started after another of the job's processes turned the inspector off
    # No os.register_at_fork hook: it would run Python code first thing in every forked child, ~15
    # pages written and copied per child (measured with getrusage), more than all our other hooks
    # there. A child finds the parent's reporter in _reporter instead and tells it by its pid.
    sys.meta_path.insert(0, _ImportHook())
    # Imported before us (by a .pth file, say): hook it now.
    for name in _HOOKS:
        if name in sys.modules:
            _apply_hook(name, sys.modules[name])
