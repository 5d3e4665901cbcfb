"""Money and stock stay exact with 50 concurrent buyers, with and without faults during the run.

Invariants checked (``helpers.check_invariants``): every order ends; stock is
never negative and equals initial - completed; each order's ledger net is its
price if completed, zero otherwise (nobody charged twice, every compensation
refunded); balances + points spent = initial points; nobody owns an item twice.
"""

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from common.messaging.broker import Outgoing, publisher
from common.messaging.models import OutboxMessage
from common.messaging.testing import wait_until
from extracted.shop.store.models import Order
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import check_invariants, learners_from

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50
POINTS = 100


def _setup(stack):
    learners = learners_from(stack.account.tool("users", BUYERS, POINTS, f"inv{uuid.uuid4().hex[:6]}_"))
    # 30 + 50 + 40 = 120 > 100 points: every buyer is refused something, by stock or by points.
    items = [
        HintItemFactory(cost=30, stock=20),
        HintItemFactory(cost=50, stock=10),
        HintItemFactory(cost=40, stock=None),
    ]
    return learners, items, {item.id: item.stock for item in items if item.stock is not None}


def _run_buyers(learners, items, *, on_progress=None):
    """Each buyer, in its own thread, tries every item (one of them twice, under two keys)."""
    placed = []
    lock = threading.Lock()

    def buyer(learner):
        client = learner.client()
        wanted = [*items, items[0]]
        random.Random(learner.id).shuffle(wanted)
        try:
            for item in wanted:
                response = client.buy(item.id)
                assert response.status_code in (200, 202), response.content
                with lock:
                    placed.append(response.json()["id"])
                    count = len(placed)
                if on_progress:
                    on_progress(count)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        list(pool.map(buyer, learners))
    return placed


def _all_terminal(learners):
    return not Order.objects.filter(user_id__in=[x.id for x in learners], state=Order.State.PENDING).exists()


def _assert_invariants(stack, learners, stock, timeout=30):
    wait_until(lambda: _all_terminal(learners), timeout=timeout, interval=0.2, what="every order terminal")
    problems = []

    def hold():
        problems[:] = check_invariants(
            account=stack.account, learners=learners, initial_points=POINTS, initial_stock=stock
        )
        return not problems

    try:
        wait_until(hold, timeout=timeout, interval=0.3, what="the invariants")
    except AssertionError:
        pytest.fail("invariants violated:\n" + "\n".join(problems[:20]))


def test_fifty_concurrent_buyers_never_oversell_nor_charge_twice(stack):
    learners, items, stock = _setup(stack)

    placed = _run_buyers(learners, items)

    _assert_invariants(stack, learners, stock)
    orders = Order.objects.filter(user_id__in=[x.id for x in learners])
    assert len(set(placed)) == orders.count()
    assert 0 < orders.filter(state=Order.State.COMPLETED, item=items[0]).count() <= 20
    assert 0 < orders.filter(state=Order.State.COMPLETED, item=items[1]).count() <= 10
    # 120 points of items for 100 points each: every buyer was refused at least one of them.
    refused = set(orders.filter(state=Order.State.REJECTED).values_list("user_id", flat=True))
    assert refused == {learner.id for learner in learners}


def _redeliver_everything(stack):
    """Publish every message both outboxes ever sent once more, with the same ids."""
    outgoing = [Outgoing(r.task, r.queue, str(r.id), r.body) for r in OutboxMessage.objects.all()]
    rows = stack.account.query("SELECT id, task, queue, body FROM messaging_outboxmessage")
    outgoing += [Outgoing(task, queue, str(mid), body) for mid, task, queue, body in rows]
    outgoing = [o for o in outgoing if o.queue in ("account", "shop")]
    results = publisher().publish_many(outgoing)
    assert all(error is None for _, error in results), results[:3]
    return len(outgoing)


def test_invariants_hold_through_kills_dropped_connections_duplicates_and_late_replies(stack, settings):
    learners, items, stock = _setup(stack)
    # Short enough that orders placed while account is down time out, and its replies come late.
    settings.SHOP_SAGA_TIMEOUT = 1.5
    total = BUYERS * 4
    faults = {
        total // 6: lambda: stack.account_worker.kill(),
        total // 3: lambda: (time.sleep(2.0), stack.account_worker.start(ready_timeout=60)),
        total // 2: lambda: stack.vhost.close_all_connections("fault injection"),
        (2 * total) // 3: lambda: stack.shop_worker.kill(),
        (5 * total) // 6: lambda: stack.shop_worker.start(ready_timeout=60),
    }
    fired = set()
    fault_lock = threading.Lock()

    def inject(count):
        with fault_lock:
            for at, fault in faults.items():
                if count >= at and at not in fired:
                    fired.add(at)
                    fault()

    _run_buyers(learners, items, on_progress=inject)
    stack.ensure_running()
    assert len(fired) == len(faults)

    _assert_invariants(stack, learners, stock)
    rejected = Order.objects.filter(user_id__in=[x.id for x in learners], state=Order.State.REJECTED)
    assert rejected.filter(reason_code=Order.Reason.TIMED_OUT).exists(), "no saga timed out during the run"

    # Every command and reply delivered once more: nothing changes.
    assert _redeliver_everything(stack) > BUYERS
    wait_until(
        lambda: stack.vhost.message_count("account") == 0 and stack.vhost.message_count("shop") == 0,
        timeout=30,
        what="the duplicates consumed",
    )
    time.sleep(1.0)
    _assert_invariants(stack, learners, stock)
