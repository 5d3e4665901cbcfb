"""On PostgreSQL the server binds the parameters and prepares the statements a connection repeats."""

import pytest
from django.conf import settings
from django.db import connection

from common.settings.base import engine_options

pytestmark = pytest.mark.django_db


def _prepared(cursor, sql: str) -> int:
    cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [sql])
    return cursor.fetchone()[0]


def test_a_statement_run_the_threshold_of_times_is_prepared_by_the_server():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    sql = "SELECT count(*) FROM django_content_type WHERE app_label = %s"
    server_sql = sql.replace("%s", "$1")  # bound by the server: the values travel apart
    with connection.cursor() as cursor:
        for n in range(threshold):
            assert _prepared(cursor, server_sql) == 0, f"prepared after {n} runs"
            cursor.execute(sql, ["auth"])
        cursor.execute(sql, ["contenttypes"])
        assert cursor.fetchone()[0] >= 1
        assert _prepared(cursor, server_sql) == 1


def test_preparing_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "off")
    options = engine_options({"ENGINE": "django.db.backends.postgresql"})["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": None}


def test_a_sqlite_file_waits_for_its_write_lock():
    options = engine_options({"ENGINE": "django.db.backends.sqlite3"})["OPTIONS"]
    assert options == {"transaction_mode": "IMMEDIATE", "timeout": 30}
