"""Every worker survives any delivery: malformed messages on each queue while purchases run.

Anyone who can publish to the broker can put anything on a queue. The account
worker, the shop worker and the mailer worker (real processes, real RabbitMQ
vhost, PostgreSQL) get every malformed shape of ``malformed_task_messages``
while learners buy: each malformed message is dead-lettered and logged, no
worker process dies or restarts, and every purchase completes in its usual time.
"""

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from common.messaging.testing import malformed_task_messages, wait_until
from contracts.mail import MAIL_REQUESTED_V1
from contracts.shop import ACCOUNT_DEBIT_REQUESTED_V1, SHOP_DEBIT_REPLIED_V1
from extracted.shop.store.models import Order
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import check_invariants, learners_from

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 8
POINTS = 100
#: A purchase takes some 20 ms end to end here; a wedged worker makes it wait for the
#: saga's timeout (10 s) or for ever.
SLOWEST_ALLOWED = 3.0

TASKS = {
    "account": ACCOUNT_DEBIT_REQUESTED_V1.task,
    "shop": SHOP_DEBIT_REPLIED_V1.task,
    "mailer": MAIL_REQUESTED_V1.task,
}


def test_malformed_messages_on_every_queue_are_dead_lettered_while_purchases_complete_in_time(
    stack, mailer_worker, smtp
):
    rabbitmq = stack.vhost
    for queue in TASKS:
        rabbitmq.get_all(f"{queue}.dead")
    workers = {"account": stack.account_worker, "shop": stack.shop_worker, "mailer": mailer_worker}
    pids = {queue: worker.process.pid for queue, worker in workers.items()}
    learners = learners_from(stack.account.tool("users", BUYERS, POINTS, f"surv{uuid.uuid4().hex[:6]}_"))
    items = [HintItemFactory(cost=10) for _ in range(3)]
    malformed = {queue: malformed_task_messages(task) for queue, task in TASKS.items()}
    rounds = len(items)
    durations: list[float] = []
    lock = threading.Lock()

    def buyer(learner):
        client = learner.client()
        try:
            for item in items:
                started = time.monotonic()
                created = client.buy(item.id)
                assert created.status_code == 202, created.content
                order = client.order(created.json()["id"], wait=5).json()
                with lock:
                    durations.append(time.monotonic() - started)
                assert order["state"] == "completed", order
        finally:
            connection.close()

    def attacker():
        # Each round puts every shape on every queue, between the buyers' purchases.
        for _ in range(rounds):
            for queue, messages in malformed.items():
                rabbitmq.publish_raw(queue, *messages)
            time.sleep(0.2)

    with ThreadPoolExecutor(max_workers=BUYERS + 1) as pool:
        attack = pool.submit(attacker)
        list(pool.map(buyer, learners))
        attack.result()

    assert len(durations) == BUYERS * len(items)
    assert max(durations) < SLOWEST_ALLOWED, sorted(durations)[-5:]
    assert statistics.median(durations) < 1.0
    for queue, messages in malformed.items():
        expected = len(messages) * rounds
        wait_until(
            lambda queue=queue, expected=expected: rabbitmq.message_count(f"{queue}.dead") >= expected,
            # Every malformed message was confirmed by the broker (publish_raw): each one is
            # dead-lettered within a second or two here; the margin is for a loaded CI machine.
            timeout=30,
            what=f"every malformed message in {queue}.dead",
        )
        dead = rabbitmq.get_all(f"{queue}.dead")
        sent_ids = {m.headers["id"] for m in messages if "id" in m.headers}
        assert sent_ids <= {d.task_id for d in dead}
        assert len(dead) == expected
    for queue, worker in workers.items():
        assert worker.alive, f"the {queue} worker died"
        assert worker.process.pid == pids[queue], f"the {queue} worker was restarted"
        assert "Unrecoverable error" not in worker.log()
        assert "messaging.unprocessable_message" in worker.log()
    assert Order.objects.filter(
        user_id__in=[x.id for x in learners], state=Order.State.COMPLETED
    ).count() == (BUYERS * len(items))
    assert not check_invariants(
        account=stack.account, learners=learners, initial_points=POINTS, initial_stock={}
    )
