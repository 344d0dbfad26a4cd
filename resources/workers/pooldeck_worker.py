"""Make a Python function a Pooldeck worker (worker protocol v1.1). Standard library only.

    from pooldeck_worker import serve

    def square(x):
        return x * x

    if __name__ == "__main__":
        serve(square)

The pool runs this program with a duplex channel on file descriptor 3 (env POOLDECK_CHANNEL_FD=3)
and writes one JSON object per line to it: {"type":"task","id":1,"args":[3]}. serve() calls
handler(*args) for each task (handler(*args, **kwargs) when the task has "kwargs": {...}, as
pool.apply(args, kwargs) sends), one at a time, in order, and answers
{"type":"result","id":1,"ok":true,"value":9}. An exception, or a value that is not JSON, becomes
{"type":"result","id":1,"ok":false,"error":{"type":...,"message":...,"traceback":...}}; so does
a task whose arguments are nested too deeply for Python to decode (a RecursionError, as a result).
It says which protocol version it speaks and opts in to the batch extension
({"type":"ready","version":1,"minor":1,"batch":true}): a map chunk then comes as
{"type":"batch","id":5,"items":[1,2,...]} (or "args":[[1,2],[3,4],...] for starmap) and is
answered with one line,
{"type":"batch_result","id":5,"ok":true,"values":[1,4,...]}, or, at the first item that raises,
{"type":"batch_result","id":5,"ok":false,"index":i,"error":{...}} (the items after it do not run).
serve() exits the process (status 0) on {"type":"exit"} or when the channel closes.
stdout and stderr stay yours: print freely. See docs/worker-protocol.md.

Any process the app starts (and its descendants) can also talk to the app over its channel:

    from pooldeck_worker import connect

    with connect() as channel:          # POOLDECK_ADDRESS, POOLDECK_AUTHKEY
        channel.send({"type": "note", "text": "hi"})
"""

import json
import os
import re
import sys
import threading
import traceback

from pooldeck_connection import (  # noqa: F401 (connect, Connection, AuthenticationError: this module's API)
    PROTOCOL_MINOR,
    PROTOCOL_VERSION,
    AuthenticationError,
    Connection,
    _dumps,
    _handshake,
    _Stream,
    connect,
)

_HELPER_FILE = os.path.abspath(__file__)

__all__ = [
    "serve", "connect", "Connection", "AuthenticationError", "PROTOCOL_VERSION", "PROTOCOL_MINOR",
    "queue", "pipe", "lock", "rlock", "semaphore", "event", "value", "array",
    "Process", "Queue", "Pipe", "PipeConnection", "Lock", "RLock", "Semaphore", "Event", "Value", "Array",
    "QueueClosedError",
]


def _traceback_text():
    """The traceback being handled, from the user's first frame: the helper's own frames (serve's
    loop, _run, _call_target) say nothing about the user's code."""
    exc_type, exc, tb = sys.exc_info()
    while tb is not None and tb.tb_next is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == _HELPER_FILE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(exc_type, exc, tb))


def _error_line(task_id, exc_type, message, tb):
    error = {"type": exc_type, "message": message, "traceback": tb}
    return _dumps({"type": "result", "id": task_id, "ok": False, "error": error}).encode("ascii") + b"\n"


def _result_line(task_id, handler, args, kwargs):
    try:
        value = handler(*args, **kwargs)
    except Exception as exc:  # the task failed: report it, keep serving
        return _error_line(task_id, type(exc).__name__, str(exc), _traceback_text())
    try:
        return _dumps({"type": "result", "id": task_id, "ok": True, "value": value}).encode("ascii") + b"\n"
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        message = "the handler returned a value that is not JSON-serialisable (%s): %s" % (type(value).__name__, exc)
        return _error_line(task_id, type(exc).__name__, message, _traceback_text())


# The pool writes "type" and "id" first, so a message too deep to decode can still be answered.
_HEAD = re.compile(rb'^\s*\{"type":"(task|batch)","id":(\d+)[,}]')


def _too_deep_line(raw, exc):
    """The error answer to a message nested too deep for the decoder, or None if it names no task."""
    head = _HEAD.match(raw)
    if head is None:
        return None
    message = "the task's arguments are nested too deeply to decode: %s" % exc
    tb = _traceback_text()
    if head.group(1) == b"task":
        return _error_line(int(head.group(2)), "RecursionError", message, tb)
    return _batch_error_line(int(head.group(2)), 0, "RecursionError", message, tb)


def _batch_error_line(batch_id, index, exc_type, message, tb):
    error = {"type": exc_type, "message": message, "traceback": tb}
    return _dumps({"type": "batch_result", "id": batch_id, "ok": False, "index": index, "error": error}).encode("ascii") + b"\n"


def _batch_line(batch_id, handler, arg_lists, items):
    values = []
    append = values.append
    try:
        if items is not None:
            for item in items:
                append(handler(item))
        else:
            for args in arg_lists:
                append(handler(*args))
    except Exception as exc:  # the first failure ends the batch, as in multiprocessing's map
        return _batch_error_line(batch_id, len(values), type(exc).__name__, str(exc), _traceback_text())
    try:
        return b'{"type":"batch_result","id":%d,"ok":true,"values":%s}\n' % (batch_id, _dumps(values).encode("ascii"))
    except (TypeError, ValueError, OverflowError, RecursionError):
        # Name the item at fault, as a single task would.
        for index, value in enumerate(values):
            try:
                _dumps(value)
            except (TypeError, ValueError, OverflowError, RecursionError) as exc:
                message = "the handler returned a value that is not JSON-serialisable (%s): %s" % (type(value).__name__, exc)
                return _batch_error_line(batch_id, index, type(exc).__name__, message, _traceback_text())
        raise


def _worker_channel():
    """The worker protocol's channel as (lines to read, writer), by POOLDECK_WORKER_TRANSPORT.

    "fd3" (or unset): the pipe on POOLDECK_CHANNEL_FD. "socket" (Windows' default): connect to
    POOLDECK_WORKER_ADDRESS and prove POOLDECK_AUTHKEY with the channel's handshake; the lines follow.
    """
    transport = os.environ.get("POOLDECK_WORKER_TRANSPORT") or "fd3"
    if transport == "socket":
        address = os.environ.get("POOLDECK_WORKER_ADDRESS")
        key_hex = os.environ.get("POOLDECK_AUTHKEY")
        if not address or not key_hex:
            sys.stderr.write(
                "pooldeck_worker: no channel (POOLDECK_WORKER_ADDRESS and POOLDECK_AUTHKEY are not both set). "
                "This program is a Pooldeck worker: run it from a worker-mode pool.\n"
            )
            sys.exit(2)
        try:
            stream = _Stream(address)
            _handshake(stream, bytes.fromhex(key_hex))
        except (OSError, EOFError, ValueError) as exc:
            sys.stderr.write("pooldeck_worker: cannot open the channel at %s: %s\n" % (address, exc))
            sys.exit(2)
        return _stream_lines(stream), _StreamWriter(stream)
    if transport != "fd3":
        sys.stderr.write("pooldeck_worker: POOLDECK_WORKER_TRANSPORT must be fd3 or socket, not %r\n" % transport)
        sys.exit(2)
    fd_text = os.environ.get("POOLDECK_CHANNEL_FD")
    if fd_text is None:
        sys.stderr.write(
            "pooldeck_worker: no channel (POOLDECK_CHANNEL_FD is not set). "
            "This program is a Pooldeck worker: run it from a worker-mode pool.\n"
        )
        sys.exit(2)
    fd = int(fd_text)
    try:
        # Programs this worker starts must not inherit the channel (they would keep it open).
        os.set_inheritable(fd, False)
        return os.fdopen(fd, "rb", buffering=65536), os.fdopen(os.dup(fd), "wb", buffering=65536)
    except OSError as exc:
        sys.stderr.write("pooldeck_worker: cannot open the channel on fd %d: %s\n" % (fd, exc))
        sys.exit(2)


def _stream_lines(stream):
    """The lines (each ending in its newline) arriving on a connected _Stream, first those the handshake left."""
    chunk, stream.buffer = stream.buffer, b""
    pieces = []  # the start of a line that arrives in several chunks
    while True:
        start = 0
        end = chunk.find(b"\n")
        while end >= 0:
            if pieces:
                pieces.append(chunk[start:end + 1])
                yield b"".join(pieces)
                pieces = []
            else:
                yield chunk[start:end + 1]
            start = end + 1
            end = chunk.find(b"\n", start)
        if start < len(chunk):
            pieces.append(chunk[start:])
        try:
            chunk = stream.read_some()
        except (EOFError, OSError):
            return


class _StreamWriter(object):
    """serve()'s writer over a connected _Stream: each write goes out whole, so flush has nothing to do."""

    def __init__(self, stream):
        self.write = stream.write

    def flush(self):
        pass


def serve(handler, initializer=None, initargs=()):
    """Serve tasks on the Pooldeck channel until told to exit; never returns.

    handler(*args) is called for each task with the task's arguments. initializer(*initargs), if
    given, runs once first (as multiprocessing's Pool initializer); {"type":"ready"} is sent after it.
    """
    if not callable(handler):
        raise TypeError("serve(handler): handler must be callable")
    reader, writer = _worker_channel()

    def send(data):
        try:
            writer.write(data)
            writer.flush()
        except OSError:
            os._exit(0)  # the pool is gone (a broken pipe, a reset socket): nobody to answer

    if initializer is not None:
        initializer(*initargs)
    send(b'{"type":"ready","version":%d,"minor":%d,"batch":true}\n' % (PROTOCOL_VERSION, PROTOCOL_MINOR))

    for raw in reader:
        try:
            message = json.loads(raw)
        except RecursionError as exc:
            answer = _too_deep_line(raw, exc)
            if answer is None:
                sys.stderr.write("pooldeck_worker: ignoring a line nested too deeply to decode: %r\n" % raw[:80])
            else:
                send(answer)
            continue
        except ValueError:
            sys.stderr.write("pooldeck_worker: ignoring a line that is not JSON: %r\n" % raw[:80])
            continue
        if not isinstance(message, dict):
            continue
        kind = message.get("type")
        if kind == "task":
            task_id = message.get("id")
            args = message.get("args")
            if not isinstance(args, list):
                args = [] if args is None else [args]
            kwargs = message.get("kwargs")
            if not isinstance(kwargs, dict):
                kwargs = {}
            if b'"$pooldeck"' in raw:
                try:
                    args, kwargs = _resolve_tags(args), _resolve_tags(kwargs)
                except Exception as exc:  # no channel, or the app refused an object: this task fails
                    send(_error_line(task_id, type(exc).__name__, str(exc), _traceback_text()))
                    continue
            send(_result_line(task_id, handler, args, kwargs))
        elif kind == "batch":
            # "items": each item is the only argument (map); "args": argument lists (starmap).
            batch_id = message.get("id")
            items = message.get("items")
            arg_lists = message.get("args")
            if not isinstance(batch_id, int) or not isinstance(items if items is not None else arg_lists, list):
                continue
            if b'"$pooldeck"' in raw:
                try:
                    items, arg_lists = _resolve_tags(items), _resolve_tags(arg_lists)
                except Exception as exc:
                    send(_batch_error_line(batch_id, 0, type(exc).__name__, str(exc), _traceback_text()))
                    continue
            send(_batch_line(batch_id, handler, arg_lists, items))
        elif kind == "exit":
            break
        # Other types (later protocol versions) are ignored.
    try:
        writer.flush()
    except OSError:
        pass
    sys.exit(0)


# ---------------------------------------------------------------------------------------------------
# The channel every process gets (connect() to POOLDECK_ADDRESS with POOLDECK_AUTHKEY) and its
# handshake are pooldeck_connection.py's, imported at the top: the inspector loads that file alone.

# ---------------------------------------------------------------------------------------------------
# Channel objects: the app's Queue, Pipe, Lock, RLock, Semaphore and Event, as multiprocessing's.
# They live in the app, which brokers them over this process's one channel connection (opened on
# first use). A target gets them in its arguments (the app sends {"$pooldeck": {...}} tags, turned
# into these objects before the call); any process the app started can open one by name:
#
#     import pooldeck_worker
#     jobs = pooldeck_worker.queue("jobs")
#     jobs.put(["hello", 1])
#
# Each operation is one JSON line to the app and, when it must wait for the answer, one back (see
# "Channel objects" in docs/worker-protocol.md). A put on an unbounded queue, a pipe's send and a
# release of a lock this process holds wait for nothing: they are pipelined.

import collections
import queue as _stdqueue

# How many waiting items a get on an unbounded queue may take at once into the process's own buffer.
_PREFETCH = 64
# The app's lines are UTF-8 text: decoded as str, json.loads skips sniffing each one's encoding.
_decode = json.JSONDecoder().decode
# After this many lines with no answer (pipelined puts), one round trip: refusals among them are
# reported while the producer runs, and it never gets far ahead of the app.
_SYNC_EVERY = 4096


class QueueClosedError(ValueError):
    """The app closed the queue: no more puts, and a get that finds it empty raises this."""


_ERRORS = {
    "Full": _stdqueue.Full,
    "Empty": _stdqueue.Empty,
    "Closed": QueueClosedError,
    "EOF": EOFError,
    "TypeError": TypeError,
    "RangeError": ValueError,
    "LookupError": LookupError,
    "TimeoutError": TimeoutError,
}


class _Client(object):
    """The process's connection to the broker: requests answered by id, and notes answered by nothing.

    Whichever thread waits for an answer reads the socket while no other does, and hands the answers
    it reads to their threads: one thread costs no handoff; several never block each other.
    """

    def __init__(self, connection):
        self._connection = connection
        self._stream = connection._stream
        self._send_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._replies = {}
        self._reading = False
        self._waiting = 0  # threads in cond.wait(), waiting for another thread's read
        self._closed = False
        self._next_id = 0
        # What the app pushed to this process's pipe ends, by (name, end): see _PushedEnd.
        self._pushed = {}
        # Lines with no answer that the app refused (a put to a closed queue), by object name: raised
        # at the next call on that object. Notes since the last request: checked every _SYNC_EVERY, and at exit.
        self._dropped = {}
        self._unchecked = 0
        self.pid = os.getpid()

    def note(self, line):
        """Sends an encoded line that gets no answer."""
        with self._send_lock:
            self._stream.write(line)
            self._unchecked += 1
            due = self._unchecked >= _SYNC_EVERY
        if due:
            self.sync()

    def sync(self):
        """Waits until the app handled every line sent so far: the refusals among them are then known."""
        self._unchecked = 0
        self.request({"type": "sync"})

    def raise_dropped(self, name):
        """Raises the refusal of an earlier line on object `name`, if the app sent one."""
        if self._dropped:
            error = self._dropped.pop(name, None)
            if error is not None:
                raise error

    def request(self, message):
        """Sends `message` and returns the answer's value, or raises the error it carries."""
        return self.request_encoded(_dumps(message)[:-1].encode("ascii"))

    def request_encoded(self, head):
        """request() of a message already encoded, `head` being its JSON without the closing brace
        (the hot calls encode theirs once)."""
        with self._send_lock:
            self._next_id += 1
            request_id = self._next_id
            self._unchecked = 0  # its answer comes after the app handled every line before it
            self._stream.write(head + b',"id":%d}\n' % request_id)
        reply = self._wait(request_id)
        if reply.get("ok"):
            return reply.get("value")
        error = reply.get("error") or {}
        raise _ERRORS.get(error.get("type"), RuntimeError)(error.get("message", "the app refused the operation"))

    def _wait(self, request_id):
        return self.wait_until(lambda: self._replies.pop(request_id, None))

    def pushed_end(self, name, end):
        """The buffer of pipe end (name, end), shared by every object of this process that holds it."""
        with self._cond:
            return self._pushed.setdefault((name, end), _PushedEnd())

    def wait_until(self, ready):
        """Reads the channel until ready() (called under the lock) returns something other than None."""
        cond = self._cond
        with cond:
            while True:
                result = ready()
                if result is not None:
                    return result
                if self._closed:
                    raise EOFError("the app's channel closed")
                if self._reading:
                    self._waiting += 1
                    try:
                        cond.wait()
                    finally:
                        self._waiting -= 1
                    continue
                self._reading = True
                # The socket is read without the lock held: other threads can send, and check for
                # their answers, meanwhile.
                cond.release()
                try:
                    lines, closed = self._read_lines()
                finally:
                    cond.acquire()
                self._reading = False
                self._closed = self._closed or closed
                for line in lines:
                    self._dispatch(line)
                # Condition.notify_all is Python code, a few µs a call: a process with one thread skips it.
                if self._waiting:
                    cond.notify_all()

    def _dispatch(self, line):
        if not line.strip():
            return
        message = _decode(line.decode("utf-8"))
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "reply":
            self._replies[message.get("id")] = message
        elif kind == "pipe":
            key = (message.get("name"), message.get("end"))
            pushed = self._pushed.get(key)
            if pushed is None:
                pushed = self._pushed[key] = _PushedEnd()
            if "value" in message:
                pushed.items.append(message["value"])
                pushed.seen += 1
            elif message.get("eof"):
                pushed.eof = True
            elif "push" in message:
                pushed.mode = bool(message["push"])
        elif kind == "dropped":
            error = message.get("error") or {}
            text = "the app refused a %s on %s %r sent earlier: %s" % (
                message.get("op"), message.get("kind"), message.get("name"), error.get("message", "?"))
            sys.stderr.write("pooldeck: %s\n" % text)
            self._dropped[message.get("name")] = _ERRORS.get(error.get("type"), RuntimeError)(text)

    def _read_lines(self):
        stream = self._stream
        try:
            while b"\n" not in stream.buffer:
                stream.buffer += stream.read_some()
        except (EOFError, OSError):
            return [], True
        *lines, stream.buffer = stream.buffer.split(b"\n")
        return lines, False


class _PushedEnd(object):
    """A pipe end whose messages the app pushes to this process as they arrive (one line each, no
    recv request): `mode` is None until the app says whether it pushes, False once it stopped (another
    process holds the end too: recv then asks); `eof` once nothing more can come."""

    __slots__ = ("items", "seen", "eof", "mode", "asked")

    def __init__(self):
        self.items = collections.deque()
        self.seen = 0
        self.eof = False
        self.mode = None
        self.asked = False  # this process asked the app to push (at its first recv)

    def ready(self):
        """For recv: ("item", value), ("eof", None), ("ask", None) when the app does not push, or None: wait."""
        if self.items:
            return ("item", self.items.popleft())
        if self.eof:
            return ("eof", None)
        if self.mode is False:
            return ("ask", None)
        return None


_client_lock = threading.Lock()
_client_instance = None


def _client():
    """The process's broker connection, opened on first use (and again in a forked child)."""
    global _client_instance
    client = _client_instance
    if client is not None and client.pid == os.getpid():
        return client
    with _client_lock:
        if _client_instance is None or _client_instance.pid != os.getpid():
            _client_instance = _Client(connect())
            import atexit

            atexit.register(_sync_at_exit, _client_instance)
        return _client_instance


def _sync_at_exit(client):
    """A put to a queue the app closed, sent just before exiting, is reported too (on stderr)."""
    if client._unchecked and client.pid == os.getpid():
        try:
            client.sync()
        except Exception:
            pass


def _timeout_ms(block, timeout):
    if not block or timeout is None:
        return None
    if timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")
    return timeout * 1000.0


def _op_prefix(kind, name, op, **fields):
    """The start of an op line up to its "value", encoded once per object."""
    head = {"type": "op", "kind": kind, "name": name, "op": op}
    head.update(fields)
    return _dumps(head)[:-1].encode("ascii") + b',"value":'


class _Brokered(object):
    _kind = None

    def __init__(self, name, client=None):
        self._name = name
        self._client = client or _client()

    @property
    def name(self):
        return self._name

    def _request(self, op, **fields):
        self._client.raise_dropped(self._name)
        message = {"type": "op", "kind": self._kind, "name": self._name, "op": op}
        message.update(fields)
        return self._client.request(message)

    def _tag(self):
        return {"kind": self._kind, "name": self._name}

    def __reduce__(self):
        # Passed to a child Process (pickled, as multiprocessing's spawn does): the child opens the same object.
        return (_from_tag, (self._tag(),))

    def __repr__(self):
        return "<pooldeck %s %r>" % (self._kind, self._name)


class _Queue(_Brokered):
    """A queue the app holds, used as multiprocessing.Queue: put/get raise queue.Full/queue.Empty."""

    _kind = "queue"

    def __init__(self, name, maxsize=0, client=None):
        _Brokered.__init__(self, name, client)
        self._maxsize = maxsize
        self._put_prefix = _op_prefix("queue", name, "put")
        self._get_head = _dumps({"type": "op", "kind": "queue", "name": name, "op": "get", "prefetch": _PREFETCH})[:-1].encode("ascii")
        self._closed = False
        # Items an unbounded queue handed over ahead (up to _PREFETCH per get): got without a round trip.
        self._ahead = collections.deque()

    def _tag(self):
        return {"kind": "queue", "name": self._name, "maxsize": self._maxsize}

    def put(self, obj, block=True, timeout=None):
        if self._closed:
            raise ValueError("Queue %r is closed" % self._name)
        if self._maxsize == 0:
            # Unbounded: nothing to wait for, so the put is pipelined (a refusal comes at a later call).
            self._client.raise_dropped(self._name)
            self._client.note(self._put_prefix + _dumps(obj).encode("ascii") + b"}\n")
            return
        self._request("put", value=obj, block=bool(block), timeoutMs=_timeout_ms(block, timeout))

    def get(self, block=True, timeout=None):
        if self._ahead:
            return self._ahead.popleft()
        if self._maxsize != 0:
            return self._request("get", block=bool(block), timeoutMs=_timeout_ms(block, timeout))
        if block and timeout is None:
            items = self._client.request_encoded(self._get_head)["items"]
        else:
            items = self._request("get", block=bool(block), timeoutMs=_timeout_ms(block, timeout), prefetch=_PREFETCH)["items"]
        self._ahead.extend(items[1:])
        return items[0]

    def put_nowait(self, obj):
        return self.put(obj, False)

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        return self._request("qsize") + len(self._ahead)

    def empty(self):
        return not self._ahead and self._request("empty")

    def full(self):
        return self._request("full")

    def close(self):
        """As multiprocessing's: this process puts no more (the queue stays open for the others)."""
        self._closed = True

    def join_thread(self):
        pass

    def cancel_join_thread(self):
        pass


class PipeConnection(_Brokered):
    """One end of a Pipe the app holds, used as multiprocessing's Connection: recv raises EOFError."""

    _kind = "pipe"

    def __init__(self, name, end, readable=True, writable=True, client=None):
        _Brokered.__init__(self, name, client)
        self._end = end
        self.readable = readable
        self.writable = writable
        self._send_prefix = _op_prefix("pipe", name, "send", end=end)
        self._recv_head = _dumps({"type": "op", "kind": "pipe", "name": name, "op": "recv", "end": end})[:-1].encode("ascii")
        self.closed = False
        # Pushed, from the first recv on: what the app sends to this end then arrives without a recv
        # request. Not before: a parent hands ends it never reads to its children.
        self._pushed = self._client.pushed_end(name, end) if readable else None
        self._opening = {"type": "open", "kind": "pipe", "name": name, "end": end}
        # This process holds the end now: when it ends, the end closes and the other side gets EOF.
        self._client.note(_dumps(self._opening).encode("ascii") + b"\n")

    def _tag(self):
        return {"kind": "pipe", "name": self._name, "end": self._end, "readable": self.readable, "writable": self.writable}

    def _check(self):
        if self.closed:
            raise OSError("handle is closed")

    def send(self, obj):
        if self.closed:
            raise OSError("handle is closed")
        if not self.writable:
            raise OSError("connection is read-only")
        client = self._client
        if client._dropped:
            client.raise_dropped(self._name)
        client.note(self._send_prefix + _dumps(obj).encode("ascii") + b"}\n")

    def recv(self):
        if self.closed:
            raise OSError("handle is closed")
        if not self.readable:
            raise OSError("connection is write-only")
        pushed = self._pushed
        if pushed.items:
            try:
                return pushed.items.popleft()
            except IndexError:
                pass  # another thread of this process took it first: wait below
        if not pushed.asked:
            pushed.asked = True
            self._client.note(_dumps(dict(self._opening, push=True)).encode("ascii") + b"\n")
        found, value = self._client.wait_until(pushed.ready)
        if found == "item":
            return value
        if found == "eof":
            raise EOFError("the other end of pipe %r was closed or its process ended" % self._name)
        return self._client.request_encoded(self._recv_head)

    def poll(self, timeout=0.0):
        self._check()
        pushed = self._pushed
        if pushed is not None and (pushed.items or pushed.eof):
            return True
        # `seen`: the app answers true at once when it pushed more than this process has read so far.
        seen = pushed.seen if pushed is not None and pushed.asked else None
        timeout_ms = None if timeout is None else max(0.0, timeout) * 1000.0
        return self._request("poll", end=self._end, timeoutMs=timeout_ms, seen=seen)

    def close(self):
        if not self.closed:
            self.closed = True
            self._request("close", end=self._end)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _PermitLock(_Brokered):
    """Lock, RLock and Semaphore: acquire(block, timeout) -> bool, release(), `with`."""

    def __init__(self, name, client=None):
        _Brokered.__init__(self, name, client)
        self._release_line = _dumps({"type": "op", "kind": self._kind, "name": name, "op": "release"}).encode("ascii") + b"\n"
        self._held = 0  # permits this process holds, so that releasing them needs no answer

    def _owner(self):
        return None

    def acquire(self, block=True, timeout=None):
        fields = {"block": bool(block), "timeoutMs": _timeout_ms(block, timeout)}
        owner = self._owner()
        if owner is not None:
            fields["owner"] = owner
        answer = self._request("acquire", **fields)
        if answer.get("abandonedBy"):
            died = answer["abandonedBy"]
            sys.stderr.write(
                "pooldeck: %s %r was free because process %s (pid %s) ended holding it\n"
                % (self._kind, self._name, died.get("name") or "?", died.get("pid"))
            )
        if answer.get("acquired"):
            self._held += 1
            return True
        return False

    def release(self):
        if self._held > 0 and self._owner() is None:
            self._held -= 1
            self._client.note(self._release_line)
            return
        fields = {}
        owner = self._owner()
        if owner is not None:
            fields["owner"] = owner
        self._request("release", **fields)
        self._held = max(0, self._held - 1)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()


class _Lock(_PermitLock):
    _kind = "lock"


class _RLock(_PermitLock):
    _kind = "rlock"

    def _owner(self):
        return str(threading.get_ident())


class _Semaphore(_PermitLock):
    _kind = "semaphore"

    def get_value(self):
        return self._request("getValue")


class _Event(_Brokered):
    """An event the app holds, used as multiprocessing.Event."""

    _kind = "event"

    def is_set(self):
        return self._request("isSet")

    def set(self):
        self._request("set")

    def clear(self):
        self._request("clear")

    def wait(self, timeout=None):
        return self._request("wait", timeoutMs=None if timeout is None else max(0.0, timeout) * 1000.0)


def _open(kind, name, **fields):
    return _client().request(dict({"type": "open", "kind": kind, "name": name}, **fields))


def queue(name):
    """The app's queue named `name` (Queue({ name }) in the app, or one passed to another process)."""
    info = _open("queue", name)
    return _Queue(name, info.get("maxsize", 0))


def pipe(name, end=1):
    """End `end` (0 or 1) of the app's pipe named `name`; this process holds it from now on."""
    info = _open("pipe", name, end=end)
    return PipeConnection(name, end, info.get("readable", True), info.get("writable", True))


def _opener(kind, cls):
    def open_by_name(name):
        _open(kind, name)
        return cls(name)

    open_by_name.__name__ = kind
    open_by_name.__doc__ = "The app's %s named `name`." % kind
    return open_by_name


lock = _opener("lock", _Lock)
rlock = _opener("rlock", _RLock)
semaphore = _opener("semaphore", _Semaphore)
event = _opener("event", _Event)


# Value and Array live in a shared file the app made (in /dev/shm on Linux): mapped here, read and
# written through ctypes as multiprocessing's sharedctypes do, so a write sends no message.

_CTYPES = None


def _ctype(typecode):
    global _CTYPES
    if _CTYPES is None:
        import ctypes

        _CTYPES = {
            "b": ctypes.c_byte, "B": ctypes.c_ubyte, "h": ctypes.c_short, "H": ctypes.c_ushort,
            "i": ctypes.c_int, "I": ctypes.c_uint, "l": ctypes.c_long, "L": ctypes.c_ulong,
            "q": ctypes.c_longlong, "Q": ctypes.c_ulonglong, "f": ctypes.c_float, "d": ctypes.c_double,
        }
    return _CTYPES[typecode]


class _SharedMixin(object):
    """What Value and Array add to the ctypes object mapped onto the app's shared file."""

    @property
    def name(self):
        return self._tag["name"]

    def get_lock(self):
        """The brokered Lock that goes with it, as multiprocessing's get_lock()."""
        if self._lock is None:
            self._lock = _Lock(self._tag["lock"])
        return self._lock

    def get_obj(self):
        return self

    def acquire(self, block=True, timeout=None):
        return self.get_lock().acquire(block, timeout)

    def release(self):
        self.get_lock().release()

    def __enter__(self):
        return self.get_lock().__enter__()

    def __exit__(self, *exc_info):
        return self.get_lock().__exit__(*exc_info)

    def __reduce__(self):
        return (_from_tag, (self._tag,))

    def __repr__(self):
        shown = self.value if hasattr(self, "value") else self[:]
        return "<pooldeck %s %r %s(%r)>" % (self._tag["kind"], self._tag["name"], self._tag["typecode"], shown)


_shared_types = {}


def _shared(tag, ctype):
    """A ctypes object of a subclass of `ctype` over the shared file: reads and writes are C's, with no
    Python in between (multiprocessing's Value(lock=False) is a bare ctypes object too)."""
    import mmap

    key = (tag["kind"], ctype)
    cls = _shared_types.get(key)
    if cls is None:
        cls = _shared_types[key] = type("Value" if tag["kind"] == "value" else "Array", (_SharedMixin, ctype), {})
    fd = os.open(tag["path"], os.O_RDWR)
    try:
        shared = mmap.mmap(fd, 0)
    finally:
        os.close(fd)
    obj = cls.from_buffer(shared)
    obj._tag, obj._lock, obj._mmap = tag, None, shared
    return obj


def _value_from_tag(tag):
    """A number in shared memory, used as multiprocessing.Value: v.value (a C type: an 'i' wraps, a float
    into it raises TypeError), v.get_lock(), `with v:`."""
    return _shared(tag, _ctype(tag["typecode"]))


def _array_from_tag(tag):
    """Numbers in shared memory, used as multiprocessing.Array: arr[i], arr[a:b], len(arr), get_lock()."""
    return _shared(tag, _ctype(tag["typecode"]) * int(tag["length"]))


def value(name):
    """The app's Value named `name`."""
    return _value_from_tag(_open("value", name))


def array(name):
    """The app's SharedArray named `name`."""
    return _array_from_tag(_open("array", name))


_FROM_TAG = {
    "queue": lambda tag: _Queue(tag["name"], tag.get("maxsize", 0)),
    "pipe": lambda tag: PipeConnection(tag["name"], tag.get("end", 1), tag.get("readable", True), tag.get("writable", True)),
    "lock": lambda tag: _Lock(tag["name"]),
    "rlock": lambda tag: _RLock(tag["name"]),
    "semaphore": lambda tag: _Semaphore(tag["name"]),
    "event": lambda tag: _Event(tag["name"]),
    "value": _value_from_tag,
    "array": _array_from_tag,
}


def _from_tag(tag):
    return _FROM_TAG[tag["kind"]](tag)


# ---------------------------------------------------------------------------------------------------
# multiprocessing's constructors: a program the app started changes only its import line,
#     from multiprocessing import Process, Queue   ->   from pooldeck_worker import Process, Queue
# and its Queue(), Pipe(), Value(), Lock()… are made in the app (a "create" request: the Channels view
# shows them, removed once no process uses them), its Process() children are started from here. Outside
# the app (no POOLDECK_ADDRESS) each name is multiprocessing's own, so the program runs anywhere.
# Items, messages and values travel as JSON (a tuple comes back a list); a Process's target and args
# are pickled, as multiprocessing's spawn start method does.


def _outside_app():
    return not os.environ.get("POOLDECK_ADDRESS")


def _create(kind, **fields):
    return _client().request(dict({"type": "create", "kind": kind}, **fields))


def Queue(maxsize=0):
    """multiprocessing.Queue(maxsize), held by the app: put/get raise queue.Full/queue.Empty.
    Outside the app: multiprocessing.Queue itself."""
    if _outside_app():
        import multiprocessing

        return multiprocessing.Queue(maxsize)
    tag = _create("queue", maxsize=maxsize)
    return _Queue(tag["name"], tag.get("maxsize", 0))


def Pipe(duplex=True):
    """multiprocessing.Pipe(duplex): two PipeConnection ends, held by the app; recv raises EOFError once
    the other end is closed or its process ended. Outside the app: multiprocessing.Pipe itself."""
    if _outside_app():
        import multiprocessing

        return multiprocessing.Pipe(duplex)
    name = _create("pipe", duplex=bool(duplex))["name"]
    return PipeConnection(name, 0, True, bool(duplex)), PipeConnection(name, 1, bool(duplex), True)


def _made_by_app(kind, cls, fallback, doc):
    def make(*args, **kwargs):
        if _outside_app():
            import multiprocessing

            return getattr(multiprocessing, fallback)(*args, **kwargs)
        fields = {"value": args[0] if args else kwargs.get("value", 1)} if kind == "semaphore" else {}
        return cls(_create(kind, **fields)["name"])

    make.__name__ = fallback
    make.__doc__ = doc
    return make


Lock = _made_by_app("lock", _Lock, "Lock", "multiprocessing.Lock(), held by the app (released if its holder dies). Outside the app: multiprocessing's.")
RLock = _made_by_app("rlock", _RLock, "RLock", "multiprocessing.RLock(), held by the app. Outside the app: multiprocessing's.")
Semaphore = _made_by_app("semaphore", _Semaphore, "Semaphore", "multiprocessing.Semaphore(value=1), held by the app. Outside the app: multiprocessing's.")
Event = _made_by_app("event", _Event, "Event", "multiprocessing.Event(), held by the app. Outside the app: multiprocessing's.")


def _typecode(typecode_or_type):
    if isinstance(typecode_or_type, str):
        return typecode_or_type
    for code in "bBhHiIlLqQfd":
        if _ctype(code) is typecode_or_type:
            return code
    raise TypeError("%r is none of the typecodes b B h H i I l L q Q f d (nor their ctypes types)" % (typecode_or_type,))


def Value(typecode_or_type, *args, lock=True):
    """multiprocessing.Value(typecode, value): a number in shared memory the app made (v.value, get_lock(),
    `with v:`). `lock` is accepted; the lock exists either way. Outside the app: multiprocessing.Value."""
    if _outside_app():
        import multiprocessing

        return multiprocessing.Value(typecode_or_type, *args, lock=lock)
    return _value_from_tag(_create("value", typecode=_typecode(typecode_or_type), initial=args[0] if args else 0))


def Array(typecode_or_type, size_or_initializer, lock=True):
    """multiprocessing.Array(typecode, size or values): numbers in shared memory the app made.
    Outside the app: multiprocessing.Array."""
    if _outside_app():
        import multiprocessing

        return multiprocessing.Array(typecode_or_type, size_or_initializer, lock=lock)
    fields = {"typecode": _typecode(typecode_or_type)}
    if isinstance(size_or_initializer, int):
        fields["length"] = size_or_initializer
    else:
        fields["values"] = list(size_or_initializer)
    return _array_from_tag(_create("array", **fields))


_children = set()
_process_count = [0]


class Process(object):
    """multiprocessing.Process, started from this process: a child interpreter that imports the main
    file as __mp_main__ (so an `if __name__ == "__main__":` block does not run again) and runs the
    target, as multiprocessing's spawn does; its target, args and kwargs are pickled (a Queue, Pipe end,
    Value… passed in them is the same object in the child). Under the app the child is one of the job's
    processes (the tree shows it, stopping the job ends it). Outside the app: multiprocessing.Process.
    Exit codes as multiprocessing's: 0, 1 for an exception, n for sys.exit(n), -N for signal N."""

    def __new__(cls, *args, **kwargs):
        if cls is Process and _outside_app():
            import multiprocessing

            return multiprocessing.Process(*args, **kwargs)
        return object.__new__(cls)

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        if group is not None:
            raise ValueError("group argument must be None for now")
        _process_count[0] += 1
        self._target, self._args, self._kwargs = target, tuple(args), dict(kwargs or {})
        self._name = name or "Process-%d" % _process_count[0]
        self.daemon = bool(daemon)
        self._popen = None

    name = property(lambda self: self._name, lambda self, name: setattr(self, "_name", str(name)))
    pid = property(lambda self: self._popen.pid if self._popen is not None else None)
    ident = pid

    @property
    def exitcode(self):
        return None if self._popen is None else self._popen.poll()

    def run(self):
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_popen"] = None
        return state

    def start(self):
        if self._popen is not None:
            raise AssertionError("cannot start a process twice")
        import pickle
        import subprocess

        main = sys.modules.get("__main__")
        main_path = getattr(main, "__file__", None)
        if main_path is None and getattr(self._target, "__module__", None) == "__main__":
            raise RuntimeError("Process(target=...) needs the program to be a file: the child imports it to find the target")
        payload = pickle.dumps(self, pickle.HIGHEST_PROTOCOL)
        env = dict(os.environ)
        env.pop("POOLDECK_CHANNEL_FD", None)
        sys.stdout.flush()
        sys.stderr.flush()
        command = [sys.executable, _HELPER_FILE, "child", os.path.abspath(main_path) if main_path else ""]
        self._popen = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
        with self._popen.stdin as stdin:
            stdin.write(payload)
        _children.add(self)
        _watch_children_at_exit()

    def join(self, timeout=None):
        if self._popen is None:
            raise AssertionError("can only join a started process")
        import subprocess

        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return
        _children.discard(self)

    def is_alive(self):
        return self._popen is not None and self._popen.poll() is None

    def terminate(self):
        if self.is_alive():
            self._popen.terminate()

    def kill(self):
        if self.is_alive():
            self._popen.kill()

    def close(self):
        if self.is_alive():
            raise ValueError("Cannot close a process while it is still running. You should first call join() or terminate().")
        _children.discard(self)

    def _bootstrap(self):
        """In the child: run() with multiprocessing's exit codes."""
        try:
            self.run()
            return 0
        except SystemExit as exc:
            return _exit_code(exc)
        except BaseException:
            sys.stderr.write("Process %s:\n" % self._name)
            traceback.print_exc()
            return 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()

    def __repr__(self):
        code = self.exitcode
        state = "initial" if self._popen is None else ("started" if code is None else "stopped exitcode=%s" % code)
        return "<Process name=%r %s%s>" % (self._name, state, " daemon" if self.daemon else "")


_exit_watch = []


def _watch_children_at_exit():
    """As multiprocessing at exit: daemonic children are terminated, the others waited for."""
    if _exit_watch:
        return
    import atexit

    def finish_children():
        for child in list(_children):
            if child.daemon:
                child.terminate()
        for child in list(_children):
            child.join()

    _exit_watch.append(finish_children)
    atexit.register(finish_children)


def _child(main_path):
    """child MAIN_FILE: a Process's child; reads the pickled Process on stdin and runs it."""
    import pickle

    payload = sys.stdin.buffer.read()
    sys.stdin.close()
    sys.stdin = open(os.devnull)
    if main_path:
        import importlib.util

        sys.path[0] = os.path.dirname(main_path)
        spec = importlib.util.spec_from_file_location("__mp_main__", main_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["__mp_main__"] = sys.modules["__main__"] = module
        spec.loader.exec_module(module)
    return pickle.loads(payload)._bootstrap()


def _resolve_tags(value):
    """`value` with each {"$pooldeck": {...}} tag (a channel object the app passed) made the live object."""
    if isinstance(value, list):
        return [_resolve_tags(item) for item in value]
    if isinstance(value, dict):
        tag = value.get("$pooldeck") if len(value) == 1 else None
        if isinstance(tag, dict) and tag.get("kind") in _FROM_TAG and isinstance(tag.get("name"), str):
            return _FROM_TAG[tag["kind"]](tag)
        return {key: _resolve_tags(item) for key, item in value.items()}
    return value


# ---------------------------------------------------------------------------------------------------
# Running a target: python3 pooldeck_worker.py run FILE.py:ATTR | MODULE:ATTR
# (and serving one in a pool: python3 pooldeck_worker.py serve TARGET [--initializer INIT] [--initargs JSON],
# which loads TARGET and INIT once and then is serve(TARGET, INIT, initargs); a class is instantiated
# with each task's arguments and its run() answers).
#
# Process({ target }) starts this with the channel on fd 3 (POOLDECK_CHANNEL_FD). It reads one line,
# {"type":"call","name":"Process-1","args":[...],"kwargs":{...}}, loads the target, calls it and
# writes one line back before exiting: {"type":"return","value":...} when it returned, or
# {"type":"error","error":{"type","message","traceback"}} when it raised, could not be loaded, or
# returned a value JSON can't carry. sys.exit() writes nothing: the exit code says it all. Exit codes
# follow multiprocessing.Process: return 0, exception 1 (with "Process <name>:" and the traceback on
# stderr), sys.exit(n) n, sys.exit("msg") 1 with msg on stderr, an unloadable target 1.


class _TargetLoadError(Exception):
    """The target could not be loaded; carries the original exception's type name."""

    def __init__(self, type_name, message):
        Exception.__init__(self, message)
        self.type_name = type_name


def _load_target(target):
    if ":" not in target:
        raise _TargetLoadError("ValueError", "target %r must be FILE.py:ATTR or MODULE:ATTR" % target)
    where, attr = target.rsplit(":", 1)
    if not where or not attr:
        raise _TargetLoadError("ValueError", "target %r must be FILE.py:ATTR or MODULE:ATTR" % target)
    module = _load_module(where, target)
    value = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise _TargetLoadError("AttributeError", "cannot load %s: %s has no attribute %r" % (target, where, attr))
    if not callable(value):
        raise _TargetLoadError(
            "TypeError", "cannot load %s: %s in %s is a %s, not a function or a class" % (target, attr, where, type(value).__name__)
        )
    return value


def _load_module(where, target):
    """The module of FILE.py or MODULE `where`; a failure names `target` and the cause."""
    # As `python -m` does: the working folder comes first, not this helper's folder.
    sys.path[0] = os.getcwd()
    try:
        if where.endswith(".py"):
            return _load_file(where, target)
        import importlib

        return importlib.import_module(where)
    except _TargetLoadError:
        raise
    except SyntaxError as exc:
        raise _TargetLoadError(
            "SyntaxError",
            "cannot load %s: syntax error in %s line %s: %s" % (target, exc.filename or where, exc.lineno, exc.msg),
        )
    except ImportError as exc:
        raise _TargetLoadError(type(exc).__name__, "cannot load %s: %s" % (target, exc))
    except Exception as exc:  # the module raised while it was imported
        raise _TargetLoadError(type(exc).__name__, "cannot load %s: importing %s raised %s" % (target, where, exc))


def _load_file(where, target):
    import importlib.util

    path = os.path.abspath(where)
    if not os.path.isfile(path):
        raise _TargetLoadError("FileNotFoundError", "cannot load %s: no such file %s" % (target, path))
    # As `python FILE.py` does: the file's folder comes first, so that its sibling modules import.
    sys.path.insert(0, os.path.dirname(path))
    name = os.path.splitext(os.path.basename(path))[0]
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__file__", None) == path:
        return loaded  # the initializer and the target of one file share its globals
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _call_target(target, args, kwargs):
    if isinstance(target, type):
        return target(*args, **kwargs).run()
    return target(*args, **kwargs)


def _run(target_text):
    fd_text = os.environ.get("POOLDECK_CHANNEL_FD")
    if fd_text is None:
        sys.stderr.write("pooldeck_worker: no channel (POOLDECK_CHANNEL_FD is not set): run targets with Process({ target }).\n")
        return 2
    fd = int(fd_text)
    # Programs the target starts must not inherit the channel (they would keep it open).
    os.set_inheritable(fd, False)
    reader = os.fdopen(fd, "rb", buffering=0, closefd=False)
    line = b""
    while not line.endswith(b"\n"):
        chunk = reader.read(65536)
        if not chunk:
            break
        line += chunk
    call = json.loads(line) if line.strip() else {}
    name = call.get("name") or "Process"
    args = call.get("args") or []
    kwargs = call.get("kwargs") or {}

    def answer(message):
        data = _dumps(message).encode("ascii") + b"\n"
        while data:
            data = data[os.write(fd, data):]

    def fail(type_name, message, tb):
        answer({"type": "error", "error": {"type": type_name, "message": message, "traceback": tb}})

    try:
        target = _load_target(target_text)
    except _TargetLoadError as exc:
        sys.stderr.write("Process %s: %s: %s\n" % (name, exc.type_name, exc))
        fail(exc.type_name, str(exc), "")
        return 1
    try:
        if b'"$pooldeck"' in line:
            # The channel objects passed in the arguments: connecting can fail like the call itself.
            args, kwargs = _resolve_tags(args), _resolve_tags(kwargs)
        value = _call_target(target, args, kwargs)
    except SystemExit as exc:
        return _exit_code(exc)
    except BaseException as exc:
        tb = _traceback_text()
        sys.stderr.write("Process %s:\n" % name)
        sys.stderr.write(tb)
        fail(type(exc).__name__, str(exc), tb)
        return 1
    try:
        answer({"type": "return", "value": value})
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        message = "%s returned a value that JSON can't carry (%s): %s" % (target_text, type(value).__name__, exc)
        sys.stderr.write("Process %s: %s\n" % (name, message))
        fail("TypeError", message, "")
        return 1
    return 0


def _exit_code(exc):
    """As multiprocessing's Process._bootstrap for sys.exit(): the exit code, or a message on stderr and 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    sys.stderr.write(str(exc.code) + "\n")
    return 1


def _serve_target(argv):
    """serve TARGET [--initializer INIT] [--initargs JSON]: a pool worker that serves TARGET."""
    target_text, options = argv[0], argv[1:]
    if len(options) % 2 or any(flag not in ("--initializer", "--initargs") for flag in options[::2]):
        return _usage()
    named = dict(zip(options[::2], options[1::2]))
    try:
        target = _load_target(target_text)
        initializer = _load_target(named["--initializer"]) if "--initializer" in named else None
    except _TargetLoadError as exc:
        sys.stderr.write("pooldeck_worker: %s: %s\n" % (exc.type_name, exc))
        return 1
    initargs = json.loads(named.get("--initargs", "[]"))
    if isinstance(target, type):
        cls = target

        def target(*args, **kwargs):
            return cls(*args, **kwargs).run()

    serve(target, initializer, initargs)


def _first_doc_line(value):
    # __doc__, not inspect.getdoc: a class without a docstring must not show its base class's.
    doc = value.__doc__ if isinstance(value.__doc__, str) else ""
    for line in doc.strip().splitlines():
        return line.strip()
    return None


def _signature(value):
    import inspect

    try:
        return str(inspect.signature(value))
    except (TypeError, ValueError):
        return None


def _list_targets(file_text):
    """list FILE: one JSON line with the functions and classes FILE defines at its top level (not those it imports)."""
    import inspect

    path = os.path.abspath(file_text)
    # What the file prints while it is imported must not mix with the answer line.
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        module = _load_module(file_text, file_text) if file_text.endswith(".py") else None
    except _TargetLoadError as exc:
        answer = {"type": "error", "error": {"type": exc.type_name, "message": str(exc), "traceback": ""}}
    except BaseException as exc:  # sys.exit() or a KeyboardInterrupt while importing
        message = "cannot load %s: importing it raised %s %s" % (file_text, type(exc).__name__, exc)
        answer = {"type": "error", "error": {"type": type(exc).__name__, "message": message, "traceback": ""}}
    else:
        if module is None:
            message = "cannot list %s: not a Python file (.py)" % file_text
            answer = {"type": "error", "error": {"type": "ValueError", "message": message, "traceback": ""}}
        else:
            targets = [
                {
                    "name": name,
                    "kind": "class" if inspect.isclass(value) else "function",
                    "signature": _signature(value),
                    "doc": _first_doc_line(value),
                }
                for name, value in list(vars(module).items())
                if (inspect.isfunction(value) or inspect.isclass(value)) and getattr(value, "__module__", None) == module.__name__
            ]
            answer = {"type": "targets", "file": path, "language": "python", "targets": targets}
    finally:
        sys.stdout = stdout
    sys.stdout.write(json.dumps(answer, ensure_ascii=True, default=str) + "\n")
    sys.stdout.flush()
    return 0 if answer["type"] == "targets" else 1


def _usage():
    sys.stderr.write(
        "usage: pooldeck_worker.py run FILE.py:ATTR | MODULE:ATTR\n"
        "       pooldeck_worker.py serve FILE.py:ATTR | MODULE:ATTR [--initializer TARGET] [--initargs JSON]\n"
        "       pooldeck_worker.py list FILE.py\n"
    )
    return 2


def _main(argv):
    if len(argv) == 2 and argv[0] == "run":
        code = _run(argv[1])
        sys.stdout.flush()
        sys.stderr.flush()
        return code
    if len(argv) >= 2 and argv[0] == "serve":
        return _serve_target(argv[1:])
    if len(argv) == 2 and argv[0] == "child":
        return _child(argv[1])
    if len(argv) == 2 and argv[0] == "list":
        code = _list_targets(argv[1])
        sys.stderr.flush()
        # Threads or atexit handlers the imported file left must not hold the answer back.
        os._exit(code)
    return _usage()


if __name__ == "__main__":
    # A target that imports pooldeck_worker gets this very module (one channel connection, one set of
    # classes), not a second copy of the file.
    sys.modules.setdefault("pooldeck_worker", sys.modules[__name__])
    sys.exit(_main(sys.argv[1:]))
