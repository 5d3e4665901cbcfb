"""Fixtures of the messaging tests (run under the monolith's test settings)."""

import pytest
from kombu import Connection

from common.messaging import broker
from common.messaging.fixtures import rabbitmq  # noqa: F401 - fixture
from common.messaging.relay import resume_fast_path

TEST_QUEUES = ("mailer", "mailer.dead")


@pytest.fixture(autouse=True)
def _no_fast_path(settings):
    # Committed outbox rows are published only by the relay a test runs (a test of the
    # fast path turns it back on), never to whatever broker the environment names.
    settings.OUTBOX_FAST_PATH = False


@pytest.fixture
def memory_broker(settings):
    """An in-process broker (kombu's memory transport), emptied before and after the test."""
    settings.BROKER_URL = "memory://"
    broker.reset()
    resume_fast_path()
    with Connection("memory://") as conn:
        for queue in TEST_QUEUES:
            conn.default_channel.queue_purge(queue)
        yield conn
        for queue in TEST_QUEUES:
            conn.default_channel.queue_purge(queue)
    broker.reset()
    resume_fast_path()


@pytest.fixture
def broker_down(settings):
    """A broker URL where nothing listens."""
    from common.messaging.testing import free_port

    settings.BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    settings.MESSAGING_CONNECT_TIMEOUT = 1
    broker.reset()
    resume_fast_path()
    yield settings.BROKER_URL
    broker.reset()
    resume_fast_path()
