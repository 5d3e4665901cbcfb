"""Metrics: the gateway counts what it answers, exports it on its own port, and never forwards /metrics."""

import urllib.request

import pytest

from common.messaging.testing import free_port
from common.observability import metrics
from gateway_proxy.routing import route_table


@pytest.fixture
def site(route, monolith):
    route("/", legacy_service="monolith")
    return monolith


@pytest.mark.parametrize("target", ["/metrics", "/metrics/", "/metrics?format=openmetrics"])
def test_metrics_of_a_service_are_refused_through_the_gateway(gateway, site, target):
    response = gateway.get(target)

    assert response.status == 404
    assert response.json()["code"] == "no_route"
    assert site.requests == []


def test_a_route_that_strips_its_prefix_cannot_reach_a_service_s_metrics_either(
    gateway, route, make_upstream, register
):
    shop = make_upstream("shop")
    register("shop", shop.url)
    route("/shop/", mode="extracted", legacy_service="", extracted_service="shop", extracted_prefix="/")

    assert gateway.get("/shop/metrics").status == 404
    assert gateway.get("/shop/items").status == 200
    assert [r["path"] for r in shop.requests] == ["/items"]


def test_other_paths_named_metrics_still_pass(gateway, site):
    assert gateway.get("/api/v1/learning/metrics").status == 200
    assert [r["path"] for r in site.requests] == ["/api/v1/learning/metrics"]


def test_the_gateway_s_metrics_are_scraped_on_its_own_port_with_requests_per_route_mode_and_status(
    gateway, site
):
    prefix = route_table.match("/learn/").prefix
    before = _sample(metrics.registry(), prefix, "legacy", "monolith", "200")
    assert gateway.get("/learn/").status == 200
    assert gateway.get("/metrics").status == 404

    port = free_port()
    metrics.serve(port, addr="127.0.0.1")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        scraped = response.read().decode()

    labels = f'mode="legacy",route="{prefix}",service="monolith",status="200"'
    assert f"polycode_gateway_requests_total{{{labels}}} {before + 1}" in scraped
    # The refused scrape is counted as the gateway's own answer, never as the service's.
    assert 'route="/",service="gateway",status="404"}' in scraped
    assert f'polycode_gateway_request_seconds_count{{route="{prefix}",service="monolith"}}' in scraped


def _sample(registry, route, mode, service, status) -> float:
    value = registry.get_sample_value(
        "polycode_gateway_requests_total",
        {"route": route, "mode": mode, "service": service, "status": status},
    )
    return value or 0.0
