"""The outbox, its on-commit fast path, the relay and pruning (in-process broker or none at all)."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from common.messaging.models import InboxMessage, OutboxMessage
from common.messaging.relay import Relay, RelayError, publish_now, relay_batch
from common.messaging.services import TransactionRequired, outbox_publish, outgoing_for
from common.messaging.tasks import messaging_prune, prune
from common.messaging.tests.factories import a_message

pytestmark = pytest.mark.django_db


def take(conn, queue: str = "mailer") -> list:
    """Every message waiting in ``queue`` of the in-process broker."""
    taken = []
    while (message := conn.default_channel.basic_get(queue, no_ack=True)) is not None:
        taken.append(message)
    return taken


def write(*messages) -> None:
    with transaction.atomic():
        for message in messages:
            outbox_publish(message=message)


@pytest.mark.django_db(transaction=True)
def test_outbox_publish_refuses_to_run_outside_a_transaction():
    with pytest.raises(TransactionRequired, match=r"transaction\.atomic"):
        outbox_publish(message=a_message())
    assert not OutboxMessage.objects.exists()


def test_outbox_publish_writes_the_message_and_where_it_goes_in_the_callers_transaction():
    message = a_message()
    write(message)

    row = OutboxMessage.objects.get()
    assert row.pk == message.id
    assert (row.type, row.version, row.task, row.queue) == ("mail.requested", 1, "mailer.send", "mailer")
    assert row.body == message.to_json_dict()
    assert (row.sent_at, row.attempts) == (None, 0)


def publish_then_fail(message) -> None:
    with transaction.atomic():
        outbox_publish(message=message)
        raise RuntimeError("the business change failed")


def test_a_rolled_back_transaction_leaves_no_outbox_row():
    with pytest.raises(RuntimeError):
        publish_then_fail(a_message())
    assert not OutboxMessage.objects.exists()


def test_the_fast_path_publishes_right_after_commit_and_not_before(
    memory_broker, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_FAST_PATH = True
    message = a_message()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        outbox_publish(message=message)
        assert take(memory_broker) == []  # still inside the transaction: nothing published

    assert len(callbacks) == 1
    [published] = take(memory_broker)
    assert published.headers["task"] == "mailer.send"
    assert published.headers["id"] == str(message.id)
    args, kwargs, _ = json.loads(published.body)
    assert (args, kwargs) == ([message.to_json_dict()], {})
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_by_default_the_fast_path_publishes_in_the_committing_thread_when_the_commit_returns(
    memory_broker, settings
):
    del settings.OUTBOX_FAST_PATH  # the default (these tests turn it off)
    threads_before = set(threading.enumerate())
    messages = [a_message(f"user{i}@example.com") for i in range(3)]
    write(*messages)  # a real commit: the on-commit callbacks run before it returns

    assert sorted(m.headers["id"] for m in take(memory_broker)) == sorted(str(m.id) for m in messages)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert set(threading.enumerate()) <= threads_before  # no thread was started to publish


def test_the_relay_publishes_due_rows_oldest_first_and_marks_them_sent(memory_broker):
    first, second = a_message("first@example.com"), a_message("second@example.com")
    write(first)
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(seconds=5))
    write(second)

    result = relay_batch()

    assert (result.published, result.error) == (2, None)
    assert [m.headers["id"] for m in take(memory_broker)] == [str(first.id), str(second.id)]
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert relay_batch().published == 0
    assert take(memory_broker) == []


def test_the_relay_waits_for_a_rows_backoff_to_elapse(memory_broker):
    message = a_message()
    write(message)
    OutboxMessage.objects.update(available_at=timezone.now() + timedelta(minutes=1))

    assert relay_batch().published == 0
    OutboxMessage.objects.update(available_at=timezone.now())
    assert relay_batch().published == 1


def test_the_relay_publishes_in_batches(memory_broker):
    write(*[a_message(f"user{i}@example.com") for i in range(5)])

    assert relay_batch(limit=2).published == 2
    assert Relay(batch=2, interval=0).run(once=True) == 3
    assert len(take(memory_broker)) == 5


def test_with_the_broker_down_rows_stay_pending_with_their_error_and_a_backoff(broker_down):
    message = a_message()
    write(message)
    before = timezone.now()

    result = relay_batch()

    assert result.published == 0
    assert result.error
    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error == result.error
    assert row.available_at > before
    OutboxMessage.objects.update(available_at=timezone.now())
    with pytest.raises(RelayError):
        Relay(interval=0).run(once=True)


def test_the_fast_path_gives_up_at_once_when_the_broker_is_down_and_leaves_the_row_to_the_relay(
    broker_down, settings
):
    settings.OUTBOX_FAST_PATH = True  # the row gets the relay's grace, as the fast path would have it
    message = a_message()
    write(message)
    row = OutboxMessage.objects.get()
    assert row.available_at > timezone.now()

    started = time.monotonic()
    assert publish_now(outgoing_for(row)) == 0
    assert time.monotonic() - started < 3
    row = OutboxMessage.objects.get()
    assert (row.sent_at, row.attempts) == (None, 1)
    assert row.last_error
    assert row.available_at <= timezone.now()  # given back to the relay at once

    # Paused: the next commit does not wait for the broker again.
    started = time.monotonic()
    assert publish_now(outgoing_for(row)) == 0
    assert time.monotonic() - started < 0.05
    assert OutboxMessage.objects.get().sent_at is None


def test_the_relay_leaves_a_fresh_row_to_the_fast_path_for_its_grace_then_takes_it(memory_broker, settings):
    settings.OUTBOX_FAST_PATH = True
    settings.OUTBOX_FAST_PATH_GRACE = 60
    message = a_message()
    with transaction.atomic():  # the on-commit fast path never runs in this test's transaction
        outbox_publish(message=message)

    assert relay_batch().published == 0
    OutboxMessage.objects.update(available_at=timezone.now())  # the grace is over, the row still pending
    assert relay_batch().published == 1
    assert [m.headers["id"] for m in take(memory_broker)] == [str(message.id)]


def test_the_fast_path_publishes_from_memory_and_marks_the_row_sent_with_one_update(
    memory_broker, django_assert_num_queries
):
    message = a_message()
    write(message)
    outgoing = outgoing_for(OutboxMessage.objects.get())

    with django_assert_num_queries(1):
        assert publish_now(outgoing) == 1
    assert [m.headers["id"] for m in take(memory_broker)] == [str(message.id)]
    assert OutboxMessage.objects.get().sent_at is not None


def test_the_relay_command_publishes_everything_due_once(memory_broker, capsys):
    write(a_message(), a_message())

    call_command("outbox_relay", "--once")

    assert "published 2 message(s)" in capsys.readouterr().out
    assert len(take(memory_broker)) == 2


def test_the_relay_command_fails_loudly_when_the_broker_refuses(broker_down):
    write(a_message())
    with pytest.raises(CommandError, match="did not take a message"):
        call_command("outbox_relay", "--once")


def test_prune_deletes_only_old_sent_rows_and_old_inbox_ids(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    settings.INBOX_RETENTION_DAYS = 30
    old, recent, pending = a_message(), a_message(), a_message()
    write(old, recent, pending)
    now = timezone.now()
    OutboxMessage.objects.filter(pk=old.id).update(sent_at=now - timedelta(days=8))
    OutboxMessage.objects.filter(pk=recent.id).update(sent_at=now - timedelta(days=1))
    OutboxMessage.objects.filter(pk=pending.id).update(created_at=now - timedelta(days=60))
    InboxMessage.objects.create(message_id=old.id, type="x", processed_at=now - timedelta(days=31))
    InboxMessage.objects.create(message_id=recent.id, type="x", processed_at=now - timedelta(days=29))

    assert messaging_prune() == (1, 1)
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.id, pending.id}
    assert list(InboxMessage.objects.values_list("pk", flat=True)) == [recent.id]


def test_the_prune_task_prunes_this_services_tables(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    old, recent = a_message(), a_message()
    write(old, recent)
    OutboxMessage.objects.filter(pk=old.id).update(sent_at=timezone.now() - timedelta(days=8))
    OutboxMessage.objects.filter(pk=recent.id).update(sent_at=timezone.now())

    assert prune() == (1, 0)  # the task's body, in this test's transaction
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.id]
