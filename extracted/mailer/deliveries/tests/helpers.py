"""Producer-side steps shared by the tests that run a real worker."""

from django.db import transaction

from common.messaging.relay import Relay
from common.messaging.services import outbox_publish
from common.messaging.testing import wait_until
from extracted.mailer.deliveries.models import DeliveryLog


def publish(*messages) -> None:
    """What a producer does: outbox rows in one transaction, then the relay publishes them."""
    with transaction.atomic():
        for message in messages:
            outbox_publish(message=message)
    assert Relay(interval=0).run(once=True) == len(messages)


def wait_for_status(messages, status: str = DeliveryLog.Status.SENT, *, timeout: float = 30.0) -> None:
    ids = [m.id for m in messages]
    wait_until(
        lambda: DeliveryLog.objects.filter(message_id__in=ids, status=status).count() == len(ids),
        timeout=timeout,
        what=f"{len(ids)} deliveries {status}",
    )


def log_of(message) -> DeliveryLog:
    return DeliveryLog.objects.get(message_id=message.id)
