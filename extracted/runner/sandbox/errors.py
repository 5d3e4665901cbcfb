"""Errors of the sandbox library (no web framework involved).

Callers map them to their own error shape: the runner service maps ``InputError``
to 400 naming ``field``, ``Busy`` to 503 with ``Retry-After``.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every error raised by the sandbox library."""


class SandboxUnavailable(SandboxError):
    """No sandbox can be built on this host: running code here would be unsafe."""


class InputError(SandboxError):
    """A request the sandbox refuses; ``field`` names the input to fix."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


class LimitError(InputError):
    """A limit that is unknown, malformed or beyond its maximum."""


class UnknownLanguage(InputError):
    def __init__(self, language: str, known: list[str]):
        super().__init__(
            f"Unknown language {language!r}; known languages: {', '.join(known)}.", field="language"
        )
        self.known = known


class Busy(SandboxError):
    """Every run slot and every queue place is taken; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
