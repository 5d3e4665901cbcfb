"""Writes of the messaging tables: the outbox (producers) and the inbox (consumers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

import contracts
from common.messaging import conf
from common.messaging.broker import Outgoing
from common.messaging.models import InboxMessage, OutboxMessage
from common.observability.headers import outgoing as outgoing_headers
from common.queries import insert


class TransactionRequired(RuntimeError):
    """``outbox_publish`` and ``inbox_record`` only make sense inside the caller's transaction."""


def _require_atomic(using: str, what: str) -> None:
    if not transaction.get_connection(using).in_atomic_block:
        raise TransactionRequired(
            f"{what} must be called inside transaction.atomic(): the message must commit "
            "or roll back together with the change that caused it"
        )


def outbox_publish(*, message: contracts.Message, using: str = "default") -> OutboxMessage:
    """Write ``message`` to the outbox, in the caller's transaction.

    The message is published only if that transaction commits: by the fast
    path, an ``on_commit`` callback that publishes it (from memory) in the
    committing thread right after the commit, otherwise by the relay
    (``manage.py outbox_relay``), which retries until the broker confirms. A
    rollback removes the row and its callback: nothing is published.

    Raises ``TransactionRequired`` outside ``transaction.atomic``.
    """
    _require_atomic(using, "outbox_publish")
    envelope = message.envelope
    spec = contracts.spec_for(envelope.type, envelope.version)
    fast_path = bool(conf.get("OUTBOX_FAST_PATH"))
    now = timezone.now()
    body = message.to_json_dict()
    row = OutboxMessage(
        id=envelope.message_id,
        type=envelope.type,
        version=envelope.version,
        task=spec.task,
        queue=spec.queue,
        body=body,
        created_at=now,
        # The fast path publishes the row from memory right after the commit; the
        # relay takes it only if it is still pending once this grace is over.
        available_at=now + timedelta(seconds=float(conf.get("OUTBOX_FAST_PATH_GRACE"))) if fast_path else now,
    )
    insert(row, using=using)  # every message of every service passes here: SQL built once
    if fast_path:
        from common.messaging.relay import publish_now

        headers = outgoing_headers(correlation_id=envelope.correlation_id)
        outgoing = replace(outgoing_for(row), headers=headers)
        transaction.on_commit(partial(publish_now, outgoing, using=using), using=using, robust=True)
    return row


def outgoing_for(row: OutboxMessage) -> Outgoing:
    """What publishing an outbox row sends."""
    return Outgoing(task=row.task, queue=row.queue, message_id=str(row.pk), body=row.body)


def inbox_record(*, message_id, message_type: str, using: str = "default") -> bool:
    """Record that this service processed ``message_id``, in the caller's transaction.

    Returns ``True`` the first time, ``False`` if the message was already
    processed (its effect is committed): the caller then does nothing. Call it
    in the same transaction as the effect, so both commit or neither does. On
    PostgreSQL a concurrent second delivery waits for the first transaction
    and then gets ``False``.
    """
    _require_atomic(using, "inbox_record")
    connection = transaction.get_connection(using)
    if connection.vendor not in ("postgresql", "sqlite"):
        try:
            with transaction.atomic(using=using):
                InboxMessage.objects.using(using).create(message_id=message_id, type=message_type)
        except IntegrityError:
            return False
        return True
    # One statement, no savepoint: the insert that conflicts does nothing.
    return insert(
        InboxMessage(message_id=message_id, type=message_type, processed_at=timezone.now()),
        using=using,
        unless_exists="message_id",
    )
