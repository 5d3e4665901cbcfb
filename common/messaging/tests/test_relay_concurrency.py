"""Several relays on PostgreSQL: SKIP LOCKED gives each row to exactly one of them."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from common.messaging.models import OutboxMessage
from common.messaging.relay import relay_batch
from common.messaging.services import outbox_publish
from common.messaging.tests.factories import a_message


class RecordingPublisher:
    """Stands for the broker: remembers what it was given, slowly enough for relays to overlap."""

    def __init__(self, log: list, lock: threading.Lock):
        self.log, self.lock = log, lock

    def publish_many(self, messages):
        results = []
        for message in messages:
            time.sleep(0.005)
            with self.lock:
                self.log.append((threading.get_ident(), message.message_id))
            results.append((message.message_id, None))
        return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_running_at_once_publish_every_row_exactly_once():
    with transaction.atomic():
        for i in range(60):
            outbox_publish(message=a_message(f"user{i}@example.com"))
    published: list = []
    lock = threading.Lock()
    start = threading.Barrier(2)
    errors: list = []

    def relay() -> None:
        pub = RecordingPublisher(published, lock)
        try:
            start.wait()
            while relay_batch(limit=10, pub=pub).published:
                pass
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    per_message = Counter(message_id for _, message_id in published)
    assert len(per_message) == 60
    assert set(per_message.values()) == {1}
    per_relay = Counter(ident for ident, _ in published)
    assert len(per_relay) == 2, "both relays should have published a share"
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
