"""The channel every process the app starts can reach: connect() to POOLDECK_ADDRESS with
POOLDECK_AUTHKEY. Standard library only, Python 3.8+.

The handshake is multiprocessing.connection's (deliver_challenge / answer_challenge) with HMAC-SHA256
on every Python version: multiprocessing before 3.12 speaks MD5, which the channel refuses. Then both
sides write one JSON object per line; ours starts with {"type":"hello","pid":...}.

Kept apart from pooldeck_worker.py (which imports it under the same names) because the
multiprocessing inspector loads this into a program's process before the program forks: everything
loaded here is in every forked child's page tables. So it loads little: the interpreter's builtin
SHA-256 rather than hashlib (which maps OpenSSL's libcrypto), _socket rather than socket.py (whose
enums a connect, recv and sendall do not need). It imports all it needs at the top: the inspector's
sending thread must import nothing, since a fork while it held an import lock would leave the child
waiting on that lock for ever.
"""

import _socket
import json
import os
import threading

try:
    from _sha2 import sha256 as _builtin_sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256 as _builtin_sha256  # Python 3.8-3.11
    except ImportError:
        _builtin_sha256 = None
try:
    from _operator import _compare_digest as _same_digest  # what hmac.compare_digest is
except ImportError:
    from hmac import compare_digest as _same_digest

PROTOCOL_VERSION = 1
PROTOCOL_MINOR = 1

_dumps = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode
_HELLO = b'{"type":"hello","pid":%%d,"version":%d,"minor":%d}\n' % (PROTOCOL_VERSION, PROTOCOL_MINOR)

_CHALLENGE = b"#CHALLENGE#"
_WELCOME = b"#WELCOME#"
_FAILURE = b"#FAILURE#"
_SHA256 = b"{sha256}"
_MAX_HANDSHAKE_FRAME = 256
_SHA256_BLOCK = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


class AuthenticationError(ConnectionError):
    """The channel and this process do not share the authkey (or the other end is no channel)."""


class _Stream(object):
    """Exact reads and whole writes over a socket (Linux, macOS) or a named pipe (Windows)."""

    def __init__(self, address):
        if address.startswith("\\\\.\\pipe\\"):
            self._file = open(address, "r+b", buffering=0)
            self._read, self._write, self._close = self._file.read, self._file.write, self._file.close
        else:
            sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            try:
                sock.connect(address)
            except OSError:
                sock.close()
                raise
            self._socket = sock
            self._read, self._write, self._close = sock.recv, sock.sendall, sock.close
        self.buffer = b""

    def read_some(self):
        chunk = self._read(65536)
        if not chunk:
            raise EOFError("the channel closed")
        return chunk

    def read_exactly(self, size):
        while len(self.buffer) < size:
            self.buffer += self.read_some()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def write(self, data):
        # sendall writes everything (and returns None); a named pipe's write may write part.
        written = self._write(data)
        if written is None or written >= len(data):
            return
        view = memoryview(data)[written:]
        while view:
            written = self._write(view)
            view = view[len(view) if written is None else written:]

    def write_frame(self, payload):
        self.write(len(payload).to_bytes(4, "big", signed=True) + payload)

    def read_frame(self):
        size = int.from_bytes(self.read_exactly(4), "big", signed=True)
        if size < 0 or size > _MAX_HANDSHAKE_FRAME:
            raise AuthenticationError("the channel sent a handshake frame of %d bytes" % size)
        return self.read_exactly(size)

    def close(self):
        self._close()


def _hmac_sha256(key, message):
    """HMAC-SHA256 (RFC 2104) on the builtin SHA-256; hmac and hashlib where there is none."""
    if _builtin_sha256 is None:
        import hashlib
        import hmac

        return hmac.new(key, message, hashlib.sha256).digest()
    if len(key) > _SHA256_BLOCK:
        key = _builtin_sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = _builtin_sha256(key.translate(_INNER_PAD) + message).digest()
    return _builtin_sha256(key.translate(_OUTER_PAD) + inner).digest()


def _sha256_answer(authkey, message):
    return _SHA256 + _hmac_sha256(authkey, message)


def _handshake(stream, authkey):
    """answer_challenge, then deliver_challenge, as multiprocessing.connection.Client does."""
    frame = stream.read_frame()
    if not frame.startswith(_CHALLENGE + _SHA256):
        raise AuthenticationError("the channel sent no {sha256} challenge: %r" % frame[:40])
    stream.write_frame(_sha256_answer(authkey, frame[len(_CHALLENGE):]))
    if stream.read_frame() != _WELCOME:
        raise AuthenticationError("the channel refused this process's authkey (POOLDECK_AUTHKEY)")
    message = _SHA256 + os.urandom(40)
    stream.write_frame(_CHALLENGE + message)
    answer = stream.read_frame()
    if not _same_digest(answer, _sha256_answer(authkey, message)):
        stream.write_frame(_FAILURE)
        raise AuthenticationError("the channel answered our challenge with another key")
    stream.write_frame(_WELCOME)


class Connection(object):
    """An authenticated channel: send(obj) and recv() carry JSON objects, one per line.

    `server` is the channel's welcome ({"type":"welcome","version":1,"minor":1}). recv() raises
    EOFError when the channel closed. Use it in a with block, or close() it.
    """

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()
        self.server = None

    def send(self, obj):
        line = _dumps(obj).encode("ascii") + b"\n"
        with self._lock:
            self._stream.write(line)

    def recv(self):
        stream = self._stream
        while True:
            end = stream.buffer.find(b"\n")
            if end >= 0:
                line, stream.buffer = stream.buffer[:end], stream.buffer[end + 1:]
                if line.strip():
                    return json.loads(line)
                continue
            stream.buffer += stream.read_some()

    def close(self):
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def connect(address=None, authkey=None, welcome=True):
    """Connect to the app's channel and say hello; returns a Connection.

    address defaults to POOLDECK_ADDRESS, authkey (bytes) to POOLDECK_AUTHKEY: both are set for every
    process the app starts, and for their descendants. Raises AuthenticationError for a wrong key.
    With welcome=False the app's welcome is left unread (connection.server stays None): for a
    connection that only sends, such as the multiprocessing inspector's, which connects from forked
    pool workers, where each Python function run for the first time costs a copied page.
    """
    address = address if address is not None else os.environ.get("POOLDECK_ADDRESS")
    if authkey is None:
        key_hex = os.environ.get("POOLDECK_AUTHKEY")
        authkey = bytes.fromhex(key_hex) if key_hex else None
    if not address or authkey is None:
        raise RuntimeError(
            "pooldeck_worker.connect(): no channel (POOLDECK_ADDRESS and POOLDECK_AUTHKEY are not both set). "
            "Run this program from Pooldeck, or pass address= and authkey=."
        )
    stream = _Stream(address)
    try:
        _handshake(stream, authkey)
        connection = Connection(stream)
        stream.write(_HELLO % os.getpid())
        if welcome:
            connection.server = connection.recv()
    except BaseException:
        stream.close()
        raise
    return connection
