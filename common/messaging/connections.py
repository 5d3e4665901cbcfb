"""Database connections between units of work (a request, a consumer task).

Django checks a persistent connection before its first use in each unit of work
when ``CONN_HEALTH_CHECKS`` is on: one more ``SELECT 1`` round trip every time.
For a connection that ended a unit of work less than ``HEALTH_CHECK_AFTER_IDLE``
seconds ago, and ended it without an error, the check is skipped: under load
units of work run back to back, and a connection that just worked passes it. An
idle connection is checked, as Django would, and one that failed is closed.
"""

import time

from django.db import connections

HEALTH_CHECK_AFTER_IDLE = 1.0


def before_task(**kwargs) -> None:
    """A consumer task starts: close what Django would close, then skip a needless check."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    before_request()


def after_task(**kwargs) -> None:
    for connection in connections.all(initialized_only=True):
        # Closes a connection that failed during the task (Django checks it then).
        connection.close_if_unusable_or_obsolete()
    after_request()


def before_request(**kwargs) -> None:
    """A request starts; Django's own ``close_old_connections`` has run (it is connected first)."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        ended_at = getattr(connection, "unit_of_work_ended_at", None)
        recently_used = ended_at is not None and now - ended_at < HEALTH_CHECK_AFTER_IDLE
        if connection.connection is not None and recently_used and not connection.errors_occurred:
            connection.health_check_done = True


def after_request(**kwargs) -> None:
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        connection.unit_of_work_ended_at = now if connection.connection is not None else None
