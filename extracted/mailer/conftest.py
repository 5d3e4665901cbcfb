"""Fixtures of the mailer's tests: SMTP on loopback, a RabbitMQ vhost, a real worker process."""

from pathlib import Path

import pytest

from common.messaging.fixtures import rabbitmq, smtp, smtp_server  # noqa: F401 - fixtures
from common.messaging.testing import WorkerProcess, database_url
from extracted.mailer.deliveries import smtp as smtp_sender

LOG_DIR = Path(__file__).resolve().parents[2] / "var" / "test-logs"


@pytest.fixture(autouse=True)
def _fresh_smtp_connection():
    # Each test starts with no cached SMTP connection (settings may point elsewhere).
    smtp_sender.close()
    yield
    smtp_sender.close()


@pytest.fixture(scope="module")
def mailer_worker(request, rabbitmq, smtp_server, django_db_setup):  # noqa: F811 - fixtures
    """One real mailer worker process for the test module, on the test database and vhost.

    A module sets ``WORKER_POOL = ("threads", 2)`` for a worker that holds two
    messages at once (the default is one at a time, solo pool), and
    ``WORKER_ENV`` for settings of its own.
    """
    from django.db import connection

    pool, concurrency = getattr(request.module, "WORKER_POOL", ("solo", 1))
    if connection.vendor == "sqlite":
        # SQLite has one write lock for the whole database, held by a delivery
        # during its SMTP transaction: deliveries there are one at a time anyway.
        pool, concurrency = "solo", 1

    worker = WorkerProcess(
        app="extracted.mailer.worker",
        queue="mailer",
        env={
            "DJANGO_SETTINGS_MODULE": "extracted.mailer.settings.test",
            "POLYCODE_ENV": "test",
            "MAILER_DATABASE_URL": database_url(connection.settings_dict),
            "BROKER_URL": rabbitmq.url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            **getattr(request.module, "WORKER_ENV", {}),
        },
        log_path=LOG_DIR / f"mailer-worker-{request.module.__name__.rsplit('.', 1)[-1]}.log",
        name="mailer",
        pool=pool,
        concurrency=concurrency,
    ).start()
    yield worker
    worker.stop()
