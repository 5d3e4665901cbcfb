"""The relay against a real RabbitMQ: confirmed publishing, quorum queues, recovery."""

import pytest
from django.db import transaction

from common.messaging.models import OutboxMessage
from common.messaging.relay import Relay, relay_batch
from common.messaging.services import outbox_publish
from common.messaging.tests.factories import a_message

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db]


@pytest.fixture
def empty_queue(rabbitmq):
    rabbitmq.declare(["mailer"])
    rabbitmq.get_all("mailer")
    yield rabbitmq
    rabbitmq.declare(["mailer"])  # a test may have deleted it
    rabbitmq.get_all("mailer")


def write(*messages) -> None:
    with transaction.atomic():
        for message in messages:
            outbox_publish(message=message)


def test_the_relay_publishes_celery_task_messages_the_broker_confirmed(empty_queue):
    messages = [a_message(f"user{i}@example.com") for i in range(3)]
    write(*messages)

    assert Relay(interval=0).run(once=True) == 3

    assert empty_queue.message_count("mailer") == 3
    received = empty_queue.get_all("mailer")
    assert [m.task_id for m in received] == [str(m.id) for m in messages]
    assert {m.headers["task"] for m in received} == {"mailer.send"}
    assert [m.body[0] for m in received] == [[m.to_json_dict()] for m in messages]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_the_relay_declares_the_queue_as_a_quorum_queue_with_its_dead_letter_queue(empty_queue):
    assert '{"x-queue-type","quorum"}' in empty_queue.queue_arguments("mailer")
    assert '{"x-dead-letter-exchange","mailer.dead"}' in empty_queue.queue_arguments("mailer")
    assert empty_queue.message_count("mailer.dead") == 0


def test_the_relay_recovers_when_the_broker_closes_its_connection(empty_queue):
    relay = Relay(interval=0)
    write(a_message("before@example.com"))
    assert relay_batch(pub=relay.pub).published == 1

    empty_queue.close_all_connections("test: broker closed the relay's connection")
    write(a_message("after@example.com"))

    assert relay_batch(pub=relay.pub).published == 1
    assert empty_queue.message_count("mailer") == 2
    relay.pub.close()


def test_a_message_no_queue_would_take_is_not_marked_sent(empty_queue):
    relay = Relay(interval=0)
    write(a_message("before@example.com"))
    assert relay_batch(pub=relay.pub).published == 1  # connected, topology declared
    empty_queue.delete_queue("mailer")  # an operator deletes the queue under the relay

    write(a_message("lost@example.com"))
    result = relay_batch(pub=relay.pub)

    assert result.published == 0
    assert "returned" in result.error
    assert "NO_ROUTE" in result.error
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 1
    relay.pub.close()
