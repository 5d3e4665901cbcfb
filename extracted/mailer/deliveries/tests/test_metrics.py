"""The mailer's /metrics: mails sent and failed, scraped without an identity assertion."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from extracted.mailer.deliveries.services import delivery_send
from extracted.mailer.deliveries.tests.factories import mail_message

pytestmark = pytest.mark.django_db


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_mails_sent_and_failed_are_counted_by_kind(client, settings, smtp):
    settings.REQUIRE_GATEWAY_ASSERTION = True  # Prometheus scrapes without an assertion
    sent = ("polycode_mails_total", (("kind", "team_member_added"), ("result", "sent")))
    dead = ("polycode_mails_total", (("kind", "team_member_added"), ("result", "dead")))
    before = scrape(client)
    smtp.refuse("nobody@example.com", "550 5.1.1 No such user")

    assert delivery_send(message=mail_message("team_member_added"), last_attempt=False).status == "sent"
    refused = mail_message("team_member_added", to="nobody@example.com")
    assert delivery_send(message=refused, last_attempt=False).status == "dead"

    after = scrape(client)
    assert after[sent] == before.get(sent, 0) + 1
    assert after[dead] == before.get(dead, 0) + 1
    assert any(name == "django_http_requests_total_by_method_total" for name, _ in after)
