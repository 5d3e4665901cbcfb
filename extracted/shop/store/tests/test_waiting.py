"""Waiting for an order's end: one listening connection per process wakes the waiting requests."""

import threading
import time

import pytest
from django.db import connection, transaction

from extracted.shop.store.models import Order
from extracted.shop.store.selectors import order_get
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import Learner
from extracted.shop.store.waiting import announce_order_end, order_end_listener

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ADA = Learner(id=7, username="ada", email="ada@example.com")


@pytest.fixture(autouse=True)
def _no_broker(settings):
    settings.OUTBOX_FAST_PATH = False


def _pending_order(key: str = "k") -> Order:
    # Written directly: no debit command in the outbox for a running saga stack to act on.
    item = HintItemFactory()
    return Order.objects.create(user_id=ADA.id, item=item, price=item.cost, idempotency_key=key)


def _end_later(order_id, *, after: float, with_fields: bool = False) -> threading.Thread:
    def end():
        time.sleep(after)
        with transaction.atomic():
            Order.objects.filter(pk=order_id).update(state=Order.State.REJECTED, reason_code="failed")
            fields = None
            if with_fields:
                order = Order.objects.get(pk=order_id)
                fields = {name: getattr(order, name) for name in Order.SAGA_FIELDS}
                fields["updated_at"] = order.updated_at.isoformat()
            announce_order_end(order_id, fields)
        connection.close()

    thread = threading.Thread(target=end)
    thread.start()
    return thread


def _listener_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'LISTEN%%'"
        )
        return cursor.fetchone()[0]


def test_a_waiting_request_wakes_when_the_ending_transaction_commits():
    order = _pending_order()
    ender = _end_later(order.id, after=0.3)

    started = time.monotonic()
    ended = order_get(user_id=ADA.id, order_id=order.id, wait=5)
    waited = time.monotonic() - started
    ender.join()

    assert ended.state == Order.State.REJECTED
    # Woken by the notification, not by the once-a-second re-read.
    assert 0.25 < waited < 0.9


def test_many_waiting_requests_share_one_listening_connection():
    orders = [_pending_order(f"k{i}") for i in range(8)]
    results = {}

    def wait(order):
        results[order.id] = order_get(user_id=ADA.id, order_id=order.id, wait=5).state
        connection.close()

    waiters = [threading.Thread(target=wait, args=(o,)) for o in orders]
    for thread in waiters:
        thread.start()
    deadline = time.monotonic() + 5
    while order_end_listener.waiting < len(orders) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert order_end_listener.waiting == len(orders)
    assert _listener_backends() == 1

    enders = [_end_later(o.id, after=0) for o in orders]
    for thread in [*enders, *waiters]:
        thread.join()
    assert set(results.values()) == {Order.State.REJECTED}
    assert order_end_listener.waiting == 0


def test_an_order_that_never_ends_is_answered_pending_after_the_wait():
    order = _pending_order()

    started = time.monotonic()
    assert order_get(user_id=ADA.id, order_id=order.id, wait=0.4).state == Order.State.PENDING
    assert 0.35 < time.monotonic() - started < 1.5


def test_the_listener_comes_back_after_its_connection_is_killed():
    order = _pending_order()
    assert order_get(user_id=ADA.id, order_id=order.id, wait=0.05).state == Order.State.PENDING
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'LISTEN%%'"
        )
    ender = _end_later(order.id, after=1.0)

    # Whether the wait starts before or after the listener reconnected, the order's end is seen.
    assert order_get(user_id=ADA.id, order_id=order.id, wait=5).state == Order.State.REJECTED
    ender.join()
    deadline = time.monotonic() + 5
    while _listener_backends() != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _listener_backends() == 1


@pytest.mark.parametrize(("with_fields", "queries"), [(True, 1), (False, 2)])
def test_a_notification_that_carries_the_end_spares_the_second_read(with_fields, queries):
    from django.test.utils import CaptureQueriesContext

    order = _pending_order()
    ender = _end_later(order.id, after=0.2, with_fields=with_fields)

    with CaptureQueriesContext(connection) as captured:
        ended = order_get(user_id=ADA.id, order_id=order.id, wait=5)
    ender.join()

    assert (ended.state, ended.reason_code) == (Order.State.REJECTED, "failed")
    assert ended.updated_at == Order.objects.get(pk=order.id).updated_at
    assert len(captured.captured_queries) == queries


def test_a_notification_with_a_malformed_end_falls_back_to_reading_the_order():
    order = _pending_order()

    def end_with_garbage():
        time.sleep(0.2)
        with transaction.atomic():
            Order.objects.filter(pk=order.id).update(state=Order.State.REJECTED, reason_code="failed")
            announce_order_end(order.id, {"state": "completed"})  # fields missing: not trusted
        connection.close()

    ender = threading.Thread(target=end_with_garbage)
    ender.start()
    ended = order_get(user_id=ADA.id, order_id=order.id, wait=5)
    ender.join()

    assert (ended.state, ended.reason_code) == (Order.State.REJECTED, "failed")
