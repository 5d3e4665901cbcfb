"""Log filters shared by every service."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is an answer, not a fault: its log line keeps no traceback.

    Django logs a ``PermissionDenied`` turned into a 403 with the exception attached,
    which prints a traceback for every staff page a non-staff user opens.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
