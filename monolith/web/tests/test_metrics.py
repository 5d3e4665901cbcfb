"""The monolith's /metrics: answered without an identity assertion, requests counted per view."""

import pytest
from prometheus_client.parser import text_string_to_metric_families


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.django_db
def test_requests_are_counted_per_view_and_the_domain_metrics_are_exported(client, settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True  # Prometheus scrapes without an assertion
    health = (
        "django_http_requests_total_by_view_transport_method_total",
        (("method", "GET"), ("transport", "http"), ("view", "health")),
    )
    before = scrape(client).get(health, 0)

    assert client.get("/health").status_code == 200

    after = scrape(client)
    assert after[health] == before + 1
    response = client.get("/metrics")
    assert b"# TYPE polycode_outbox_lag_seconds histogram" in response.content
