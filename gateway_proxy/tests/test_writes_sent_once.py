"""A write is sent to an upstream once: never again after any byte of it may have arrived.

The upstream is a real socket server keeping connections alive. It reads a
whole request and then closes the connection without answering when told to,
as a service that crashed or restarted after reading a POST would. The gateway
cannot know whether that write was acted on, so it must not send it again.
"""

import json
import socket
import threading

import pytest


class ClosingUpstream:
    """Keeps connections alive; after reading a request numbered in ``drop`` it closes without answering."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self.drop: set[int] = set()
        self.drop_methods: set[str] = set()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        rfile = conn.makefile("rb")
        with conn:
            while True:
                line = rfile.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while (header := rfile.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = rfile.read(int(headers.get("content-length", 0)))
                self.requests.append((method, target, headers, body))
                if len(self.requests) in self.drop or method in self.drop_methods:
                    return  # read it all, answered nothing
                payload = json.dumps({"n": len(self.requests)}).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )

    def count(self, method: str) -> int:
        return sum(1 for seen in self.requests if seen[0] == method)

    def close(self):
        self.closed = True
        self.server.close()


@pytest.fixture
def upstream(route, register):
    server = ClosingUpstream()
    register("monolith", server.url)
    route("/api/v1/", legacy_service="monolith", retries=1)
    yield server
    server.close()


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_read_by_an_upstream_that_then_closes_its_kept_alive_connection_is_not_sent_again(
    gateway, upstream, method
):
    assert gateway.get("/api/v1/warm").status == 200  # the connection is now kept alive in the pool
    upstream.drop = {2}

    response = gateway.request(method, "/api/v1/orders", body=b'{"item": 1}')

    assert response.status == 502
    assert response.json()["code"] == "bad_gateway"
    assert upstream.count(method) == 1


def test_a_write_to_an_upstream_that_closes_at_once_is_sent_once_on_a_fresh_connection_too(gateway, upstream):
    upstream.drop = {1}

    response = gateway.post("/api/v1/orders", body=b'{"item": 1}')

    assert response.status == 502
    assert upstream.count("POST") == 1


def test_a_write_with_an_idempotency_key_is_sent_again_on_a_fresh_connection(gateway, upstream):
    assert gateway.get("/api/v1/warm").status == 200
    upstream.drop = {2}

    response = gateway.post("/api/v1/orders", body=b'{"item": 1}', headers={"Idempotency-Key": "order-7"})

    assert response.status == 200
    assert upstream.count("POST") == 2
    assert {seen[2]["idempotency-key"] for seen in upstream.requests if seen[0] == "POST"} == {"order-7"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_idempotent_request_on_a_kept_alive_connection_found_closed_is_sent_again(
    gateway, upstream, method
):
    assert gateway.get("/api/v1/warm").status == 200
    upstream.drop = {2}

    response = gateway.request(method, "/api/v1/orders/1", body=b"{}" if method == "PUT" else b"")

    assert response.status == 200
    assert upstream.count(method) == (2 if method != "GET" else 3)
