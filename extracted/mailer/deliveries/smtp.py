"""Sending through SMTP (Django's email backend), one reused connection per worker thread.

Opening an SMTP connection per mail (what the legacy path does) costs a TCP
and an SMTP handshake each time; the worker keeps its connection open between
messages, checks it with NOOP after it sat idle, and drops it after any error.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

_local = threading.local()


class DeliveryFailure(Exception):
    """The mail was not accepted; ``permanent``: sending it again cannot succeed."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def _connection():
    conn = getattr(_local, "connection", None)
    idle_for = time.monotonic() - getattr(_local, "last_used", 0.0)
    if conn is not None and idle_for > settings.MAILER_SMTP_IDLE_CHECK:
        smtp = getattr(conn, "connection", None)
        try:
            if smtp is not None and smtp.noop()[0] != 250:
                raise smtplib.SMTPServerDisconnected("NOOP refused")
        except (smtplib.SMTPException, OSError):
            close()
            conn = None
    if conn is None:
        conn = get_connection(fail_silently=False)
        conn.open()
        _local.connection = conn
    return conn


def close() -> None:
    conn = getattr(_local, "connection", None)
    _local.connection = None
    if conn is not None:
        with contextlib.suppress(Exception):  # the connection is being thrown away
            conn.close()


def send(message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; raises ``DeliveryFailure`` if it was not accepted."""
    try:
        conn = _connection()
        sent = conn.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        close()
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items())
        raise DeliveryFailure(
            f"recipient refused: {detail}", permanent=all(500 <= c < 600 for c in codes)
        ) from exc
    except (smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError, smtplib.SMTPHeloError) as exc:
        # The server or our configuration, not this mail: worth retrying after a fix.
        close()
        raise DeliveryFailure(
            f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=False
        ) from exc
    except smtplib.SMTPResponseException as exc:
        close()
        raise DeliveryFailure(
            f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}",
            permanent=500 <= exc.smtp_code < 600,
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        close()
        raise DeliveryFailure(f"{type(exc).__name__}: {exc}", permanent=False) from exc
    _local.last_used = time.monotonic()
    if sent != 1:
        raise DeliveryFailure("the email backend did not send the message", permanent=False)


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
