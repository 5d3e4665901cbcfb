"""Logs of the saga's tasks carry the request id of the HTTP request that caused them."""

import re
import uuid

import pytest

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
