"""Shadow mode: legacy answers, extracted is compared in the background."""

import time

import pytest

from gateway_proxy.metrics import traffic
from gateway_proxy.models import ShadowMismatch, TrafficMinute
from gateway_proxy.shadow import diff, shadow_runner

pytestmark = pytest.mark.django_db(transaction=True)  # comparisons are written by another thread


@pytest.fixture
def shadowed(route, monolith, shop):
    route("/api/v1/shop/", mode="shadow", legacy_service="monolith", extracted_service="shop",
          shadow_ignore_fields=["id", "created_at"])  # fmt: skip
    return monolith, shop


def test_shadow_serves_legacy_and_records_a_planted_mismatch(gateway, shadowed):
    legacy, extracted = shadowed
    legacy.mode, legacy.body = "json", {"id": 1, "items": [{"sku": "hint", "price": 10}], "created_at": "a"}
    extracted.mode, extracted.body = (
        "json",
        {"id": 99, "items": [{"sku": "hint", "price": 12}], "created_at": "b"},
    )

    response = gateway.get("/api/v1/shop/items?page=1")

    assert response.json()["items"][0]["price"] == 10  # legacy's answer
    assert shadow_runner.wait_idle()
    mismatch = ShadowMismatch.objects.get()
    assert mismatch.route_prefix == "/api/v1/shop/"
    assert mismatch.path == "/api/v1/shop/items?page=1"
    assert mismatch.differences == [{"path": "$.items[0].price", "legacy": 10, "extracted": 12}]
    assert mismatch.request_id == response.header("X-Request-ID")
    assert len(extracted.requests) == 1


def test_equal_answers_up_to_volatile_fields_are_counted_but_not_recorded(gateway, shadowed):
    legacy, extracted = shadowed
    legacy.mode, legacy.body = "json", {"id": 1, "name": "hint", "created_at": "2026-01-01"}
    extracted.mode, extracted.body = "json", {"id": 2, "name": "hint", "created_at": "2026-02-02"}

    gateway.get("/api/v1/shop/items")
    assert shadow_runner.wait_idle()
    traffic.flush()

    assert not ShadowMismatch.objects.exists()
    row = TrafficMinute.objects.get(route_prefix="/api/v1/shop/", service="shop")
    assert (row.shadow_compared, row.shadow_mismatched) == (1, 0)


def test_a_slow_extracted_service_never_slows_the_response(gateway, shadowed):
    _legacy, extracted = shadowed
    extracted.mode, extracted.delay = "slow", 0.8

    started = time.monotonic()
    response = gateway.get("/api/v1/shop/items")

    assert response.status == 200
    assert time.monotonic() - started < 0.5
    assert shadow_runner.wait_idle()


def test_only_safe_methods_are_shadowed(gateway, shadowed):
    legacy, extracted = shadowed

    gateway.post("/api/v1/shop/orders", body=b'{"item": 1}')
    assert shadow_runner.wait_idle()

    assert len(legacy.requests) == 1
    assert extracted.requests == []


def test_a_failing_extracted_service_is_a_recorded_mismatch(gateway, shadowed):
    _legacy, extracted = shadowed
    extracted.mode = "garbage"

    assert gateway.get("/api/v1/shop/items").status == 200
    assert shadow_runner.wait_idle()

    mismatch = ShadowMismatch.objects.get()
    assert (mismatch.legacy_status, mismatch.extracted_status) == (200, 502)


def test_the_diff_ignores_volatile_fields_at_any_depth_and_reports_lengths():
    legacy = {"a": [{"id": 1, "v": 1}, {"id": 2, "v": 2}], "meta": {"request_id": "x"}}
    extracted = {"a": [{"id": 3, "v": 1}], "meta": {"request_id": "y"}}

    assert diff(legacy, extracted, ignore={"id", "request_id"}) == [
        {"path": "$.a.length", "legacy": 2, "extracted": 1}
    ]
