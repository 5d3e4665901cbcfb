"""The one entry point through which the monolith asks for an email.

``mail_request`` checks the request, then hands it to a delivery path: the legacy
one (render here and send through Django's email backend once the caller's
transaction has committed) or, with ``monolith.flags.MAIL_VIA_QUEUE`` on, the queue
path (an outbox message for the mailer service in the caller's transaction,
``queue.mail_enqueue``), with the same ``MailRequest``.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction

from monolith import flags
from monolith.notifications.kinds import CONTEXT_KEYS, LANGUAGES, MailKind
from monolith.notifications.queue import mail_enqueue
from monolith.notifications.rendering import render_mail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailRequest:
    """A checked request for one email: known kind and language, complete JSON context."""

    kind: str
    to: str
    language: str
    context: dict[str, Any]


def _checked(*, kind: str, to: str, language: str, context: dict) -> MailRequest:
    if kind not in MailKind.values:
        raise ValueError(f"unknown mail kind {kind!r}; known: {', '.join(MailKind.values)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown mail language {language!r}; known: {', '.join(LANGUAGES)}")
    try:
        validate_email(to)
    except ValidationError:
        raise ValueError(f"not an email address: {to!r}") from None
    if not isinstance(context, dict):
        raise ValueError("mail context must be a dict")
    expected = CONTEXT_KEYS[kind]
    if set(context) != expected:
        missing, unknown = sorted(expected - set(context)), sorted(set(context) - expected)
        raise ValueError(f"{kind} mail context: missing {missing}, unknown {unknown}")
    try:
        json.dumps(context)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{kind} mail context must be JSON-serialisable: {exc}") from None
    return MailRequest(kind=str(kind), to=to, language=language, context=dict(context))


def mail_request(*, kind: str, to: str, language: str, context: dict) -> None:
    """Ask for one email of ``kind`` to ``to``, written in ``language``.

    ``context`` holds exactly the keys ``kinds.CONTEXT_KEYS[kind]`` lists, with
    JSON values. The mail leaves only if and when the caller's transaction
    commits (at once outside a transaction); a rollback sends nothing.

    Raises ``ValueError`` for an unknown kind or language, a bad address or a
    wrong context: those are programming errors, not user input.
    """
    request = _checked(kind=kind, to=to, language=language, context=context)
    if flags.is_on(flags.MAIL_VIA_QUEUE):
        mail_enqueue(kind=request.kind, to=request.to, language=request.language, context=request.context)
        return
    _send_in_process_after_commit(request)


def _send_in_process_after_commit(request: MailRequest) -> None:
    # Rendered now, inside the caller's request, so a template error fails loudly
    # where it was caused; only the sending waits for the commit.
    rendered = render_mail(kind=request.kind, language=request.language, context=request.context)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.to],
    )
    message.attach_alternative(rendered.html, "text/html")

    def send() -> None:
        # The data is committed by now: a delivery failure must not turn the
        # caller's success into an error. The legacy path does not retry; the
        # queue path exists for that.
        try:
            message.send()
        except Exception:
            logger.exception("mail.send_failed kind=%s language=%s", request.kind, request.language)
        else:
            logger.info("mail.sent kind=%s language=%s", request.kind, request.language)

    transaction.on_commit(send)
