"""Periodic work of the messaging tables: pruning, a Celery task every service's beat schedules.

Each service that keeps an outbox or an inbox adds ``prune_schedule(queue)``
to its app's ``beat_schedule`` and ``"common.messaging"`` to the packages its
app autodiscovers; whichever worker of that service takes the message prunes
that service's database (this module imports no model at load: the worker
modules import it before Django is set up). The task is idempotent: a run twice, or skipped
while the workers were down, changes nothing but when rows go.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from common.messaging import conf

logger = logging.getLogger(__name__)

PRUNE_TASK = "messaging.prune"


def messaging_prune(*, using: str = "default") -> tuple[int, int]:
    """Delete sent outbox rows and inbox ids older than their retention."""
    from common.messaging.models import InboxMessage, OutboxMessage  # the apps load after the worker's app

    now = timezone.now()
    outbox_before = now - timedelta(days=int(conf.get("OUTBOX_RETENTION_DAYS")))
    inbox_before = now - timedelta(days=int(conf.get("INBOX_RETENTION_DAYS")))
    outbox, _ = OutboxMessage.objects.using(using).filter(sent_at__lt=outbox_before).delete()
    inbox, _ = InboxMessage.objects.using(using).filter(processed_at__lt=inbox_before).delete()
    return outbox, inbox


@shared_task(name=PRUNE_TASK, acks_late=False, ignore_result=True)
def prune() -> tuple[int, int]:
    """One pruning pass (scheduled by beat); a failed pass waits for the next one."""
    try:
        outbox, inbox = messaging_prune()
    except DatabaseError:
        logger.exception("messaging.prune_failed: the next run tries again")
        return 0, 0
    if outbox or inbox:
        logger.info("messaging.pruned outbox=%s inbox=%s", outbox, inbox)
    return outbox, inbox


def prune_schedule(queue: str) -> dict:
    """The ``beat_schedule`` entry of ``messaging.prune``, sent to ``queue`` (the service's own)."""
    every = float(conf.get("MESSAGING_PRUNE_INTERVAL"))
    return {
        "messaging-prune": {
            "task": PRUNE_TASK,
            "schedule": every,
            # A run nobody took in time is dropped: while workers are down, runs do not pile up.
            "options": {"queue": queue, "expires": every},
        }
    }
