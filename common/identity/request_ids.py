"""Request ids: taken from ``X-Request-ID`` when well-formed, generated otherwise.

The current id lives in a context variable so logs and outgoing calls of the
same request can carry it; ``RequestIdFilter`` adds it to log records.
"""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def from_header(value: str | None) -> str:
    """``value`` if it is a safe id to keep, else a new one."""
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` (``-`` outside a request) for log formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get() or "-"
        return True
