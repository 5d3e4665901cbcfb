"""Each saga step on its own: transitions, compensations, and replies delivered twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

import contracts
from common.messaging.models import OutboxMessage
from contracts.shop import SHOP_DEBIT_REPLIED_V1, SHOP_REFUND_REPLIED_V1
from extracted.shop.store import services
from extracted.shop.store.models import Item, Order, StockReservation
from extracted.shop.store.tests.factories import HintItemFactory, ValidatorItemFactory
from extracted.shop.store.tests.helpers import Learner

pytestmark = pytest.mark.django_db

ADA = Learner(id=7, username="ada", email="ada@example.com")


@pytest.fixture(autouse=True)
def _no_broker(settings):
    settings.OUTBOX_FAST_PATH = False


def _place(item, key="k"):
    order, created = services.order_place(user=ADA, item_id=item.id, idempotency_key=key)
    assert created
    return order


def _debit_reply(order, outcome="debited", balance=70):
    return contracts.build(
        SHOP_DEBIT_REPLIED_V1,
        {"order_id": str(order.id), "step_id": order.debit_step_id, "outcome": outcome, "balance": balance},
        producer="monolith",
    )


def _types():
    return sorted(OutboxMessage.objects.values_list("type", flat=True))


def test_a_debited_reply_completes_the_order_and_publishes_the_event_and_the_receipt():
    item = ValidatorItemFactory(cost=30, stock=2)
    order = _place(item)

    assert services.order_debit_replied(message=_debit_reply(order)) == "completed"

    order.refresh_from_db()
    assert order.state == Order.State.COMPLETED
    assert order.balance_after == 70
    assert order.reservation.state == StockReservation.State.COMMITTED
    assert Item.objects.get(pk=item.id).stock == 1
    assert _types() == ["account.debit_requested", "mail.requested", "purchase.completed"]
    receipt = OutboxMessage.objects.get(type="mail.requested").body["payload"]
    assert receipt["to"] == ADA.email
    assert receipt["context"]["balance_points"] == 70


def test_the_same_reply_delivered_twice_has_one_effect():
    order = _place(HintItemFactory())
    reply = _debit_reply(order)
    services.order_debit_replied(message=reply)

    assert services.order_debit_replied(message=reply) == "duplicate"
    assert _types() == ["account.debit_requested", "mail.requested"]


def test_a_completed_hint_publishes_no_purchase_completed_event_only_the_receipt():
    # Only a validator item has something for learning to unlock.
    order = _place(HintItemFactory())

    assert services.order_debit_replied(message=_debit_reply(order)) == "completed"
    assert _types() == ["account.debit_requested", "mail.requested"]


def test_an_insufficient_points_reply_rejects_and_releases_the_stock():
    item = HintItemFactory(stock=1)
    order = _place(item)

    services.order_debit_replied(message=_debit_reply(order, "insufficient_points", 10))

    order.refresh_from_db()
    assert (order.state, order.reason_code) == (Order.State.REJECTED, "insufficient_points")
    assert order.reservation.state == StockReservation.State.RELEASED
    assert Item.objects.get(pk=item.id).stock == 1
    assert _types() == ["account.debit_requested"]


def test_the_sweeper_rejects_a_timed_out_order_releases_stock_and_asks_for_a_refund():
    item = HintItemFactory(stock=1)
    order = _place(item)

    assert services.orders_expire(now=timezone.now() + timedelta(hours=1)) == 1

    order.refresh_from_db()
    assert (order.state, order.reason_code, order.refund) == ("rejected", "timed_out", "requested")
    assert Item.objects.get(pk=item.id).stock == 1
    refund = OutboxMessage.objects.get(type="account.refund_requested").body["payload"]
    assert refund["debit_step_id"] == order.debit_step_id
    assert services.orders_expire(now=timezone.now() + timedelta(hours=1)) == 0


def test_a_debited_reply_after_the_timeout_refunds_instead_of_completing():
    item = HintItemFactory(stock=1)
    order = _place(item)
    services.orders_expire(now=timezone.now() + timedelta(hours=1))

    assert services.order_debit_replied(message=_debit_reply(order)) == "refund_requested"

    order.refresh_from_db()
    assert order.state == Order.State.REJECTED
    assert _types().count("account.refund_requested") == 2
    assert "purchase.completed" not in _types()
    assert Item.objects.get(pk=item.id).stock == 1


def test_a_late_nothing_to_refund_never_overrides_a_refund():
    order = _place(HintItemFactory())
    services.orders_expire(now=timezone.now() + timedelta(hours=1))

    def refund_reply(outcome):
        return contracts.build(
            SHOP_REFUND_REPLIED_V1,
            {"order_id": str(order.id), "step_id": order.refund_step_id, "outcome": outcome, "amount": 30},
            producer="monolith",
        )

    services.order_refund_replied(message=refund_reply("refunded"))
    services.order_refund_replied(message=refund_reply("nothing_to_refund"))

    order.refresh_from_db()
    assert order.refund == Order.Refund.REFUNDED


def test_a_rejected_order_does_not_block_buying_again():
    item = HintItemFactory()
    first = _place(item, key="a")
    services.order_debit_replied(message=_debit_reply(first, "insufficient_points", 0))

    second = _place(item, key="b")

    assert second.id != first.id
    assert second.state == Order.State.PENDING


@pytest.mark.parametrize(
    "email",
    ["ada at example.com", "ada@example.com\nBcc: all@example.com", "a" * 250 + "@example.com"],
    ids=["not-an-address", "header-injection", "over-254-chars"],
)
def test_an_email_the_mail_contract_refuses_means_no_receipt_and_the_purchase_still_completes(email):
    buyer = Learner(id=9, username="cy", email=email)
    item = HintItemFactory(cost=30)

    order, created = services.order_place(user=buyer, item_id=item.id, idempotency_key="k")
    assert created
    assert order.email == ""
    assert services.order_debit_replied(message=_debit_reply(order)) == "completed"

    order.refresh_from_db()
    assert order.state == Order.State.COMPLETED
    assert "mail.requested" not in _types()


def test_a_valid_email_is_kept_for_the_receipt():
    order = _place(HintItemFactory())

    assert order.email == ADA.email


def test_buying_an_item_held_already_answers_that_order_under_a_new_key_and_writes_nothing():
    item = HintItemFactory(stock=5)
    first = _place(item, key="first")

    again, created = services.order_place(user=ADA, item_id=item.id, idempotency_key="second")

    assert (again.id, created) == (first.id, False)
    assert _types() == ["account.debit_requested"]
    assert Item.objects.get(pk=item.id).stock == 4


@pytest.mark.parametrize("change", [{"stock": 0}, {"is_active": False}])
def test_an_item_held_already_is_answered_even_once_sold_out_or_withdrawn(change):
    item = HintItemFactory(stock=1)
    first = _place(item, key="first")
    services.order_debit_replied(message=_debit_reply(first))
    Item.objects.filter(pk=item.id).update(**change)

    again, created = services.order_place(user=ADA, item_id=item.id, idempotency_key="second")

    assert (again.id, again.state, created) == (first.id, Order.State.COMPLETED, False)
    assert Order.objects.count() == 1


def test_a_refund_account_has_not_answered_is_commanded_again_with_the_same_step():
    order = _place(HintItemFactory())
    services.orders_expire(now=timezone.now() + timedelta(hours=1))
    answered = _place(HintItemFactory(), key="answered")
    services.orders_expire(now=timezone.now() + timedelta(hours=1))
    answered.refresh_from_db()
    answered.refund = Order.Refund.REFUNDED
    answered.save(update_fields=["refund"])
    later = timezone.now() + timedelta(seconds=settings.SHOP_REFUND_RESEND_AFTER + 1)

    assert services.refunds_resend(now=timezone.now()) == 0  # not overdue yet
    assert services.refunds_resend(now=later) == 1

    refunds = [m.body["payload"] for m in OutboxMessage.objects.filter(type="account.refund_requested")]
    mine = [r for r in refunds if r["order_id"] == str(order.id)]
    assert len(mine) == 2
    assert {r["step_id"] for r in mine} == {order.refund_step_id}  # account refunds a step once
    order.refresh_from_db()
    assert (order.state, order.refund) == (Order.State.REJECTED, Order.Refund.REQUESTED)
    assert services.refunds_resend(now=timezone.now()) == 0  # sent again: overdue again only later


def test_the_receipt_is_written_in_the_language_the_learner_ordered_in():
    order, _ = services.order_place(
        user=ADA, item_id=HintItemFactory().id, idempotency_key="fr", language="fr"
    )
    services.order_debit_replied(message=_debit_reply(order))

    assert OutboxMessage.objects.get(type="mail.requested").body["payload"]["language"] == "fr"


def test_an_unknown_language_gets_an_english_receipt():
    order, _ = services.order_place(
        user=ADA, item_id=HintItemFactory().id, idempotency_key="xx", language="xx"
    )
    services.order_debit_replied(message=_debit_reply(order))

    assert OutboxMessage.objects.get(type="mail.requested").body["payload"]["language"] == "en"
