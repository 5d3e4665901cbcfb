"""The inbox: a consumer processes each message id once."""

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from common.messaging.models import InboxMessage
from common.messaging.selectors import inbox_seen
from common.messaging.services import TransactionRequired, inbox_record

pytestmark = pytest.mark.django_db


def test_the_first_record_of_a_message_id_says_process_it_and_the_next_says_already_done():
    message_id = uuid.uuid4()
    with transaction.atomic():
        assert inbox_record(message_id=message_id, message_type="mail.requested") is True
    with transaction.atomic():
        assert inbox_record(message_id=message_id, message_type="mail.requested") is False
        # The caller's transaction is still usable after the refusal.
        assert inbox_seen(message_id=message_id)
    assert InboxMessage.objects.count() == 1


def record_then_fail(message_id) -> None:
    with transaction.atomic():
        inbox_record(message_id=message_id, message_type="mail.requested")
        raise RuntimeError("the effect failed")


def test_a_record_whose_transaction_rolls_back_is_forgotten_so_the_message_is_processed_again():
    message_id = uuid.uuid4()
    with pytest.raises(RuntimeError):
        record_then_fail(message_id)

    assert not inbox_seen(message_id=message_id)
    with transaction.atomic():
        assert inbox_record(message_id=message_id, message_type="mail.requested") is True


@pytest.mark.django_db(transaction=True)
def test_inbox_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(TransactionRequired):
        inbox_record(message_id=uuid.uuid4(), message_type="mail.requested")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_message_at_once_are_processed_once():
    message_id = uuid.uuid4()
    first_recorded = threading.Event()
    results: dict[str, bool] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = inbox_record(message_id=message_id, message_type="mail.requested")
                first_recorded.set()
                time.sleep(0.3)  # the effect takes a while; the second delivery arrives meanwhile
        finally:
            connection.close()

    def second() -> None:
        try:
            first_recorded.wait(5)
            with transaction.atomic():
                results["second"] = inbox_record(message_id=message_id, message_type="mail.requested")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results == {"first": True, "second": False}
    assert InboxMessage.objects.filter(message_id=message_id).count() == 1
