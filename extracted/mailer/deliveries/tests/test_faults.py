"""Faults between the outbox and the SMTP server: every mail exactly once, none lost, log truthful.

One real worker process serves the module (restarted by the test that kills
it), with two threads as in production: it holds two messages at a time.
RabbitMQ is a vhost of this test run's own; SMTP is a server on loopback that
can be told to fail, refuse or hold.
"""

import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import transaction

from common.messaging import broker
from common.messaging.models import OutboxMessage
from common.messaging.relay import Relay
from common.messaging.services import outbox_publish
from common.messaging.testing import RawMessage, wait_until
from extracted.mailer.deliveries.models import DeliveryLog
from extracted.mailer.deliveries.tests.factories import example_payload, mail_message
from extracted.mailer.deliveries.tests.helpers import log_of, publish, wait_for_status

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

WORKER_POOL = ("threads", 2)
# Retries wait whole seconds, held by the broker (native delayed delivery), not by the worker.
WORKER_ENV = {"MAILER_RETRY_BACKOFF": "1.5", "MAILER_RETRY_BACKOFF_MAX": "2"}

Status = DeliveryLog.Status


@pytest.fixture(autouse=True)
def _empty_dead_letter_queue(rabbitmq, mailer_worker):
    rabbitmq.get_all("mailer.dead")


def assert_each_sent_once(smtp, messages) -> None:
    counts = smtp.message_id_counts()
    for message in messages:
        key = next((k for k in counts if k.startswith(str(message.id))), None)
        assert key is not None, f"{message.payload.to} never reached the SMTP server"
        assert counts[key] == 1, f"{message.payload.to} was sent {counts[key]} times"
    assert sum(counts.values()) == len(messages)


def test_a_worker_killed_while_holding_messages_loses_none_and_sends_each_once(mailer_worker, smtp, rabbitmq):
    held = mailer_worker.concurrency  # one message in flight per thread
    victims = [mail_message(to=f"held-{i}@example.com") for i in range(held)]
    others = [mail_message(to=f"after-kill-{i}@example.com") for i in range(6)]
    for victim in victims:
        smtp.hold(victim.payload.to)
    publish(*victims, *others)
    smtp.wait_holding(held)  # every thread is inside an SMTP transaction, nothing accepted yet
    assert {log_of(v).status for v in victims} == {Status.SENDING}

    mailer_worker.kill()
    smtp.release()

    # Nothing was acked: the broker holds every message again, those in flight included.
    total = len(victims) + len(others)
    wait_until(lambda: rabbitmq.message_count("mailer") == total, what="unacked messages back in the queue")
    assert smtp.count() == 0
    mailer_worker.start()

    wait_for_status([*victims, *others])
    assert_each_sent_once(smtp, [*victims, *others])
    for victim in victims:
        assert log_of(victim).attempts == 2
        assert "interrupted" in log_of(victim).last_error
    assert {log_of(m).attempts for m in others} == {1}


def test_a_broker_connection_dropped_mid_stream_loses_nothing_and_doubles_nothing(
    mailer_worker, smtp, rabbitmq
):
    smtp.set_delay(0.03)
    messages = [mail_message(to=f"drop-{i}@example.com") for i in range(30)]
    publish(*messages)
    wait_until(lambda: smtp.count() >= 5, what="the stream to start")

    rabbitmq.close_all_connections("test: connection dropped mid-stream")

    wait_for_status(messages, timeout=60)
    assert_each_sent_once(smtp, messages)
    assert mailer_worker.alive
    assert DeliveryLog.objects.filter(attempts__gt=1).count() == 0
    # The producer side recovers too: its kept connection was closed as well.
    late = mail_message(to="after-drop@example.com")
    publish(late)
    wait_for_status([late])
    assert_each_sent_once(smtp, [*messages, late])


def test_a_message_delivered_twice_sends_one_mail(mailer_worker, smtp):
    message = mail_message(to="twice@example.com")
    publish(message)
    wait_for_status([message])
    # As if the relay crashed after the broker's confirm, before recording it: published again.
    OutboxMessage.objects.filter(pk=message.id).update(sent_at=None)
    assert Relay(interval=0).run(once=True) == 1

    wait_until(lambda: log_of(message).duplicates == 1, what="the second delivery to be processed")
    assert_each_sent_once(smtp, [message])
    log = log_of(message)
    assert (log.status, log.attempts) == (Status.SENT, 1)


def test_an_smtp_server_answering_4xx_for_a_while_gets_the_mail_once_it_accepts(mailer_worker, smtp):
    smtp.fail_next(2)  # three attempts are allowed in the test settings
    message = mail_message(to="patience@example.com")
    publish(message)

    wait_for_status([message])
    assert smtp.rejected == 2
    assert_each_sent_once(smtp, [message])
    log = log_of(message)
    assert (log.status, log.attempts) == (Status.SENT, 3)
    assert "451" in log.last_error
    # Two back-offs of at least 0.75 s each (1.5 s with jitter, whole seconds).
    assert (log.sent_at - log.created_at).total_seconds() >= 1.0


def publish_then_fail(message) -> None:
    with transaction.atomic():
        outbox_publish(message=message)
        raise RuntimeError("the business change failed")


def test_an_outbox_row_whose_transaction_rolls_back_is_never_sent(mailer_worker, smtp):
    ghost = mail_message(to="ghost@example.com")
    with pytest.raises(RuntimeError):
        publish_then_fail(ghost)
    assert not OutboxMessage.objects.exists()

    after = mail_message(to="after-rollback@example.com")
    publish(after)  # the relay publishes what is committed: the later message only

    wait_for_status([after])
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [after.id]
    assert_each_sent_once(smtp, [after])
    assert not DeliveryLog.objects.filter(message_id=ghost.id).exists()


def test_a_poison_message_is_dead_lettered_without_blocking_the_queue(mailer_worker, smtp, rabbitmq):
    smtp.refuse("poison@example.com", "451 4.2.0 Mailbox busy, try again later")
    poison = mail_message(to="poison@example.com")
    good = mail_message(to="good@example.com")
    publish(poison, good)

    wait_for_status([good])
    wait_for_status([poison], Status.DEAD)
    log = log_of(poison)
    assert log.attempts == 3
    assert "Mailbox busy" in log.last_error
    dead = wait_until(lambda: rabbitmq.get_all("mailer.dead"), what="the dead-letter queue")
    assert [d.task_id for d in dead] == [str(poison.id)]
    assert dead[0].reason == "rejected"
    assert rabbitmq.message_count("mailer") == 0
    assert_each_sent_once(smtp, [good])


def _publish_raw_task(body, *, task_id: str | None = None) -> str:
    task_id = task_id or str(uuid.uuid4())
    broker.publisher().publish(task="mailer.send", queue="mailer", message_id=task_id, body=body)
    return task_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("language", "payload.language"),
        ("context", "payload.context.team_url"),
        ("not-an-envelope", "(message)"),
        ("wrong-type", "type"),
    ],
)
def test_a_message_breaking_its_contract_is_dead_lettered_with_the_error_logged(
    mailer_worker, smtp, rabbitmq, body, field
):
    message_id = uuid.uuid4()
    envelope = mail_message("team_member_added", message_id=message_id).to_json_dict()
    if body == "language":
        envelope["payload"]["language"] = "de"
    elif body == "context":
        envelope["payload"]["context"]["team_url"] = "not a url"
    elif body == "not-an-envelope":
        envelope = "<html>definitely not a message</html>"
    else:
        envelope["type"] = "shop.order_placed"
    _publish_raw_task(envelope, task_id=str(message_id))
    good = mail_message(to="still-working@example.com")
    publish(good)

    wait_for_status([good])
    log = DeliveryLog.objects.get(message_id=message_id)
    assert log.status == Status.DEAD
    assert field in log.last_error
    assert log.attempts == 0
    dead = wait_until(lambda: rabbitmq.get_all("mailer.dead"), what="the dead-letter queue")
    assert [d.task_id for d in dead] == [str(message_id)]
    assert mailer_worker.alive
    assert_each_sent_once(smtp, [good])


def test_a_message_that_cannot_even_be_decoded_is_dead_lettered_not_dropped(mailer_worker, smtp, rabbitmq):
    task_id = str(uuid.uuid4())
    rabbitmq.publish_raw(
        "mailer",
        RawMessage(
            "invalid JSON", b"{this is not json", headers={"task": "mailer.send", "id": task_id, "lang": "py"}
        ),
    )
    dead = wait_until(lambda: rabbitmq.get_all("mailer.dead"), what="the dead-letter queue")
    assert [d.task_id for d in dead] == [task_id]
    assert mailer_worker.alive
    good = mail_message(to="after-garbage@example.com")
    publish(good)
    wait_for_status([good])


def test_the_mailer_queue_is_a_quorum_queue_with_a_delivery_limit_and_a_dead_letter_exchange(rabbitmq):
    arguments = rabbitmq.queue_arguments("mailer")
    assert '{"x-queue-type","quorum"}' in arguments
    assert '{"x-delivery-limit",5}' in arguments
    assert '{"x-dead-letter-exchange","mailer.dead"}' in arguments
    assert '{"x-dead-letter-strategy","at-least-once"}' in arguments
    assert '{"x-queue-type","quorum"}' in rabbitmq.queue_arguments("mailer.dead")


def test_the_contract_examples_are_what_the_worker_accepts(mailer_worker, smtp):
    message = mail_message("assessment_invitation", to="candidate@example.org")
    assert message.envelope.payload == example_payload("assessment_invitation") | {
        "to": "candidate@example.org"
    }
    publish(message)
    wait_for_status([message])
    assert json.loads(json.dumps(log_of(message).envelope)) == message.to_json_dict()


def test_dead_letters_can_be_listed_then_requeued_once_the_cause_is_fixed(mailer_worker, smtp, rabbitmq):
    smtp.refuse("later@example.com", "451 4.2.0 Mailbox busy, try again later")
    message = mail_message(to="later@example.com")
    publish(message)
    wait_for_status([message], Status.DEAD)
    wait_until(lambda: rabbitmq.message_count("mailer.dead") == 1, what="the dead letter")

    listing = io.StringIO()
    call_command("dead_letters", "mailer", stdout=listing)
    assert f"{message.id}  mailer.send  rejected" in listing.getvalue()
    wait_until(lambda: rabbitmq.message_count("mailer.dead") == 1, what="the listed message to stay")

    smtp.reset()  # the mailbox accepts mail again
    call_command("dead_letters", "mailer", "--requeue", stdout=io.StringIO())

    wait_for_status([message])
    assert_each_sent_once(smtp, [message])
    assert log_of(message).attempts == 4
    assert rabbitmq.message_count("mailer.dead") == 0
