"""WebSocket upgrades through the gateway, on the routes marked ``websocket`` only.

The upgrade request takes the ordinary path first (safe path, route, rate limits,
identity, Origin) and only then reaches here: the handshake is forwarded to one
instance of the route's service with the same end-to-end headers and a fresh
identity assertion as any proxied request, the upstream's answer is relayed,
and once the upstream switched protocols (101) the bytes of both directions are
copied between the client's socket and the upstream's until either side closes.
The frames are not read: the protocol is between the browser and the service.

This needs the socket of the client: the gunicorn gevent workers of the Procfile
hand it over as ``environ["gunicorn.socket"]`` and the connection is then this
module's (``ALREADY_HANDLED`` tells gunicorn to write nothing more on it). Each
direction is a greenlet; a worker holds as many open sockets as its
``--worker-connections``.
"""

import contextlib
import logging
import socket
import ssl

from django.conf import settings

from common.registry import NoInstance, UnknownService, get_registry
from gateway_proxy.proxy import errors, headers
from gateway_proxy.proxy.errors import EdgeError

logger = logging.getLogger(__name__)

MAX_HEAD_BYTES = 16 * 1024
MAX_REFUSAL_BODY = 64 * 1024
CHUNK = 64 * 1024


def requested(environ) -> bool:
    """Does the client ask to switch protocols? An ``Upgrade`` named in ``Connection`` (RFC 9110
    7.8); a stray ``Upgrade`` header alone asks nothing and is dropped as hop-by-hop."""
    return bool(environ.get("HTTP_UPGRADE", "").strip()) and "upgrade" in headers.connection_tokens(
        environ.get("HTTP_CONNECTION")
    )


def refused() -> EdgeError:
    return EdgeError(400, "upgrade_refused", "This address does not switch protocols.")


def _check_handshake(environ, method: str) -> None:
    if environ.get("HTTP_UPGRADE", "").strip().lower() != "websocket":
        raise EdgeError(400, "upgrade_refused", "Only WebSocket upgrades are proxied here.")
    if method != "GET":
        raise EdgeError(400, "invalid_upgrade", "A WebSocket handshake is a GET.")
    if not environ.get("HTTP_SEC_WEBSOCKET_KEY") or environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13":
        raise EdgeError(
            400, "invalid_upgrade", "Sec-WebSocket-Key and Sec-WebSocket-Version 13 are required."
        )


def _connect(service: str, timeout: float):
    try:
        instance = get_registry().choose(service)
    except (NoInstance, UnknownService) as exc:
        raise errors.unavailable("no_instance", f"No instance of {service} is available.") from exc
    try:
        sock = socket.create_connection(
            (instance.host, instance.port), timeout=settings.GATEWAY_CONNECT_TIMEOUT
        )
    except OSError as exc:
        raise errors.unreachable(service) from exc
    if instance.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=instance.host)
    sock.settimeout(timeout)
    return instance, sock


def _head(sent: dict[str, str], *, netloc: str, path: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {netloc}", "Upgrade: websocket", "Connection: Upgrade"]
    for name, value in sent.items():
        if "\r" in value or "\n" in value:
            raise EdgeError(400, "invalid_header", f"Header {name} is not valid.")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_head(sock) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, bytes read past the head) of the upstream's answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(CHUNK)
        if not chunk:
            raise errors.bad_gateway("The upstream closed the connection during the handshake.")
        data += chunk
        if len(data) > MAX_HEAD_BYTES:
            raise errors.bad_gateway("The upstream's handshake answer is too long.")
    head, rest = data.split(b"\r\n\r\n", 1)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise errors.bad_gateway()
    pairs = []
    for line in header_lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise errors.bad_gateway()
        pairs.append((name.strip(), value.strip()))
    return int(parts[1]), pairs, rest


def _read_refusal_body(sock, pairs, rest: bytes) -> bytes:
    length = next((v for n, v in pairs if n.lower() == "content-length"), None)
    if length is None or not length.isdigit():
        return b""
    wanted = min(int(length), MAX_REFUSAL_BODY)
    while len(rest) < wanted:
        chunk = sock.recv(CHUNK)
        if not chunk:
            break
        rest += chunk
    return rest[:wanted]


def _pipe(source, sink) -> None:
    try:
        while True:
            data = source.recv(CHUNK)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (sink, source):  # wakes the other direction up
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def splice(client, upstream) -> None:
    """Copy bytes both ways until either side closes; returns when both directions ended."""
    import gevent  # the gateway's workers are gevent's (Procfile): sockets are cooperative

    client.settimeout(None)
    upstream.settimeout(None)
    greenlets = [gevent.spawn(_pipe, client, upstream), gevent.spawn(_pipe, upstream, client)]
    gevent.joinall(greenlets)


def proxy(environ, *, method: str, service: str, path: str, sent: dict[str, str], timeout: float, request_id):
    """Forward the handshake and, on 101, splice. Returns (status, headers, body, upgraded)."""
    _check_handshake(environ, method)
    client = environ.get("gunicorn.socket")
    if client is None:
        raise EdgeError(501, "websocket_unsupported", "This server cannot switch protocols.")
    instance, upstream = _connect(service, timeout)
    try:
        try:
            upstream.sendall(_head(sent, netloc=instance.netloc, path=path))
            status, pairs, rest = _read_head(upstream)
        except TimeoutError as exc:
            raise errors.timeout(service, timeout) from exc
        except OSError as exc:
            raise errors.bad_gateway(f"The {service} service broke off the handshake.") from exc
        if status != 101:
            body = _read_refusal_body(upstream, pairs, rest)
            kept = [(n, v) for n, v in headers.response_headers(pairs) if n.lower() != "content-length"]
            return status, [*kept, ("Content-Length", str(len(body)))], [body], False
        answer = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"]
        answer += [f"{n}: {v}" for n, v in headers.response_headers(pairs)]
        answer.append(f"X-Request-ID: {request_id}")
        client.sendall(("\r\n".join(answer) + "\r\n\r\n").encode("latin-1") + rest)
        splice(client, upstream)
        return 101, [], [], True
    finally:
        upstream.close()


def handled(environ):
    """What the WSGI application returns once the connection was spliced: gunicorn writes nothing
    more on the client's socket (already shut down, so its keep-alive loop ends there)."""
    from gunicorn.workers.base_async import ALREADY_HANDLED

    client = environ.get("gunicorn.socket")
    if client is not None:
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_RDWR)
    return ALREADY_HANDLED
