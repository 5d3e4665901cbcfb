"""The mailer's consumer task: thin, named after the contract, retried with back-off."""

import logging
import uuid

from django.db import DatabaseError

import contracts
from common.messaging.broker import MessageTask
from contracts.mail import MAIL_REQUESTED_V1
from extracted.mailer.deliveries import services
from extracted.mailer.worker import app

logger = logging.getLogger(__name__)


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@app.task(base=MessageTask, bind=True, name=MAIL_REQUESTED_V1.task)
def send_mail(self, *args, **kwargs):
    """Deliver one ``mail.requested`` message (the envelope is the only argument)."""
    body = args[0] if len(args) == 1 and not kwargs else {"args": list(args), "kwargs": kwargs}
    try:
        message = contracts.parse(body, expect=MAIL_REQUESTED_V1)
    except contracts.ContractError as exc:
        message_id = contracts.messages.message_id_of(body) or _uuid(self.request.id) or uuid.uuid4()
        try:
            services.delivery_reject_invalid(message_id=message_id, raw=body, error=str(exc))
        except DatabaseError:
            # The dead-letter queue still holds the message, and this log line the error.
            logger.exception("mailer.invalid_not_recorded id=%s", message_id)
        self.dead_letter(reason=f"contract: {exc}")
    try:
        outcome = services.delivery_send(message=message, last_attempt=self.is_last_attempt)
    except DatabaseError as exc:
        self.retry_later(reason=f"database: {exc}")  # dead-letters on the last attempt
    if outcome.status == "retry":
        self.retry_later(reason=outcome.error)
    if outcome.status == "dead":
        self.dead_letter(reason=outcome.error)
    return outcome.status
