"""A small HTTP/1.1 client for upstream calls: persistent connections, one pool per instance.

The gateway's upstreams are services it knows, on a private network, speaking
plain HTTP/1.1. For them a general-purpose client spends most of its time on
things the gateway does not need (an email-module header parser, several
layers of wrappers); this one writes the request in one ``sendall``, parses the
status line and headers itself, and frames the body by ``Content-Length``,
chunked encoding or connection close. Connections are reused LIFO and checked
for a half-closed peer before reuse.
"""

import select
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator

MAX_LINE = 65536
MAX_HEADERS = 100
_NO_BODY_STATUSES = frozenset({204, 304})


class UpstreamError(Exception):
    """The upstream misbehaved (reset, closed early, not HTTP)."""


class ConnectFailed(UpstreamError):
    """No connection could be made (refused, unreachable)."""


class ConnectTimeout(UpstreamError):
    pass


class ReadTimeout(UpstreamError):
    pass


class BodyIncomplete(Exception):
    """The request body could not be read from its source (ended early, failed): not the upstream's fault."""


class Headers:
    """Response headers in order, looked up case-insensitively."""

    __slots__ = ("_index", "_items")

    def __init__(self, items: list[tuple[str, str]]):
        self._items = items
        self._index = {name.lower(): value for name, value in items}

    def items(self) -> list[tuple[str, str]]:
        return self._items

    def get(self, name: str, default=None):
        return self._index.get(name.lower(), default)


class Connection:
    __slots__ = ("closed", "rfile", "sock")

    def __init__(self, host: str, port: int, *, connect_timeout: float, tls: bool):
        try:
            sock = socket.create_connection((host, port), timeout=connect_timeout)
        except TimeoutError as exc:
            raise ConnectTimeout(f"connect to {host}:{port} timed out") from exc
        except OSError as exc:
            raise ConnectFailed(f"cannot connect to {host}:{port}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.rfile = sock.makefile("rb", buffering=65536)
        self.closed = False

    def is_dropped(self) -> bool:
        """An idle connection that is readable has been closed (or sent junk) by the peer."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.rfile.close()
            finally:
                self.sock.close()


class Response:
    """A response whose body is read on demand; give the connection back with ``release_conn``."""

    def __init__(self, pool: "Pool", conn: Connection, method: str):
        self._pool = pool
        self._conn = conn
        self._done = False
        rfile = conn.rfile
        while True:
            line = _readline(rfile)
            if not line:
                raise UpstreamError("the connection closed before a response")
            parts = line.split(None, 2)
            if (
                len(parts) < 2
                or not parts[0].startswith(b"HTTP/1.")
                or not parts[1].isdigit()
                or len(parts[1]) != 3
            ):
                raise UpstreamError(f"not an HTTP response: {line[:60]!r}")
            self.version = parts[0]
            self.status = int(parts[1])
            self.reason = parts[2].strip().decode("latin-1") if len(parts) > 2 else ""
            self.headers = _read_headers(rfile)
            if self.status == 101:
                raise UpstreamError("protocol upgrades are not proxied")
            if self.status >= 200:
                break
        connection = (self.headers.get("Connection") or "").lower()
        self.will_close = "close" in connection or (
            self.version == b"HTTP/1.0" and "keep-alive" not in connection
        )
        self.chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        length = self.headers.get("Content-Length")
        self.length: int | None = None
        if method == "HEAD" or self.status in _NO_BODY_STATUSES:
            self.length = 0
            self.chunked = False
        elif not self.chunked and length is not None:
            if not length.strip().isdigit():
                raise UpstreamError("invalid Content-Length")
            self.length = int(length)
        elif not self.chunked:
            self.will_close = True  # the body ends when the connection does
        if self.length == 0:
            self._done = True

    def stream(self, amount: int = 65536, decode_content: bool = False) -> Iterator[bytes]:
        rfile = self._conn.rfile
        try:
            if self.chunked:
                yield from self._chunks(rfile)
            elif self.length is not None:
                remaining = self.length
                while remaining > 0:
                    data = rfile.read1(min(amount, remaining))
                    if not data:
                        raise UpstreamError("the body ended early")
                    remaining -= len(data)
                    yield data
            else:
                while data := rfile.read1(amount):
                    yield data
        except TimeoutError as exc:
            raise ReadTimeout("reading the body timed out") from exc
        except OSError as exc:
            raise UpstreamError(f"reading the body failed: {exc}") from exc
        self._done = True

    def _chunks(self, rfile) -> Iterator[bytes]:
        while True:
            size_line = _readline(rfile).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as exc:
                raise UpstreamError("invalid chunk size") from exc
            if size == 0:
                while _readline(rfile) not in (b"\r\n", b"\n", b""):
                    pass  # trailers are dropped
                return
            data = rfile.read(size)
            if len(data) != size or _readline(rfile) not in (b"\r\n", b"\n"):
                raise UpstreamError("a chunk ended early")
            yield data

    def read(self) -> bytes:
        if self._done:
            return b""
        return b"".join(self.stream())

    def close(self) -> None:
        """Abandon the response: the connection cannot be reused."""
        self._done = False
        self.will_close = True
        self._conn.close()

    def release_conn(self) -> None:
        conn, self._conn = self._conn, _CLOSED
        if conn is _CLOSED:
            return
        if self._done and not self.will_close and not conn.closed:
            self._pool.put(conn)
        else:
            conn.close()


class _Closed:
    closed = True
    rfile = None

    def close(self):
        pass


_CLOSED = _Closed()


def _readline(rfile) -> bytes:
    try:
        line = rfile.readline(MAX_LINE + 1)
    except TimeoutError as exc:
        raise ReadTimeout("the upstream did not answer in time") from exc
    except OSError as exc:
        raise UpstreamError(f"the connection failed: {exc}") from exc
    if len(line) > MAX_LINE:
        raise UpstreamError("a line of the response is too long")
    return line


def _read_headers(rfile) -> Headers:
    items = []
    while True:
        line = _readline(rfile)
        if line in (b"\r\n", b"\n"):
            return Headers(items)
        if not line:
            raise UpstreamError("the connection closed inside the headers")
        if line[:1] in (b" ", b"\t"):
            raise UpstreamError("folded header lines are not accepted")
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise UpstreamError("malformed header line")
        items.append((name.decode("latin-1"), value.strip().decode("latin-1")))
        if len(items) > MAX_HEADERS:
            raise UpstreamError("too many headers")


class Pool:
    """Idle keep-alive connections to one upstream instance."""

    def __init__(self, host: str, port: int, *, tls: bool = False, maxsize: int = 32):
        self.host = host
        self.port = port
        self.tls = tls
        self.maxsize = maxsize
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self.host_header = host if port in (80, 443) else f"{host}:{port}"

    def get(self, connect_timeout: float) -> tuple[Connection, bool]:
        """(connection, reused)."""
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return Connection(self.host, self.port, connect_timeout=connect_timeout, tls=self.tls), False
            if not conn.is_dropped():
                return conn, True
            conn.close()

    def put(self, conn: Connection) -> None:
        with self._lock:
            if len(self._idle) < self.maxsize:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def request(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes | Iterable[bytes] | None,
        *,
        connect_timeout: float,
        read_timeout: float,
        resend: bool = False,
    ) -> Response:
        """Send one request and read the status line and headers of its response.

        ``resend``: the request may be sent again on a fresh connection when a
        kept-alive one turns out closed. Only for requests the upstream may
        receive twice (idempotent, or carrying an ``Idempotency-Key``): once a
        byte has been written, nothing tells whether the upstream read and acted
        on it before the connection closed.
        """
        head = [f"{method} {target} HTTP/1.1\r\n"]
        head.extend(f"{name}: {value}\r\n" for name, value in headers.items())
        head.append("\r\n")
        data = "".join(head).encode("latin-1")
        replayable = body is None or isinstance(body, bytes)
        if isinstance(body, bytes):
            data += body
        for attempt in (1, 2):
            conn, reused = self.get(connect_timeout)
            try:
                conn.sock.settimeout(read_timeout)
                conn.sock.sendall(data)
                if not replayable:
                    for chunk in body:
                        conn.sock.sendall(chunk)
                return Response(self, conn, method)
            except BodyIncomplete:
                conn.close()  # the upstream holds part of a request: this connection is spoiled
                raise
            except (UpstreamError, OSError) as exc:
                conn.close()
                # A kept-alive connection the peer closed meanwhile: one fresh
                # connection may be tried, if receiving the request twice is harmless.
                stale = reused and attempt == 1 and replayable and resend and not isinstance(exc, ReadTimeout)
                if stale and (isinstance(exc, OSError) or "closed before a response" in str(exc)):
                    continue
                if isinstance(exc, TimeoutError):
                    raise ReadTimeout("the upstream did not answer in time") from exc
                if isinstance(exc, UpstreamError):
                    raise
                raise UpstreamError(f"the connection failed: {exc}") from exc
        raise UpstreamError("unreachable")
