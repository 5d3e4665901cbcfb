"""Health checks of database connections between requests and tasks."""

import pytest

from common.messaging import connections as units


class _Connection:
    """Stands for a Django database connection: what the request and task signals look at."""

    def __init__(self):
        self.connection = object()  # open
        self.health_check_done = True
        self.errors_occurred = False

    def close_if_unusable_or_obsolete(self):
        self.health_check_done = False  # Django's: the next query checks the connection first


@pytest.fixture
def db_connection(monkeypatch):
    connection = _Connection()
    monkeypatch.setattr("django.db.connections.all", lambda initialized_only=False: [connection])
    return connection


def test_a_connection_that_just_served_a_request_or_task_is_not_health_checked_again(db_connection):
    units.after_task()
    units.before_task()

    assert db_connection.health_check_done is True


def test_a_connection_that_sat_idle_is_health_checked_before_the_next_unit(db_connection, monkeypatch):
    units.after_task()
    now = units.time.monotonic()
    monkeypatch.setattr(units.time, "monotonic", lambda: now + units.HEALTH_CHECK_AFTER_IDLE + 1)
    units.before_task()

    assert db_connection.health_check_done is False


def test_a_connection_that_failed_is_health_checked_even_if_recent(db_connection):
    units.after_task()
    db_connection.errors_occurred = True
    units.before_task()

    assert db_connection.health_check_done is False


def test_a_fresh_or_closed_connection_is_health_checked_as_django_would(db_connection):
    units.before_task()  # no unit of work ended on it yet
    assert db_connection.health_check_done is False

    units.after_task()
    db_connection.connection = None  # closed after the unit (it failed, or it was too old)
    units.before_task()
    assert db_connection.health_check_done is False


def test_requests_only_skip_the_check_and_leave_closing_to_django(db_connection):
    units.after_request()
    units.before_request()

    # Django's close_old_connections (connected first) decides about closing; this only skips the check.
    assert db_connection.health_check_done is True
    db_connection.connection = None
    units.after_request()
    assert db_connection.unit_of_work_ended_at is None
