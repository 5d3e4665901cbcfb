"""End to end: a learner buys a hint; shop, account and mailer workers are separate processes."""

import uuid

import pytest

from common.messaging.testing import wait_until
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import learners_from

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_learner_buys_a_hint_and_the_receipt_email_arrives(stack, mailer_worker, smtp):
    [ada] = learners_from(stack.account.tool("users", 1, 120, f"e2e{uuid.uuid4().hex[:6]}_"))
    item = HintItemFactory(title="Hint: recursion", cost=45, hint_text="Start from the base case.")
    client = ada.client()

    created = client.buy(item.id)
    assert created.status_code == 202
    assert created["Location"] == created.json()["status_url"]
    order = client.order(created.json()["id"], wait=5).json()

    assert order["state"] == "completed"
    assert order["hint_text"] == "Start from the base case."
    assert stack.account.balances([ada.id]) == {ada.id: 75}
    [mail] = wait_until(smtp.mails, timeout=20, what="the receipt email")
    assert mail.recipients == [ada.email]
    assert "Hint: recursion" in mail.text
    assert "45" in mail.text
    assert "75" in mail.text
    assert order["id"] in mail.text
