"""The queue path of mail: a ``mail.requested`` outbox message for the mailer service.

Taken when ``monolith.flags.MAIL_VIA_QUEUE`` is on. The message is written in
the caller's transaction (its own one outside a transaction) and published
by the outbox relay once that transaction commits: a rollback sends nothing,
exactly as on the legacy path, and nobody waits for SMTP.
"""

from django.conf import settings
from django.db import transaction

import contracts
from common.identity import request_ids
from common.messaging.services import outbox_publish
from contracts.mail import MAIL_REQUESTED_V1


def mail_enqueue(*, kind: str, to: str, language: str, context: dict) -> contracts.Message:
    """Write the outbox message asking the mailer to send this mail.

    Raises ``contracts.ContractError`` (a ``ValueError``) if the request breaks
    the ``mail.requested`` v1 contract.
    """
    message = contracts.build(
        MAIL_REQUESTED_V1,
        {"kind": str(kind), "to": to, "language": language, "context": context},
        producer=settings.SERVICE_NAME,
        correlation_id=request_ids.current.get() or None,
    )
    with transaction.atomic():
        outbox_publish(message=message)
    return message
