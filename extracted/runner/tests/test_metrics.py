"""The runner's /metrics: requests, and verdicts and run times per language."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from extracted.runner.tests.test_api import HELLO, post


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.sandbox
def test_a_run_is_counted_by_language_and_verdict_and_timed(api_client, settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True  # Prometheus scrapes without an assertion
    verdict = (
        "polycode_runner_verdicts_total",
        (("kind", "run"), ("language", "python"), ("verdict", "accepted")),
    )
    timed = ("polycode_runner_run_seconds_count", (("kind", "run"), ("language", "python")))
    before = scrape(api_client)
    settings.REQUIRE_GATEWAY_ASSERTION = False

    assert post(api_client, "/api/runs", HELLO).json()["verdict"] == "accepted"

    settings.REQUIRE_GATEWAY_ASSERTION = True
    after = scrape(api_client)
    assert after[verdict] == before.get(verdict, 0) + 1
    assert after[timed] == before.get(timed, 0) + 1
    assert any(name == "django_http_requests_total_by_method_total" for name, _ in after)
