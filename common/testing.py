"""Helpers for any service's tests: a real database failure (PostgreSQL), API fuzzing (schemathesis)."""

from collections.abc import Callable

from django.core import signals
from django.db import close_old_connections, connections


def drop_database_connection(alias: str = "default") -> None:
    """End this thread's session on the database server, as a restart or a failover does.

    The client side is left as it is: its next query finds the connection gone.
    """
    connection = connections[alias]
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
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


def api_operations(schema_path: str = "/api/schema/") -> dict:
    """Every operation of this service's OpenAPI schema, served by its own WSGI application, by label."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi(schema_path, get_wsgi_application())
    return {result.ok().label: result.ok() for result in schema.get_all_operations()}


def fuzz(operation, *, headers: Callable[[], dict[str, str]], max_examples: int = 25) -> None:
    """Send ``operation`` requests schemathesis generates, valid and invalid, with fresh ``headers()`` each.

    Fails on any 5xx but a 503 the operation documents (a service it forwards to is
    down: absent in these tests), a response its schema does not describe, or a
    content type it does not declare. Bounded by ``max_examples`` per generation mode.
    """
    # As Django's test client does: the WSGI application must not close the test's
    # connection at the end of each request (the test's transaction would go with it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        _fuzz(operation, headers=headers, max_examples=max_examples)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(operation, *, headers: Callable[[], dict[str, str]], max_examples: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import content_type_conformance, response_schema_conformance

    checks = [response_schema_conformance, content_type_conformance]
    documented = set(operation.definition.raw.get("responses", {}))
    for mode in GenerationMode:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples every run: CI is reproducible
            suppress_health_check=list(HealthCheck),
        )
        def send(case):
            response = case.call_and_validate(headers=headers(), checks=checks)
            allowed = response.status_code < 500 or (response.status_code == 503 and "503" in documented)
            assert allowed, (
                f"{case.method} {case.formatted_path} {case.query or ''}: "
                f"{response.status_code} {response.text[:500]}"
            )

        send()
