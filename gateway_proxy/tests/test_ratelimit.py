"""Rate limits per user and per IP: 429 with Retry-After, in Redis and in process."""

import os
import socket
import uuid

import pytest

from gateway_proxy import ratelimit
from gateway_proxy.ratelimit import LocalLimiter, RedisLimiter, Rule

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_limiter():
    if not redis_answers():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI requires Redis at 127.0.0.1:6379 for this test")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    limiter = RedisLimiter(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:")
    yield limiter
    for key in limiter.client.scan_iter(f"{limiter.prefix}*"):
        limiter.client.delete(key)


@pytest.fixture(params=["local", "redis"])
def limiter(request):
    if request.param == "local":
        return LocalLimiter()
    return request.getfixturevalue("redis_limiter")


@pytest.fixture
def limited(route, monolith):
    return route("/api/v1/", legacy_service="monolith", rate_limit_user=3, rate_limit_ip=5)


def test_the_limit_allows_a_burst_then_answers_429_with_retry_after(gateway, limited, limiter, issuer):
    ratelimit.reset_limiter(limiter)
    token = issuer.token(sub="77")

    statuses = [
        gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {token}"}).status for _ in range(3)
    ]
    refused = gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {token}"})

    assert statuses == [200, 200, 200]
    assert refused.status == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.header("Retry-After")) <= 20  # one token back every 60/3 s


def test_users_have_separate_buckets_but_share_their_ip_bucket(gateway, limited, limiter, issuer):
    ratelimit.reset_limiter(limiter)

    first = [gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {issuer.token(sub='1')}"}).status
             for _ in range(3)]  # fmt: skip
    second = [gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {issuer.token(sub='2')}"}).status
              for _ in range(3)]  # fmt: skip

    assert first == [200, 200, 200]
    assert second == [200, 200, 429]  # the IP allows 5


def test_anonymous_requests_are_limited_per_ip(gateway, limited, limiter):
    ratelimit.reset_limiter(limiter)

    statuses = [gateway.get("/api/v1/x", REMOTE_ADDR="10.0.0.1").status for _ in range(6)]
    other_ip = gateway.get("/api/v1/x", REMOTE_ADDR="10.0.0.2").status

    assert statuses == [200] * 5 + [429]
    assert other_ip == 200


def test_a_refused_request_takes_no_token():
    limiter = LocalLimiter(period=60)
    rules = [Rule("a", 1), Rule("b", 10)]

    assert limiter.hit(rules, now=0).allowed
    assert not limiter.hit(rules, now=1).allowed
    assert limiter.hit([Rule("b", 10)], now=1).allowed


def test_tokens_come_back_at_the_configured_rate():
    limiter = LocalLimiter(period=60)
    rule = [Rule("k", 60)]  # one per second, burst 60

    assert all(limiter.hit(rule, now=0).allowed for _ in range(60))
    decision = limiter.hit(rule, now=0)
    assert not decision.allowed
    assert decision.retry_after == pytest.approx(1.0)
    assert limiter.hit(rule, now=1.0).allowed


def test_when_redis_is_unreachable_the_limits_fall_back_to_the_process(gateway, limited):
    limiter = RedisLimiter("redis://127.0.0.1:1/0")
    ratelimit.reset_limiter(limiter)

    statuses = [gateway.get("/api/v1/x", REMOTE_ADDR="10.0.0.3").status for _ in range(6)]

    assert statuses == [200] * 5 + [429]


def test_invalid_bearer_tokens_are_limited_per_ip_before_they_are_verified(gateway, limited, issuer):
    statuses = [
        gateway.get("/api/v1/x", REMOTE_ADDR="10.0.0.4", headers={"Authorization": "Bearer not.a.jwt"}).status
        for _ in range(7)
    ]
    refused = gateway.get("/api/v1/x", REMOTE_ADDR="10.0.0.4", headers={"Authorization": "Bearer not.a.jwt"})
    other_ip = gateway.get("/api/v1/x", REMOTE_ADDR="10.0.0.5", headers={"Authorization": "Bearer not.a.jwt"})

    assert statuses == [401] * 5 + [429] * 2  # the IP allows 5
    assert refused.status == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.header("Retry-After")) <= 12  # one token back every 60/5 s
    assert other_ip.status == 401


@pytest.fixture
def dashboard_parts(settings, limited, monolith, shop, route):
    settings.GATEWAY_DASHBOARD_PART_TIMEOUT = 0.4
    route("/api/v1/shop/", mode="extracted", legacy_service="monolith", extracted_service="shop")
    monolith.mode, monolith.body = "json", {"username": "ada", "points": 1}
    shop.mode, shop.body = "json", {"items": []}
    return monolith, shop


def test_the_dashboard_is_limited_per_user_with_429_and_retry_after(gateway, dashboard_parts, issuer):
    monolith, _shop = dashboard_parts
    token = issuer.token(sub="88")

    statuses = [
        gateway.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"}).status
        for _ in range(3)
    ]
    calls_before = len(monolith.requests)
    refused = gateway.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"})

    assert statuses == [200, 200, 200]  # the user allows 3 on /api/v1/
    assert refused.status == 429
    assert refused.json() == {"code": "rate_limited", "detail": "Too many requests; try again later."}
    assert 1 <= int(refused.header("Retry-After")) <= 20
    assert len(monolith.requests) == calls_before  # refused before any upstream call


def test_the_dashboard_limits_invalid_tokens_per_ip(gateway, dashboard_parts, issuer):
    statuses = [
        gateway.get("/api/v1/dashboard", REMOTE_ADDR="10.0.0.6", headers={"Authorization": "Bearer x"}).status
        for _ in range(6)
    ]
    refused = gateway.get("/api/v1/dashboard", REMOTE_ADDR="10.0.0.6", headers={"Authorization": "Bearer x"})

    assert statuses == [401] * 5 + [429]
    assert refused.status == 429
    assert refused.header("Retry-After") is not None


def test_the_proxy_and_the_dashboard_share_the_route_s_buckets(gateway, dashboard_parts, issuer):
    token = issuer.token(sub="89")

    proxied = [
        gateway.get("/api/v1/x", headers={"Authorization": f"Bearer {token}"}).status for _ in range(3)
    ]
    dashboard = gateway.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"})

    assert proxied == [200, 200, 200]
    assert dashboard.status == 429
