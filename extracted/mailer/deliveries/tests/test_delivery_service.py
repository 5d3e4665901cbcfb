"""delivery_send against a real SMTP server on loopback, in-process (no broker)."""

import uuid

import pytest

from common.errors import Conflict
from common.messaging.models import InboxMessage, OutboxMessage
from common.messaging.testing import free_port
from extracted.mailer.deliveries import services
from extracted.mailer.deliveries.models import DeliveryLog
from extracted.mailer.deliveries.services import delivery_resend, delivery_send
from extracted.mailer.deliveries.tests.factories import mail_message

pytestmark = pytest.mark.django_db

Status = DeliveryLog.Status


def log_of(message) -> DeliveryLog:
    return DeliveryLog.objects.get(message_id=message.id)


def test_a_message_is_sent_once_to_its_recipient_in_its_language(smtp):
    message = mail_message("team_member_added", to="grace@example.com", language="fr")

    outcome = delivery_send(message=message, last_attempt=False)

    assert outcome.status == "sent"
    [mail] = smtp.mails()
    assert mail.recipients == ["grace@example.com"]
    assert mail.message_id.startswith(str(message.id))
    assert mail.subject == "Vous faites désormais partie de l'équipe Rock & Roll"
    assert "Son capitaine est ada." in mail.text
    assert "Rock &amp; Roll" in mail.html
    log = log_of(message)
    assert (log.status, log.attempts, log.kind, log.recipient, log.language) == (
        Status.SENT,
        1,
        "team_member_added",
        "grace@example.com",
        "fr",
    )
    assert log.sent_at is not None
    assert log.claim is None
    assert InboxMessage.objects.filter(message_id=message.id).exists()


def test_a_message_delivered_twice_sends_one_mail_and_counts_the_duplicate(smtp):
    message = mail_message()

    first = delivery_send(message=message, last_attempt=False)
    second = delivery_send(message=message, last_attempt=False)

    assert (first.status, second.status) == ("sent", "duplicate")
    assert smtp.count() == 1
    log = log_of(message)
    assert (log.status, log.attempts, log.duplicates) == (Status.SENT, 1, 1)


def test_a_4xx_answer_is_retried_and_the_next_attempt_sends(smtp):
    message = mail_message()
    smtp.fail_next(1)

    outcome = delivery_send(message=message, last_attempt=False)

    assert outcome.status == "retry"
    assert "451" in outcome.error
    log = log_of(message)
    assert (log.status, log.attempts) == (Status.FAILED, 1)
    assert "451" in log.last_error
    assert smtp.count() == 0

    assert delivery_send(message=message, last_attempt=False).status == "sent"
    assert smtp.count() == 1
    assert (log_of(message).status, log_of(message).attempts) == (Status.SENT, 2)


def test_a_4xx_answer_on_the_last_attempt_makes_the_message_dead(smtp):
    message = mail_message()
    smtp.refuse("ada@example.com", "451 4.2.0 Mailbox busy")

    outcome = delivery_send(
        message=mail_message(to="ada@example.com", message_id=message.id), last_attempt=True
    )

    assert outcome.status == "dead"
    log = log_of(message)
    assert log.status == Status.DEAD
    assert "451" in log.last_error
    assert "Mailbox busy" in log.last_error


def test_a_5xx_refusal_is_permanent_and_makes_the_message_dead_at_once(smtp):
    message = mail_message(to="nobody@example.com")
    smtp.refuse("nobody@example.com", "550 5.1.1 No such user")

    outcome = delivery_send(message=message, last_attempt=False)

    assert outcome.status == "dead"
    assert "550" in log_of(message).last_error
    assert log_of(message).status == Status.DEAD
    assert not InboxMessage.objects.filter(message_id=message.id).exists()


def test_an_unreachable_smtp_server_is_a_transient_failure(settings, smtp):
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 1
    message = mail_message()

    outcome = delivery_send(message=message, last_attempt=False)

    assert outcome.status == "retry"
    assert log_of(message).status == Status.FAILED
    assert "Connection refused" in log_of(message).last_error or "Errno" in log_of(message).last_error


def test_an_attempt_interrupted_while_sending_is_taken_over_and_sent(smtp):
    message = mail_message()
    stale_claim = services._delivery_claim(message=message)  # a worker claimed it, then died
    assert stale_claim is not None
    assert log_of(message).status == Status.SENDING

    outcome = delivery_send(message=message, last_attempt=False)

    assert outcome.status == "sent"
    assert smtp.count() == 1
    log = log_of(message)
    assert (log.status, log.attempts) == (Status.SENT, 2)
    assert "interrupted" in log.last_error


def test_an_attempt_whose_claim_was_taken_over_sends_nothing(smtp):
    message = mail_message()
    email = services.build_email(message=message)
    first_claim = services._delivery_claim(message=message)
    services._delivery_claim(message=message)  # a redelivery took over meanwhile

    outcome = services._delivery_transmit(message=message, claim=first_claim, email=email, last_attempt=False)

    assert outcome.status == "superseded"
    assert smtp.count() == 0


def test_the_smtp_connection_is_reused_between_mails(smtp):
    for _ in range(3):
        delivery_send(message=mail_message(), last_attempt=False)

    assert smtp.count() == 3
    assert len({id(services.smtp._local.connection)}) == 1
    assert services.smtp._local.connection.connection is not None


def test_an_invalid_message_is_recorded_dead_with_its_validation_error():
    message_id = uuid.uuid4()
    raw = {"message_id": str(message_id), "type": "mail.requested", "version": 1, "payload": {}}

    log = services.delivery_reject_invalid(
        message_id=message_id, raw=raw, error="payload.kind: Field required"
    )

    assert (log.status, log.last_error, log.envelope) == (Status.DEAD, "payload.kind: Field required", raw)


def test_resend_queues_a_new_message_and_keeps_the_original(smtp, django_capture_on_commit_callbacks):
    message = mail_message("purchase_receipt")
    delivery_send(message=message, last_attempt=False)
    original = log_of(message)

    resend = delivery_resend(log=original)

    assert resend.message_id != original.message_id
    assert (resend.status, resend.resend_of, resend.kind, resend.recipient) == (
        Status.QUEUED,
        original,
        "purchase_receipt",
        "ada@example.com",
    )
    outbox = OutboxMessage.objects.get(pk=resend.message_id)
    assert (outbox.task, outbox.queue, outbox.sent_at) == ("mailer.send", "mailer", None)
    assert outbox.body["causation_id"] == str(original.message_id)
    assert outbox.body["payload"] == original.envelope["payload"]
    assert log_of(message).status == Status.SENT


def test_a_message_breaking_its_contract_cannot_be_resent():
    log = services.delivery_reject_invalid(message_id=uuid.uuid4(), raw="garbage", error="not JSON")

    with pytest.raises(Conflict, match="breaks its contract"):
        delivery_resend(log=log)
    assert not OutboxMessage.objects.exists()
