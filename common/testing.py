"""Helpers for any service's tests that need a real database failure (PostgreSQL)."""

from django.db import connections


def drop_database_connection(alias: str = "default") -> None:
    """End this thread's session on the database server, as a restart or a failover does.

    The client side is left as it is: its next query finds the connection gone.
    """
    connection = connections[alias]
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    other = connections.create_connection(alias)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
    finally:
        other.close()
    raise AssertionError(f"the database session {pid} did not end")
