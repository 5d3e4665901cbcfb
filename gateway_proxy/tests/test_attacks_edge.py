"""Attacks on the gateway as deployed: the Procfile's server and workers, production settings.

One gateway (gunicorn as the Procfile starts it, two worker processes) in front of
a real echo upstream registered as the monolith; each test is a request no
well-behaved client sends.
"""

import json
import socket
import statistics
import time

import pytest
import requests

from gateway_proxy.tests.production import GatewayProcess
from gateway_proxy.tests.servers import Upstream
from gateway_proxy.tests.test_writes_sent_once import ClosingUpstream


@pytest.fixture(scope="module")
def closing():
    """The shop: reads every POST whole, then closes its kept-alive connection without answering."""
    server = ClosingUpstream()
    server.drop_methods = {"POST"}
    yield server
    server.close()


@pytest.fixture(scope="module")
def edge(tmp_path_factory, closing):
    upstream = Upstream("monolith")
    gateway = GatewayProcess(
        tmp_path_factory.mktemp("edge-prod"), SERVICE_URL_MONOLITH=upstream.url, SERVICE_URL_SHOP=closing.url
    )
    yield gateway, upstream
    gateway.stop()
    upstream.close()


@pytest.fixture
def echo(edge):
    gateway, upstream = edge
    upstream.requests.clear()
    return gateway, upstream


def forwarded_seen(upstream) -> dict:
    headers = {k.lower(): v for k, v in upstream.requests[-1]["headers"].items()}
    return {k: headers.get(k) for k in ("x-forwarded-proto", "x-forwarded-for", "x-forwarded-host")}


def test_a_clients_forwarded_headers_from_loopback_never_reach_the_services(echo):
    gateway, upstream = echo

    response = requests.get(
        f"{gateway.url}/api/v1/learning/modules/",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6",
                 "X-Forwarded-Host": "evil.example", "Forwarded": "for=6.6.6.6;proto=https",
                 "X-Real-IP": "6.6.6.6"},
        timeout=5,
    )  # fmt: skip

    assert response.status_code == 200
    seen = forwarded_seen(upstream)
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-forwarded-host"] == f"127.0.0.1:{gateway.port}"
    sent = {k.lower() for k in upstream.requests[-1]["headers"]}
    assert "forwarded" not in sent
    assert "x-real-ip" not in sent


def test_the_upstream_answer_is_the_echo_of_the_request(echo):
    gateway, _ = echo

    response = requests.post(f"{gateway.url}/api/v1/x", data=json.dumps({"a": 1}), timeout=5)

    assert response.status_code == 200
    assert response.json()["body"] == '{"a": 1}'


def slow_clients(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that sent part of their headers, and ``count`` part of a body; none finish."""
    held = []
    for _ in range(count):
        headers_only = socket.create_connection(("127.0.0.1", port), timeout=5)
        headers_only.sendall(b"GET /api/v1/x HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1")
        body = socket.create_connection(("127.0.0.1", port), timeout=5)
        body.sendall(b"POST /api/v1/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n{")
        held += [headers_only, body]
    return held


def test_slow_clients_do_not_hold_up_the_requests_of_others(echo):
    """32 connections stuck in their headers and 32 in their body, then ordinary requests (p50 printed)."""
    gateway, _ = echo
    held = slow_clients(gateway.port, 32)
    try:
        time.sleep(0.5)
        latencies = []
        with requests.Session() as session:
            for _ in range(40):
                started = time.perf_counter()
                response = session.get(f"{gateway.url}/api/v1/learning/modules/", timeout=5)
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    finally:
        for conn in held:
            conn.close()
    latencies.sort()
    print(f"with 64 slow clients: p50 {statistics.median(latencies):.1f} ms, max {latencies[-1]:.1f} ms")
    assert latencies[-1] < 1000


def test_the_gateways_own_pages_load_their_static_files_under_the_deployed_server(echo):
    gateway, _ = echo

    login = requests.get(f"{gateway.url}/gateway/admin/login/", timeout=5)
    stylesheet = requests.get(f"{gateway.url}/gateway/static/admin/css/base.css", timeout=5)
    home = requests.get(f"{gateway.url}/", timeout=5)

    assert login.status_code == 200
    assert "script-src 'self'" in login.headers["Content-Security-Policy"]
    assert stylesheet.status_code == 200
    assert "text/css" in stylesheet.headers["Content-Type"]
    assert "<style" not in home.text
    assert requests.get(f"{gateway.url}/gateway/static/gateway/home.css", timeout=5).status_code == 200


def test_a_write_is_sent_once_by_every_gateway_process_even_on_a_kept_alive_connection(edge, closing):
    gateway, _ = edge
    for _ in range(8):  # fresh connections: both gateway processes keep one to the shop alive
        assert requests.get(f"{gateway.url}/shop/admin/warm", timeout=5).status_code == 200
    before = closing.count("POST")

    # Four writes: fewer than the failures (5) that open a gateway process's circuit breaker, so
    # every one is sent (a breaker answering 503 without sending would prove nothing here).
    statuses = [
        requests.post(f"{gateway.url}/shop/admin/x", data=b"{}", timeout=10).status_code for _ in range(4)
    ]

    assert statuses == [502] * 4
    assert closing.count("POST") - before == 4


def test_a_token_in_the_query_string_is_refused_before_it_reaches_anything(echo):
    gateway, upstream = echo

    response = requests.get(f"{gateway.url}/api/v1/accounts/me?access_token=abc", timeout=5)

    assert response.status_code == 400
    assert response.json()["code"] == "token_in_query"
    assert upstream.requests == []
