"""The Celery configuration and queue topology every service shares."""

import pytest

from common.messaging import broker
from common.messaging.testing import RawMessage, malformed_task_messages


def test_the_celery_app_acks_late_rejects_failures_and_prefetches_one():
    app = broker.make_celery_app("test", consume=["mailer"])
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_acks_on_failure_or_timeout is False
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_retry_on_startup is True
    assert conf.broker_connection_max_retries is None
    assert conf.task_routes["mailer.send"] == {"queue": "mailer"}
    assert [q.name for q in conf.task_queues] == ["mailer"]
    assert conf.worker_consumer.endswith("DeadLetteringConsumer")


def test_publishers_know_every_queue_a_contract_routes_to():
    app = broker.make_celery_app("test")
    assert {q.name for q in app.conf.task_queues} >= {"mailer"}


@pytest.mark.parametrize(
    ("url", "confirms"), [("amqp://guest:guest@127.0.0.1:5672//", True), ("memory://", False)]
)
def test_publisher_confirms_are_on_for_rabbitmq(settings, url, confirms):
    settings.BROKER_URL = url
    app = broker.make_celery_app("test")
    assert app.conf.broker_transport_options.get("confirm_publish", False) is confirms


def test_the_embedded_broker_keeps_its_files_under_var_broker(settings, tmp_path):
    settings.BROKER_URL = "filesystem://"
    settings.MESSAGING_BROKER_DIR = tmp_path / "broker"
    options = broker.make_celery_app("test").conf.broker_transport_options
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path / "broker" / "queue")
    assert (tmp_path / "broker" / "control").is_dir()


def test_a_consumer_queue_is_a_quorum_queue_with_a_delivery_limit_dead_lettering_to_its_own_queue(settings):
    settings.MESSAGING_DELIVERY_LIMIT = 7
    queue = broker.task_queue("mailer")
    assert queue.durable
    assert (queue.exchange.type, queue.routing_key) == ("topic", "mailer")
    assert queue.queue_arguments == {
        "x-queue-type": "quorum",
        "x-delivery-limit": 7,
        "x-dead-letter-exchange": "mailer.dead",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    dead = broker.dead_letter_queue("mailer")
    assert (dead.name, dead.exchange.name, dead.exchange.type) == ("mailer.dead", "mailer.dead", "fanout")
    assert dead.queue_arguments == {"x-queue-type": "quorum"}


def test_retry_delays_grow_exponentially_with_jitter_up_to_a_cap(settings):
    settings.MESSAGING_RETRY_BACKOFF = 2.0
    settings.MESSAGING_RETRY_BACKOFF_MAX = 60.0
    for attempt, full in [(0, 2.0), (1, 4.0), (3, 16.0), (10, 60.0)]:
        delays = [broker.retry_delay(attempt) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len({round(d, 6) for d in delays}) > 100  # jittered, not one value


def _delivery(raw):
    from kombu.message import Message

    return Message(
        body=raw.body,
        content_type=raw.content_type,
        content_encoding="utf-8",
        headers=raw.headers,
        accept={"application/json"},
    )


#: Shapes Celery itself cannot survive: refused before Celery sees them.
REFUSED_BEFORE_CELERY = {
    "object", "null", "empty list", "string", "number", "two elements", "four elements",
    "args not a list", "kwargs not an object", "embed not an object", "embed asks for a callback",
    "invalid JSON", "empty body", "not UTF-8", "plain text", "pickle", "yaml",
    "no task header", "task header not a string", "no id header",
}  # fmt: skip


@pytest.mark.parametrize("raw", malformed_task_messages("mailer.send"), ids=lambda raw: raw.name)
def test_a_delivery_celery_cannot_turn_into_a_task_is_refused_with_its_reason(raw):
    reason = broker.unprocessable_reason(_delivery(raw))
    if raw.name in REFUSED_BEFORE_CELERY:
        assert reason
    else:  # well-formed: the task refuses it (contract, arguments) or Celery does (headers, unknown task)
        assert reason is None


def test_a_message_as_this_system_publishes_it_is_processable():
    import json

    app = broker.make_celery_app("test", consume=["mailer"])
    message = app.amqp.as_task_v2("0b8d5c3e-7a4a-4a49-8f0c-3e1f6f9b2a10", "mailer.send", args=[{"a": 1}])
    raw = RawMessage("ours", json.dumps(message.body).encode(), headers=message.headers)
    assert broker.unprocessable_reason(_delivery(raw)) is None
