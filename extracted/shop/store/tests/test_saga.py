"""The purchase saga over RabbitMQ with the real account side: happy paths and compensations."""

import time
import uuid

import pytest

from common.messaging.testing import wait_until
from contracts.shop import ACCOUNT_REFUND_REQUESTED_V1
from extracted.shop.conftest import LOG_DIR
from extracted.shop.store.models import Item, Order
from extracted.shop.store.tests.factories import HintItemFactory, ValidatorItemFactory
from extracted.shop.store.tests.helpers import learners_from
from extracted.shop.testing import worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _learners(stack, count, points):
    return learners_from(stack.account.tool("users", count, points, f"s{uuid.uuid4().hex[:6]}_"))


def test_buying_a_hint_completes_debits_the_wallet_and_shows_the_hint(stack):
    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30, stock=3, hint_text="Sort first.")
    client = ada.client()

    response = client.buy(item.id)
    assert response.status_code == 202, response.json()
    assert response.json()["state"] == "pending"
    assert response.json()["hint_text"] is None

    order = client.order(response.json()["id"], wait=5).json()
    assert order["state"] == "completed", order
    assert order["hint_text"] == "Sort first."
    assert stack.account.balances([ada.id]) == {ada.id: 70}
    assert Item.objects.get(pk=item.id).stock == 2
    assert client.get(f"/api/v1/shop/items/{item.id}").json()["hint_text"] == "Sort first."


def test_buying_an_owned_hint_again_returns_the_order_and_charges_nothing(stack):
    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30)
    client = ada.client()
    first = client.buy(item.id).json()
    client.order(first["id"], wait=5)

    again = client.buy(item.id)

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert stack.account.balances([ada.id]) == {ada.id: 70}
    assert Order.objects.filter(user_id=ada.id).count() == 1


def test_a_validator_item_unlocks_the_hidden_test_in_learning(stack):
    [ada] = _learners(stack, 1, 100)
    content = stack.account.tool("validator")
    item = ValidatorItemFactory(
        exercise_id=content["exercise_id"], validator_id=content["validator_id"], cost=40
    )

    order = ada.client().buy(item.id).json()

    assert ada.client().order(order["id"], wait=5).json()["state"] == "completed"
    wait_until(
        lambda: (ada.id, content["validator_id"]) in stack.account.unlocks(), timeout=10, what="unlock"
    )
    assert stack.account.balances([ada.id]) == {ada.id: 60}


def test_a_purchase_without_enough_points_is_rejected_and_releases_the_stock(stack):
    [bob] = _learners(stack, 1, 10)
    item = HintItemFactory(cost=30, stock=1)

    order = bob.client().buy(item.id).json()
    final = bob.client().order(order["id"], wait=5).json()

    assert final["state"] == "rejected"
    assert final["reason_code"] == "insufficient_points"
    assert "enough polypoints" in final["reason"]
    assert final["hint_text"] is None
    assert Item.objects.get(pk=item.id).stock == 1
    assert stack.account.balances([bob.id]) == {bob.id: 10}


def test_a_purchase_of_an_item_out_of_stock_is_rejected_without_asking_account(stack):
    [ada, bob] = _learners(stack, 2, 100)
    item = HintItemFactory(cost=30, stock=1)
    first = ada.client().buy(item.id).json()
    assert ada.client().order(first["id"], wait=5).json()["state"] == "completed"

    response = bob.client().buy(item.id)

    assert response.status_code == 202
    assert response.json()["state"] == "rejected"
    assert response.json()["reason_code"] == "out_of_stock"
    assert Item.objects.get(pk=item.id).stock == 0
    assert stack.account.balances([bob.id]) == {bob.id: 100}


def test_an_order_is_compensated_when_account_stays_down_past_the_timeout(stack, settings):
    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30, stock=2)
    settings.SHOP_SAGA_TIMEOUT = 1.0
    stack.account_worker.stop()
    try:
        order = ada.client().buy(item.id).json()
        final = ada.client().order(order["id"], wait=5).json()
        assert final["state"] == "rejected"
        assert final["reason_code"] == "timed_out"
        assert Item.objects.get(pk=item.id).stock == 2
    finally:
        stack.account_worker.start()
    # The debit command waited in the queue: it runs now, and is refunded.
    wait_until(
        lambda: Order.objects.get(pk=order["id"]).refund == Order.Refund.REFUNDED, timeout=20, what="refund"
    )
    assert stack.account.balances([ada.id]) == {ada.id: 100}
    assert Order.objects.get(pk=order["id"]).state == Order.State.REJECTED


def test_a_debit_that_runs_after_its_refund_is_refunded_again(stack, settings):
    """The late reply: the refund overtakes the debit, finds nothing, then the debit runs."""
    from common.messaging.broker import publisher

    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30, stock=1)
    settings.SHOP_SAGA_TIMEOUT = 1.0
    stack.account_worker.stop()
    try:
        order = ada.client().buy(item.id).json()
        wait_until(
            lambda: Order.objects.get(pk=order["id"]).state == Order.State.REJECTED,
            timeout=10,
            what="timeout",
        )
        held = []
        wait_until(
            lambda: held.extend(stack.vhost.get_all("account")) or len(held) >= 2,
            timeout=10,
            what="the debit and refund commands",
        )
    finally:
        stack.account_worker.start()
    by_type = {m.body[0][0]["type"]: m for m in held}
    debit, refund = by_type["account.debit_requested"], by_type["account.refund_requested"]

    def send(message):
        envelope = message.body[0][0]
        publisher().publish(
            task=message.headers["task"], queue="account", message_id=envelope["message_id"], body=envelope
        )

    send(refund)
    wait_until(
        lambda: Order.objects.get(pk=order["id"]).refund == Order.Refund.NOTHING,
        timeout=10,
        what="no-op refund",
    )
    send(debit)
    wait_until(
        lambda: Order.objects.get(pk=order["id"]).refund == Order.Refund.REFUNDED, timeout=10, what="refund"
    )
    ledger = {ref: amount for ref, amount, _ in stack.account.order_ledger() if order["id"] in ref}
    assert sorted(ledger.values()) == [-30, 30]
    assert stack.account.balances([ada.id]) == {ada.id: 100}
    assert Item.objects.get(pk=item.id).stock == 1


def test_a_purchase_asked_to_wait_answers_with_the_outcome(stack):
    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30)
    headers = ada.client()._headers()
    headers["Idempotency-Key"] = uuid.uuid4().hex

    response = ada.client().api.post(
        "/api/v1/shop/purchases?wait=5", {"item_id": item.id}, format="json", headers=headers
    )

    assert response.status_code == 202
    assert response.json()["state"] == "completed"
    assert response.json()["hint_text"] == item.hint_text


def test_the_sweeper_goes_on_when_a_shop_worker_is_killed(stack, settings):
    """Beat schedules the sweeps; any shop worker runs them: killing one takes no sweeper with it."""
    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30, stock=1)
    settings.SHOP_SAGA_TIMEOUT = 1.0
    other = worker_process(
        app="extracted.shop.worker",
        queue="shop",
        env=stack.shop_env,
        log_path=LOG_DIR / "shop-worker-2.log",
        name="shop-2",
        threads=2,
    ).start()
    stack.account_worker.stop()
    try:
        stack.shop_worker.kill()
        order = ada.client().buy(item.id).json()
        final = ada.client().order(order["id"], wait=5).json()
        assert final["state"] == "rejected"
        assert final["reason_code"] == "timed_out"
        assert stack.shop_beat.alive
    finally:
        other.stop()
        stack.ensure_running()
    # The debit waited in account's queue: it runs now, and is refunded.
    wait_until(
        lambda: Order.objects.get(pk=order["id"]).refund == Order.Refund.REFUNDED, timeout=20, what="refund"
    )
    assert stack.account.balances([ada.id]) == {ada.id: 100}


def test_a_refund_dead_lettered_after_a_late_debit_is_commanded_again_until_account_answers(stack, settings):
    """Account gave up on both refund commands of an order whose debit ran: they are dead-lettered.

    The shop worker is down while account debits, so the debit's reply finds the
    order already timed out; account is down while each refund command arrives,
    and both are dead-lettered as after their retry budget. The sweeper commands
    the refund again once account has not answered for ``SHOP_REFUND_RESEND_AFTER``.
    """
    from extracted.shop.store.services import orders_expire

    [ada] = _learners(stack, 1, 100)
    item = HintItemFactory(cost=30)
    settings.SHOP_SAGA_TIMEOUT = 1.0
    rabbitmq = stack.vhost
    rabbitmq.get_all("account.dead")
    stack.shop_worker.stop()
    try:
        order = ada.client().buy(item.id).json()
        wait_until(lambda: stack.account.balances([ada.id]) == {ada.id: 70}, what="the debit")
        stack.account_worker.stop()
        time.sleep(1.1)
        assert orders_expire() == 1
        wait_until(lambda: rabbitmq.message_count("account") == 1, what="the first refund command")
        assert rabbitmq.reject_all("account") == 1
        stack.shop_worker.start()  # the debited reply: the order is rejected, so refund again
        wait_until(lambda: rabbitmq.message_count("account") >= 1, what="the second refund command")
        assert rabbitmq.reject_all("account") >= 1
        assert Order.objects.get(pk=order["id"]).refund == Order.Refund.REQUESTED
    finally:
        stack.ensure_running()

    wait_until(
        lambda: Order.objects.get(pk=order["id"]).refund == Order.Refund.REFUNDED,
        timeout=settings.SHOP_REFUND_RESEND_AFTER + 15,
        what="the refund commanded again",
    )
    assert stack.account.balances([ada.id]) == {ada.id: 100}
    assert Order.objects.get(pk=order["id"]).state == Order.State.REJECTED
    dead = rabbitmq.get_all("account.dead")
    assert len(dead) >= 2
    assert {d.headers.get("task") for d in dead} == {ACCOUNT_REFUND_REQUESTED_V1.task}
