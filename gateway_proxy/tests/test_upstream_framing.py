"""What crosses to and from an upstream on the wire: request framing, and answers a proxy must not pass on.

Large chunked client bodies are streamed on chunked; the gateway adds no header the
client did not send. Upstream answers that would mis-frame the client's connection or
leave bytes on a kept-alive one (interim statuses, conflicting or invalid lengths)
are a 502, and the next request is served on a clean connection; a folded header line
reaches the client unfolded (RFC 9112, 5.2).
"""

import io
import socket
import threading

import pytest

STREAMED = 300 * 1024  # over GATEWAY_BUFFER_BYTES


@pytest.fixture
def api(route, monolith):
    route("/api/v1/", legacy_service="monolith", retries=0)
    return monolith


def test_a_large_chunked_body_is_streamed_chunked_and_arrives_whole(gateway, api):
    body = bytes(range(256)) * (STREAMED // 256)

    response = gateway.post(
        "/api/v1/upload", stream=io.BytesIO(body), headers={"Transfer-Encoding": "chunked"}
    )

    assert response.status == 200
    seen = api.requests[-1]
    assert seen["body"] == body
    assert seen["headers"]["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in seen["headers"]


def test_a_chunked_body_over_the_limit_is_413_and_the_upstream_never_gets_it_whole(gateway, api, settings):
    settings.GATEWAY_MAX_BODY_BYTES = STREAMED + 1000

    response = gateway.post(
        "/api/v1/upload", stream=io.BytesIO(b"x" * (STREAMED * 2)), headers={"Transfer-Encoding": "chunked"}
    )

    assert response.status == 413
    assert response.json()["code"] == "payload_too_large"
    assert api.requests == []  # its chunked body never ended: no request was complete
    assert gateway.get("/api/v1/after").status == 200


def test_no_header_the_client_did_not_send_is_added(gateway, api):
    assert gateway.get("/api/v1/x").status == 200

    sent = {name.lower() for name in api.requests[-1]["headers"]}
    assert "user-agent" not in sent
    assert "accept-encoding" not in sent


def test_the_clients_user_agent_and_accept_encoding_are_passed_on(gateway, api):
    gateway.get("/api/v1/x", headers={"User-Agent": "curl/8", "Accept-Encoding": "gzip"})

    seen = api.requests[-1]["headers"]
    assert seen["User-Agent"] == "curl/8"
    assert seen["Accept-Encoding"] == "gzip"


class RawUpstream:
    """Answers each request on a kept-alive connection with the next of ``answers`` (raw bytes)."""

    def __init__(self, answers: list[bytes]):
        self.answers = answers
        self.served = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        rfile = conn.makefile("rb")
        with conn:
            while rfile.readline():
                while rfile.readline() not in (b"\r\n", b""):
                    pass
                answer = self.answers[min(self.served, len(self.answers) - 1)]
                self.served += 1
                conn.sendall(answer)

    def close(self):
        self.server.close()


OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + OK.replace(b"true", b"evil"),
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}",
    ],
    ids=["interim-103", "upgrade-101", "two-lengths", "bad-length"],
)
def test_an_answer_a_proxy_must_not_pass_on_is_a_502_and_the_next_request_is_clean(
    gateway, route, register, answer
):
    upstream = RawUpstream([answer, OK])
    register("monolith", upstream.url)
    route("/api/v1/", legacy_service="monolith", retries=0)
    try:
        refused = gateway.get("/api/v1/x")
        served = gateway.get("/api/v1/y")
    finally:
        upstream.close()

    assert refused.status == 502
    assert refused.json()["code"] == "bad_gateway"
    assert served.status == 200
    assert served.json() == {"ok": True}


def test_a_chunked_answer_with_a_length_is_passed_on_without_the_length(gateway, route, register):
    upstream = RawUpstream(
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n"]
    )
    register("monolith", upstream.url)
    route("/api/v1/", legacy_service="monolith")
    try:
        response = gateway.get("/api/v1/x")
    finally:
        upstream.close()

    assert response.status == 200
    assert response.body == b"hello"
    assert response.header("Content-Length") is None
    assert response.header("Transfer-Encoding") is None


def test_a_folded_header_reaches_the_client_on_one_line(gateway, route, register):
    upstream = RawUpstream([b"HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 2\r\n\r\n{}"])
    register("monolith", upstream.url)
    route("/api/v1/", legacy_service="monolith")
    try:
        response = gateway.get("/api/v1/x")
    finally:
        upstream.close()

    assert response.status == 200
    assert response.header("X-A") == "one two"
