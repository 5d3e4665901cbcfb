"""Reads of the messaging tables."""

from django.db.models import QuerySet
from django.utils import timezone

from common.messaging.models import InboxMessage, OutboxMessage


def inbox_seen(*, message_id, using: str = "default") -> bool:
    """Whether this service already processed ``message_id``."""
    return InboxMessage.objects.using(using).filter(message_id=message_id).exists()


def outbox_pending(*, using: str = "default") -> QuerySet[OutboxMessage]:
    """Rows not yet confirmed by the broker, oldest first."""
    return OutboxMessage.objects.using(using).filter(sent_at__isnull=True).order_by("created_at")


def outbox_due(*, using: str = "default") -> QuerySet[OutboxMessage]:
    """Pending rows whose back-off has elapsed."""
    return outbox_pending(using=using).filter(available_at__lte=timezone.now())
