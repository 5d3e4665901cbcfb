"""Observability of the saga: its tasks' logs carry the request id that caused them; metrics."""

import re
import urllib.request
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from common.messaging.testing import wait_until
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import learners_from

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _line(log: str, event: str, request_id: str) -> str | None:
    return next(
        (line for line in log.splitlines() if event in line and f"request_id={request_id}" in line), None
    )


def test_a_purchase_s_task_log_lines_carry_its_request_id_and_user(stack, mailer_worker, smtp):
    [ada] = learners_from(stack.account.tool("users", 1, 100, f"obs{uuid.uuid4().hex[:6]}_"))
    item = HintItemFactory(cost=30)
    request_id = f"purchase-{uuid.uuid4().hex}"
    client = ada.client()
    client.api.credentials(HTTP_X_REQUEST_ID=request_id)

    created = client.buy(item.id)
    assert created.status_code == 202
    assert created["X-Request-ID"] == request_id
    assert client.order(created.json()["id"], wait=10).json()["state"] == "completed"

    # The account worker ran the debit command the shop's request wrote to its outbox.
    debit = wait_until(
        lambda: _line(stack.account_worker.log(), "account.saga debit", request_id),
        timeout=20,
        what="the account worker's log line of the debit",
    )
    assert re.search(rf"\buser_id={ada.id}\b", debit), debit
    assert f"order={created.json()['id']}" in debit
    # The shop worker applied the reply the account worker published while handling it.
    reply = wait_until(
        lambda: _line(stack.shop_worker.log(), "shop.order completed", request_id),
        timeout=20,
        what="the shop worker's log line of the completed order",
    )
    assert re.search(rf"\buser_id={ada.id}\b", reply), reply
    # The receipt is sent too (and so not left in the queue for the next test's mail sink).
    wait_until(
        lambda: [m for m in smtp.mails() if created.json()["id"] in m.text], timeout=20, what="the receipt"
    )
    # The debit of another order names its own request, never this one.
    assert all(
        request_id not in line
        for line in stack.account_worker.log().splitlines()
        if "account.saga debit order=" in line and created.json()["id"] not in line
    )


def scrape(url_or_client) -> dict[tuple, float]:
    if isinstance(url_or_client, str):
        with urllib.request.urlopen(url_or_client, timeout=5) as response:  # noqa: S310 - loopback
            text = response.read().decode()
    else:
        response = url_or_client.get("/metrics")
        assert response.status_code == 200
        text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_workers_export_saga_outcomes_time_to_terminal_and_outbox_lag(stack):
    shop_worker = f"http://127.0.0.1:{stack.metrics_ports['shop']}/metrics"
    account_worker = f"http://127.0.0.1:{stack.metrics_ports['account']}/metrics"
    completed = ("polycode_saga_outcomes_total", (("outcome", "completed"), ("reason", "")))
    timed = ("polycode_saga_time_to_terminal_seconds_count", (("outcome", "completed"),))
    replies = ("polycode_outbox_lag_seconds_count", (("queue", "shop"),))
    before_shop, before_account = scrape(shop_worker), scrape(account_worker)
    [ada] = learners_from(stack.account.tool("users", 1, 100, f"met{uuid.uuid4().hex[:6]}_"))
    created = ada.client().buy(HintItemFactory(cost=10).id)
    assert ada.client().order(created.json()["id"], wait=10).json()["state"] == "completed"

    after_shop = wait_until(
        lambda: (m := scrape(shop_worker)).get(completed, 0) > before_shop.get(completed, 0) and m,
        timeout=10,
        what="the completed purchase counted by the shop worker",
    )
    assert after_shop[completed] == before_shop.get(completed, 0) + 1
    assert after_shop[timed] == before_shop.get(timed, 0) + 1
    # The account worker published its reply to the shop queue: the outbox lag of that message.
    assert scrape(account_worker)[replies] >= before_account.get(replies, 0) + 1


def test_the_shop_web_s_metrics_count_a_purchase_rejected_at_placement(stack, client, settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True  # Prometheus scrapes without an assertion
    rejected = ("polycode_saga_outcomes_total", (("outcome", "rejected"), ("reason", "out_of_stock")))
    before = scrape(client).get(rejected, 0)
    [ada] = learners_from(stack.account.tool("users", 1, 100, f"oos{uuid.uuid4().hex[:6]}_"))

    placed = ada.client().buy(HintItemFactory(cost=10, stock=0).id)

    assert placed.json()["state"] == "rejected"
    after = scrape(client)
    assert after[rejected] == before + 1
    assert any(name == "django_http_requests_total_by_method_total" for name, _ in after)
