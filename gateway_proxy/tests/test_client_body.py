"""A client that sends less body than it declared (or whose body cannot be read) fails alone.

Its request is a 400 ``incomplete_body``; the upstream is not blamed (the circuit stays
closed), the request is not retried, and the upstream connection is not reused.
"""

import io
import time

import pytest

from common.registry import get_registry
from gateway_proxy.proxy.upstream import upstreams

STREAMED = 300 * 1024  # over GATEWAY_BUFFER_BYTES: streamed while the upstream call is under way
BUFFERED = 10  # read whole before the upstream call


@pytest.fixture
def api(route, monolith):
    route("/api/v1/", legacy_service="monolith", timeout_seconds=0.3, retries=1)
    return monolith


class BrokenInput:
    """A client body stream that gives ``good`` bytes, then fails as a dropped socket does."""

    def __init__(self, good: int, error: Exception):
        self.left = good
        self.error = error

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.left:
            raise self.error
        self.left -= size
        return b"x" * size


def instance_of(server):
    return next(i for i in get_registry().instances("monolith") if i.url.rstrip("/") == server.url)


def breaker_of(server):
    return upstreams.breaker(instance_of(server))


@pytest.mark.parametrize("declared", [STREAMED, BUFFERED], ids=["streamed", "buffered"])
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_short_bodies_do_not_open_the_circuit_and_the_next_request_is_served(
    gateway, api, settings, declared, method
):
    started = time.monotonic()
    for _ in range(settings.GATEWAY_BREAKER_FAILURES + 2):
        response = gateway.request(method, "/api/v1/x", body=b"{}", headers={"Content-Length": str(declared)})

        assert response.status == 400
        assert response.json()["code"] == "incomplete_body"
    assert time.monotonic() - started < 0.3 * settings.GATEWAY_BREAKER_FAILURES  # no upstream timeout waited

    served = gateway.get("/api/v1/anything")

    assert served.status == 200
    assert served.json()["path"] == "/api/v1/anything"
    assert breaker_of(api).failures == 0


def test_a_short_buffered_body_never_reaches_the_upstream(gateway, api):
    response = gateway.post("/api/v1/x", body=b"{}", headers={"Content-Length": str(BUFFERED)})

    assert response.status == 400
    assert api.requests == []


def test_a_short_streamed_body_is_not_retried_and_its_upstream_connection_is_closed(gateway, api):
    response = gateway.request("PUT", "/api/v1/x", body=b"{}", headers={"Content-Length": str(STREAMED)})

    assert response.status == 400
    deadline = time.monotonic() + 2
    while not api.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    # The upstream saw its connection end after the two bytes sent, once.
    assert [r["body"] for r in api.requests] == [b"{}"]
    assert all(conn is None for conn in upstreams.pool(instance_of(api)).pool.queue)  # none kept alive


@pytest.mark.parametrize("declared", [STREAMED, BUFFERED], ids=["streamed", "buffered"])
@pytest.mark.parametrize("error", [ConnectionResetError(104, "reset"), TimeoutError("timed out")])
def test_a_client_body_that_cannot_be_read_is_a_400_and_not_an_upstream_failure(
    gateway, api, settings, declared, error
):
    for _ in range(settings.GATEWAY_BREAKER_FAILURES):
        response = gateway.post(
            "/api/v1/x",
            stream=BrokenInput(min(64 * 1024, declared - 1), error),
            headers={"Content-Length": str(declared)},
        )

        assert response.status == 400
        assert response.json()["code"] == "incomplete_body"

    assert gateway.get("/api/v1/x").status == 200
    assert breaker_of(api).failures == 0


def test_a_chunked_body_that_cannot_be_read_is_a_400(gateway, api):
    response = gateway.post(
        "/api/v1/x",
        stream=BrokenInput(3, ConnectionResetError(104, "reset")),
        headers={"Transfer-Encoding": "chunked"},
    )

    assert response.status == 400
    assert response.json()["code"] == "incomplete_body"
    assert api.requests == []


def test_a_trial_request_with_a_short_body_leaves_the_next_request_to_try(gateway, api, settings):
    api.mode = "garbage"
    for _ in range(settings.GATEWAY_BREAKER_FAILURES):
        gateway.get("/api/v1/x")
    assert gateway.get("/api/v1/x").json()["code"] == "circuit_open"
    api.mode = "echo"
    time.sleep(settings.GATEWAY_BREAKER_COOLDOWN + 0.05)

    trial = gateway.post("/api/v1/x", body=b"{}", headers={"Content-Length": str(STREAMED)})

    assert trial.status == 400
    assert gateway.get("/api/v1/x").status == 200  # not stuck half-open
    assert gateway.get("/api/v1/x").status == 200


def test_a_complete_streamed_body_is_still_forwarded(gateway, api):
    response = gateway.post(
        "/api/v1/x", stream=io.BytesIO(b"y" * STREAMED), headers={"Content-Length": str(STREAMED)}
    )

    assert response.status == 200
    assert api.requests[-1]["body"] == b"y" * STREAMED
