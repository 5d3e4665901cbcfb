"""Upstream down, slow or broken: the right JSON 5xx, retries, circuit breaking."""

import threading
import time

import pytest

from common.messaging.testing import free_port


@pytest.fixture
def api(route, monolith):
    route("/api/v1/", legacy_service="monolith", timeout_seconds=0.3, retries=0)
    return monolith


def test_an_upstream_that_is_down_is_a_502_json(gateway, route, register):
    register("monolith", f"http://127.0.0.1:{free_port()}")
    route("/api/v1/", legacy_service="monolith")

    response = gateway.get("/api/v1/x")

    assert response.status == 502
    assert response.json()["code"] == "upstream_unreachable"
    assert response.header("Content-Type") == "application/json"


def test_a_slow_upstream_is_a_504_json(gateway, api):
    api.mode, api.delay = "slow", 1.0

    started = time.monotonic()
    response = gateway.get("/api/v1/x")

    assert response.status == 504
    assert response.json()["code"] == "upstream_timeout"
    assert time.monotonic() - started < 0.9


def test_an_upstream_answering_garbage_is_a_502_json(gateway, api):
    api.mode = "garbage"

    response = gateway.get("/api/v1/x")

    assert response.status == 502
    assert response.json()["code"] == "bad_gateway"


def test_an_upstream_error_answer_is_passed_on_unchanged(gateway, api):
    api.mode, api.status, api.body = "json", 500, {"code": "server_error", "detail": "boom"}

    response = gateway.get("/api/v1/x")

    assert response.status == 500
    assert response.json()["detail"] == "boom"


def test_an_idempotent_request_is_retried_on_another_instance(gateway, route, monolith, register):
    register("monolith", f"http://127.0.0.1:{free_port()}", monolith.url)
    route("/api/v1/", legacy_service="monolith", retries=1)

    statuses = [gateway.get("/api/v1/x").status for _ in range(4)]

    assert statuses == [200, 200, 200, 200]


def test_a_post_is_never_retried(gateway, route, monolith, register):
    register("monolith", f"http://127.0.0.1:{free_port()}", monolith.url)
    route("/api/v1/", legacy_service="monolith", retries=1)

    statuses = sorted(gateway.post("/api/v1/x", body=b"{}").status for _ in range(2))

    assert statuses == [200, 502]
    assert len(monolith.requests) == 1


def test_the_circuit_opens_after_repeated_failures_and_closes_when_the_upstream_recovers(
    gateway, api, settings
):
    api.mode = "garbage"
    for _ in range(settings.GATEWAY_BREAKER_FAILURES):
        assert gateway.get("/api/v1/x").status == 502
    calls_when_open = len(api.requests)

    refused = gateway.get("/api/v1/x")

    assert refused.status == 503
    assert refused.json()["code"] == "circuit_open"
    assert int(refused.header("Retry-After")) >= 1
    assert len(api.requests) == calls_when_open  # the open circuit did not call it

    api.mode = "echo"
    time.sleep(settings.GATEWAY_BREAKER_COOLDOWN + 0.05)
    assert gateway.get("/api/v1/x").status == 200  # the trial request closes it
    assert gateway.get("/api/v1/x").status == 200


def test_a_failed_trial_opens_the_circuit_again(gateway, api, settings):
    api.mode = "garbage"
    for _ in range(settings.GATEWAY_BREAKER_FAILURES):
        gateway.get("/api/v1/x")
    time.sleep(settings.GATEWAY_BREAKER_COOLDOWN + 0.05)

    assert gateway.get("/api/v1/x").status == 502  # the trial
    assert gateway.get("/api/v1/x").status == 503


def test_while_the_trial_request_is_under_way_other_requests_are_refused(gateway, api, settings):
    settings.GATEWAY_ROUTE_TTL = 60  # the route table is read once, in this thread (it sees the test's rows)
    api.mode = "garbage"
    for _ in range(settings.GATEWAY_BREAKER_FAILURES):
        gateway.get("/api/v1/x")
    api.mode, api.delay = "slow", 0.2
    time.sleep(settings.GATEWAY_BREAKER_COOLDOWN + 0.05)
    trial = {}
    thread = threading.Thread(target=lambda: trial.update(response=gateway.get("/api/v1/trial")))
    thread.start()
    deadline = time.monotonic() + 2
    while not any(r["path"] == "/api/v1/trial" for r in api.requests) and time.monotonic() < deadline:
        time.sleep(0.005)

    meanwhile = gateway.get("/api/v1/x")
    thread.join()

    assert meanwhile.status == 503
    assert meanwhile.json()["code"] == "circuit_open"
    assert trial["response"].status == 200
    assert gateway.get("/api/v1/x").status == 200  # the trial closed the circuit


def test_a_route_to_an_unregistered_service_is_503_no_instance(gateway, db, register):
    from gateway_proxy.models import Route
    from gateway_proxy.routing import route_table

    register("monolith", "http://127.0.0.1:1")
    Route.objects.update_or_create(prefix="/api/v1/", defaults={"legacy_service": "ghost"})  # no validation
    route_table.invalidate()

    response = gateway.get("/api/v1/x")

    assert response.status == 503
    assert response.json()["code"] == "no_instance"
