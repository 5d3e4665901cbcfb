"""pytest fixtures for messaging tests; a conftest imports the ones it needs.

``rabbitmq`` gives a vhost of this test run's own (deleted at the end) and
points the process's publisher at it; use it on tests marked ``rabbitmq``.
"""

from __future__ import annotations

import os

import pytest

from common.messaging import broker
from common.messaging.testing import RabbitVhost, SmtpSink, rabbitmqctl_available


@pytest.fixture(scope="session")
def rabbitmq():
    base = os.environ.get("BROKER_URL", "")
    if not base.startswith("amqp"):
        pytest.skip("BROKER_URL does not point to RabbitMQ")
    if not rabbitmqctl_available():
        pytest.fail("rabbitmqctl is needed to give the test run a vhost of its own", pytrace=False)
    from django.conf import settings

    vhost = RabbitVhost(base).create()
    previous = settings.BROKER_URL
    settings.BROKER_URL = vhost.url
    broker.reset()
    try:
        yield vhost
    finally:
        settings.BROKER_URL = previous
        broker.reset()
        vhost.delete()


@pytest.fixture(scope="session")
def smtp_server():
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The loopback SMTP server, emptied, with the mail settings pointing at it."""
    from django.core import mail

    smtp_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    mail.outbox = []
    yield smtp_server
    smtp_server.release()
