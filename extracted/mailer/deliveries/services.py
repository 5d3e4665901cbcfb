"""Delivering ``mail.requested`` messages exactly once as far as SMTP allows.

The order of one delivery (``delivery_send``):

1. *claim* — in a short transaction, lock (or create) the message's delivery
   log row; if the inbox says the message was processed, count a duplicate
   and stop. Otherwise set ``sending`` with a fresh claim token and commit.
2. *transmit* — in a second transaction, re-take the row lock with an UPDATE
   that matches our claim token (if another delivery of the same message took
   the claim meanwhile, stop: it sends), hand the mail to SMTP while holding
   the lock, then write ``sent`` and the inbox record and commit.

So a redelivered message whose mail was sent (its ack lost, its worker killed
after the commit) finds the inbox record and sends nothing; a concurrent
second delivery waits on the row lock and then finds it too. What remains
at-least-once: a crash (or a failed commit) after the SMTP server accepted
the mail and before step 2 commits; the next delivery finds ``sending`` with
a dead claim and sends again. SMTP has no idempotency key; the ``Message-ID``
header (derived from the message id) lets clients and MTAs drop that rare copy.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import contracts
from common.errors import Conflict
from common.messaging.selectors import inbox_seen
from common.messaging.services import inbox_record, outbox_publish
from common.observability import metrics
from common.queries import insert, update_where
from contracts.mail import MAIL_REQUESTED_V1
from extracted.mailer.deliveries import smtp
from extracted.mailer.deliveries.models import DeliveryLog
from extracted.mailer.deliveries.rendering import render_mail

logger = logging.getLogger(__name__)

Status = DeliveryLog.Status


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery attempt.

    ``sent``; ``duplicate`` (already sent, nothing done); ``superseded``
    (another delivery of the same message holds it); ``retry`` (transient
    failure); ``dead`` (will never be sent: dead-letter it).
    """

    status: str
    error: str = ""


def build_email(*, message: contracts.Message) -> EmailMultiAlternatives:
    """The email of a ``mail.requested`` message: rendered parts, recipient, stable Message-ID."""
    payload = message.payload
    rendered = render_mail(kind=payload.kind, language=payload.language, context=payload.context.model_dump())
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[payload.to],
        headers={"Message-ID": f"<{message.id}@{settings.MAILER_MESSAGE_ID_DOMAIN}>"},
    )
    email.attach_alternative(rendered.html, "text/html")
    return email


def delivery_send(*, message: contracts.Message, last_attempt: bool) -> Outcome:
    """Send the mail of ``message`` unless it was sent already; record what happened.

    ``last_attempt``: a transient failure ends the message as ``dead`` instead
    of ``failed`` (the caller then dead-letters it rather than retrying).
    """
    try:
        email = build_email(message=message)
    except Exception as exc:
        error = f"rendering failed: {type(exc).__name__}: {exc}"
        logger.exception("mailer.render_failed id=%s", message.id)
        _delivery_record_dead(message=message, error=error)
        return Outcome("dead", error)
    claim = _delivery_claim(message=message)
    if claim is None:
        return Outcome("duplicate")
    return _delivery_transmit(message=message, claim=claim, email=email, last_attempt=last_attempt)


def _log_fields(message: contracts.Message) -> dict[str, Any]:
    payload = message.payload
    return {
        "kind": payload.kind,
        "recipient": payload.to,
        "language": payload.language,
        "envelope": message.to_json_dict(),
        "producer": message.envelope.producer,
        "correlation_id": message.envelope.correlation_id or "",
    }


def _delivery_claim(*, message: contracts.Message) -> uuid.UUID | None:
    claim = uuid.uuid4()
    # First delivery, the usual case: one INSERT, committed on its own (no BEGIN/COMMIT
    # around it). The row did not exist, so no attempt was ever made (the log row is
    # written before any attempt and outlives the inbox record).
    log = DeliveryLog(
        message_id=message.id,
        status=Status.SENDING,
        claim=claim,
        attempts=1,
        last_attempt_at=timezone.now(),
        **_log_fields(message),
    )
    # One statement that raises nothing on a conflict: no savepoint, no transaction of its own.
    if insert(log, unless_exists="message_id"):
        return claim
    return _delivery_claim_again(message=message)


@transaction.atomic
def _delivery_claim_again(*, message: contracts.Message) -> uuid.UUID | None:
    # A retry, a redelivery or a resend: the row exists, lock it.
    log = DeliveryLog.objects.select_for_update().get(message_id=message.id)
    if inbox_seen(message_id=message.id):
        DeliveryLog.objects.filter(pk=log.pk).update(duplicates=F("duplicates") + 1)
        logger.info("mailer.duplicate id=%s: already sent, nothing to do", message.id)
        return None
    if log.status == Status.SENDING:
        # The previous attempt took the claim but never recorded an outcome: it
        # crashed, or it is about to find its claim taken. Either way we send.
        log.last_error = "an earlier attempt was interrupted while sending; sending again"
        logger.warning("mailer.takeover id=%s attempts=%s", message.id, log.attempts)
    log.status = Status.SENDING
    log.claim = uuid.uuid4()
    log.attempts += 1
    log.last_attempt_at = timezone.now()
    log.save(update_fields=["status", "claim", "attempts", "last_attempt_at", "last_error", "updated_at"])
    return log.claim


@transaction.atomic
def _delivery_transmit(
    *, message: contracts.Message, claim: uuid.UUID, email: EmailMultiAlternatives, last_attempt: bool
) -> Outcome:
    claimed = {"message_id": message.id, "claim": claim, "status": Status.SENDING}

    def mine(**values) -> int:
        """Update the row this attempt claimed (``sending`` with its claim token); rows changed."""
        return update_where(DeliveryLog, where=claimed, values=values)

    # This UPDATE takes the row lock (the database write lock on SQLite) for the
    # whole SMTP transaction: a concurrent delivery of the same message waits here.
    if not mine(updated_at=timezone.now()):
        logger.info("mailer.superseded id=%s: another delivery holds the claim", message.id)
        return Outcome("superseded")
    try:
        smtp.send(email)
    except smtp.DeliveryFailure as exc:
        dead = exc.permanent or last_attempt
        error = str(exc)[:4000]
        mine(status=Status.DEAD if dead else Status.FAILED, claim=None, last_error=error)
        logger.warning("mailer.send_failed id=%s dead=%s error=%s", message.id, dead, error)
        metrics.mail_result("dead" if dead else "retry", message.payload.kind)
        return Outcome("dead" if dead else "retry", error)
    mine(status=Status.SENT, claim=None, sent_at=timezone.now())
    inbox_record(message_id=message.id, message_type=message.envelope.type)
    logger.info(
        "mailer.sent id=%s kind=%s language=%s", message.id, message.payload.kind, message.payload.language
    )
    metrics.mail_result("sent", message.payload.kind)
    return Outcome("sent")


@transaction.atomic
def _delivery_record_dead(*, message: contracts.Message, error: str) -> None:
    DeliveryLog.objects.update_or_create(
        message_id=message.id,
        defaults={**_log_fields(message), "status": Status.DEAD, "claim": None, "last_error": error[:4000]},
    )


@transaction.atomic
def delivery_reject_invalid(*, message_id: uuid.UUID, raw: Any, error: str) -> DeliveryLog:
    """Record a message that breaks its contract as ``dead``, with the validation error."""
    log, created = DeliveryLog.objects.select_for_update().get_or_create(
        message_id=message_id,
        defaults={"status": Status.DEAD, "last_error": error[:4000], "envelope": _jsonable(raw)},
    )
    if not created and log.status != Status.SENT:
        log.status = Status.DEAD
        log.claim = None
        log.last_error = error[:4000]
        log.save(update_fields=["status", "claim", "last_error", "updated_at"])
    return log


@transaction.atomic
def delivery_resend(*, log: DeliveryLog) -> DeliveryLog:
    """Send the mail of ``log`` again, as a new message with its own id and delivery log.

    The original row keeps its history; the new one points to it. The new
    message goes through the mailer's outbox (published after commit).
    Raises ``Conflict`` for a message that breaks its contract (nothing to resend).
    """
    try:
        original = contracts.parse(log.envelope, expect=MAIL_REQUESTED_V1)
    except contracts.ContractError as exc:
        raise Conflict(f"this message breaks its contract and cannot be resent: {exc}") from None
    message = contracts.build(
        MAIL_REQUESTED_V1,
        original.envelope.payload,
        producer=settings.SERVICE_NAME,
        correlation_id=original.envelope.correlation_id,
        causation_id=original.id,
    )
    resend = DeliveryLog.objects.create(
        message_id=message.id, status=Status.QUEUED, resend_of=log, **_log_fields(message)
    )
    outbox_publish(message=message)
    logger.info("mailer.resend id=%s of=%s", message.id, original.id)
    return resend


def _jsonable(raw: Any) -> Any:
    if raw is None or isinstance(raw, dict | list | str | int | float | bool):
        return raw
    return repr(raw)[:10000]
