"""Two requests with one Idempotency-Key at the same time: the second answers like a repeat, never 500.

The key is checked before any lock, so both requests can pass that check; the
first one's transaction is held open here until the second is blocked on it.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from common.messaging.testing import wait_until
from extracted.shop.store import services
from extracted.shop.store.models import Order
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import Learner

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ADA = Learner(id=7, username="ada", email="ada@example.com")


@pytest.fixture(autouse=True)
def _postgres_and_no_broker(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    settings.OUTBOX_FAST_PATH = False


def _blocked_sessions() -> int:
    """How many sessions wait for a lock this session holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks "
            "WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0]


def _race(*, first_item, second_item, key="same-key"):
    """Place ``first_item`` and, while that transaction is open, ``second_item`` with the same key."""
    outcome = {}

    def second():
        try:
            outcome["result"] = services.order_place(user=ADA, item_id=second_item.id, idempotency_key=key)
        except Exception as exc:  # the outcome is what the test checks
            outcome["error"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        first, created = services.order_place(user=ADA, item_id=first_item.id, idempotency_key=key)
        assert created
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 10
        while _blocked_sessions() == 0:
            assert thread.is_alive(), outcome
            assert time.monotonic() < deadline, "the second request never waited for the first"
            time.sleep(0.01)
    thread.join(timeout=10)
    assert not thread.is_alive()
    return first, outcome


def test_the_same_key_for_another_item_at_the_same_time_is_409_not_a_database_error():
    first, outcome = _race(first_item=HintItemFactory(), second_item=HintItemFactory())

    assert isinstance(outcome.get("error"), services.IdempotencyKeyReused), outcome
    assert list(Order.objects.values_list("id", flat=True)) == [first.id]


def test_the_same_key_for_the_same_item_at_the_same_time_returns_the_first_order():
    # Out of stock: the first order is rejected (not live), so only the key ties the two requests.
    item = HintItemFactory(stock=0)

    first, outcome = _race(first_item=item, second_item=item)

    assert "error" not in outcome, outcome
    order, created = outcome["result"]
    assert (order.id, created) == (first.id, False)
    assert Order.objects.count() == 1


def _waiting_for_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone()[0] > 0


def test_a_second_purchase_whose_rival_ended_before_the_lookup_is_placed_not_a_500():
    """Racing buyers with no points: the rival order clashed with, then was rejected at once.

    The second request fails on the one-live-order constraint; before it looks for
    the order it clashed with, a third session (queued for an exclusive lock on the
    orders, so it runs exactly in between) rejects that order, as a refused debit does.
    """
    item = HintItemFactory()
    outcome, rejecter = {}, {}

    def second():
        try:
            outcome["result"] = services.order_place(user=ADA, item_id=item.id, idempotency_key="second")
        except Exception as exc:  # the outcome is what the test checks
            outcome["error"] = exc
        finally:
            connections.close_all()

    def reject(order_id):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                rejecter["pid"] = connection.connection.info.backend_pid
                cursor.execute(f"LOCK TABLE {Order._meta.db_table} IN ACCESS EXCLUSIVE MODE")
                Order.objects.filter(pk=order_id).update(state=Order.State.REJECTED)
        finally:
            connections.close_all()

    with transaction.atomic():
        first, created = services.order_place(user=ADA, item_id=item.id, idempotency_key="first")
        assert created
        racer = threading.Thread(target=second)
        racer.start()
        wait_until(_blocked_sessions, timeout=10, what="the second request waiting for the first")
        rejecting = threading.Thread(target=reject, args=(first.id,))
        rejecting.start()
        wait_until(lambda: "pid" in rejecter, timeout=10)
        wait_until(lambda: _waiting_for_lock(rejecter["pid"]), timeout=10, what="the rejecter queued")
    rejecting.join(timeout=10)
    racer.join(timeout=10)

    assert "error" not in outcome, outcome
    order, created = outcome["result"]
    assert created
    assert order.id != first.id
    assert Order.objects.get(pk=first.id).state == Order.State.REJECTED
    assert Order.objects.get(pk=order.id).state == Order.State.PENDING
