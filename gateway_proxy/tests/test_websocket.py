"""WebSocket upgrades through the gateway as the Procfile runs it (gunicorn, gevent workers).

The upstream is a small WebSocket server on a loopback socket: it completes the
RFC 6455 handshake, records the handshake's headers and sends back every byte
it receives, so the test sees what crossed the gateway in each direction.
The pad's own protocol through the gateway is in the browser test (e2e/).
"""

import base64
import hashlib
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from common.identity import keys
from common.identity.assertion import verify
from common.messaging.testing import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
KEY = keys.generate_private_pem()
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class EchoWebSocket:
    """Accepts WebSocket handshakes on ``/pad/ws/…`` (403 for ``…/refused``), then echoes raw bytes."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.handshakes: list[tuple[str, dict[str, str]]] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            head, rest = data.split(b"\r\n\r\n", 1)
            request_line, *lines = head.decode("latin-1").split("\r\n")
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
            path = request_line.split(" ")[1]
            self.handshakes.append((path, fields))
            if not path.startswith("/pad/ws/") or path.endswith("/refused"):
                conn.sendall(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nContent-Type: text/plain\r\n\r\nrefused"
                )
                return
            key = fields["sec-websocket-key"].encode()
            accept = base64.b64encode(hashlib.sha1(key + GUID, usedforsecurity=False).digest())  # RFC 6455
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\nhello"
            )
            if rest:
                conn.sendall(rest)
            while chunk := conn.recv(4096):
                conn.sendall(chunk)

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    upstream = EchoWebSocket()
    monolith = socket.create_server(("127.0.0.1", 0))  # listens, never answers: must get nothing
    workdir = tmp_path_factory.mktemp("ws-edge")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gateway_proxy.settings.test",
        "GATEWAY_DATABASE_URL": f"sqlite:///{workdir / 'gateway.sqlite3'}",
        "POLYCODE_VAR_DIR": str(workdir),
        "SERVICE_URL_MONOLITH_WS": upstream.url,
        "SERVICE_URL_MONOLITH": f"http://127.0.0.1:{monolith.getsockname()[1]}",
        "GATEWAY_ASSERTION_PRIVATE_KEY": KEY,
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "gateway_proxy.wsgi:application", "-b", f"127.0.0.1:{port}", "-k", "gevent",
         "--worker-connections", "100", "-w", "1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    if not wait_for_port(port, 30):
        process.kill()
        pytest.fail("gunicorn did not start")
    yield port, upstream
    process.terminate()
    process.wait(timeout=10)
    upstream.close()
    monolith.close()


def handshake(path: str, *, origin: str | None = None, upgrade: str = "websocket") -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        "Host: localhost",
        f"Upgrade: {upgrade}",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "X-PolyCode-Identity: forged-by-the-client",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_head(conn) -> tuple[int, bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = [
        line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    ]
    if status != 101 and length:
        while len(rest) < int(length[0]):
            rest += conn.recv(4096)
    return status, head, rest


def test_the_pad_route_switches_protocols_and_carries_bytes_both_ways(edge):
    port, upstream = edge
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(handshake("/pad/ws/c/some-token", origin="http://localhost"))
        status, head, rest = read_head(conn)
        assert status == 101
        assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
        assert b"X-Request-ID:" in head
        while len(rest) < len(b"hello"):
            rest += conn.recv(4096)
        assert rest == b"hello"  # sent by the upstream right after its 101
        for message in (b"\x81\x85abcd" + b"x" * 5, b"second frame" * 1000):
            conn.sendall(message)
            echoed = b""
            while len(echoed) < len(message):
                echoed += conn.recv(65536)
            assert echoed == message

    path, fields = upstream.handshakes[-1]
    assert path == "/pad/ws/c/some-token"
    assert (fields["upgrade"], fields["connection"]) == ("websocket", "Upgrade")
    assert fields["sec-websocket-key"] == "dGhlIHNhbXBsZSBub25jZQ=="
    # The client's own assertion is dropped; the gateway's, for this service, is sent.
    identity = verify(
        fields["x-polycode-identity"], audience="monolith_ws", public_keys=keys.load_public_keys(KEY)
    )
    assert identity.anonymous
    assert fields["x-forwarded-for"] == "127.0.0.1"


def test_an_upstream_refusal_is_relayed(edge):
    port, _upstream = edge
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(handshake("/pad/ws/c/refused"))
        status, _head, rest = read_head(conn)
    assert (status, rest) == (403, b"refused")


@pytest.mark.parametrize(
    "path", ["/pad/candidate-page-token", "/api/v1/accounts/me", "/recruit/pads/", "/admin/"]
)
def test_an_upgrade_anywhere_else_is_refused_and_nothing_is_sent(edge, path):
    port, upstream = edge
    seen = len(upstream.handshakes)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(handshake(path))
        status, _head, rest = read_head(conn)
    assert status == 400
    assert b'"upgrade_refused"' in rest
    assert len(upstream.handshakes) == seen


def test_only_websocket_upgrades_are_proxied_on_the_pad_route(edge):
    port, upstream = edge
    seen = len(upstream.handshakes)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(handshake("/pad/ws/c/token", upgrade="h2c"))
        status, _head, rest = read_head(conn)
    assert status == 400
    assert b'"upgrade_refused"' in rest
    assert len(upstream.handshakes) == seen


def test_a_page_of_another_site_cannot_open_the_socket(edge):
    port, upstream = edge
    seen = len(upstream.handshakes)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(handshake("/pad/ws/c/token", origin="https://evil.example"))
        status, _head, _rest = read_head(conn)
    assert status == 403
    assert len(upstream.handshakes) == seen
