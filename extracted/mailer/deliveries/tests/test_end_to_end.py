"""outbox → relay → RabbitMQ → mailer worker (a real process) → SMTP server on loopback."""

import pytest
from django.db import transaction

from common.messaging.models import InboxMessage, OutboxMessage
from common.messaging.relay import Relay
from common.messaging.services import outbox_publish
from common.messaging.testing import wait_until
from extracted.mailer.deliveries.models import DeliveryLog
from extracted.mailer.deliveries.tests.factories import mail_message
from extracted.mailer.deliveries.tests.helpers import log_of, wait_for_status

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def test_a_mail_requested_in_the_outbox_reaches_the_smtp_server_with_its_content(mailer_worker, smtp):
    message = mail_message("email_verification", to="zoe@example.com", language="fr", username="Zoé")
    with transaction.atomic():
        outbox_publish(message=message)

    assert Relay(interval=0).run(once=True) == 1

    wait_for_status([message])
    [mail] = smtp.mails()
    assert mail.recipients == ["zoe@example.com"]
    assert mail.message_id.startswith(str(message.id))
    assert mail.subject == "Confirmez votre adresse e-mail sur PolyCode"
    assert mail.text.startswith("Bonjour Zoé,\n")
    assert "https://polycode.example/emails/verify/8Xk2vQ" in mail.text
    assert "Ce lien est valable 48 heures" in mail.text
    assert '<html lang="fr">' in mail.html
    assert 'href="https://polycode.example/emails/verify/8Xk2vQ"' in mail.html
    log = log_of(message)
    assert (log.status, log.attempts, log.kind, log.language, log.producer) == (
        DeliveryLog.Status.SENT,
        1,
        "email_verification",
        "fr",
        "test",
    )
    assert OutboxMessage.objects.get(pk=message.id).sent_at is not None
    assert InboxMessage.objects.filter(message_id=message.id).exists()


def test_every_kind_in_both_languages_is_delivered(mailer_worker, smtp):
    from contracts.mail import LANGUAGES, MailKind

    messages = [
        mail_message(kind.value, to=f"{kind.value}.{language}@example.com", language=language)
        for kind in MailKind
        for language in LANGUAGES
    ]
    with transaction.atomic():
        for message in messages:
            outbox_publish(message=message)
    Relay(interval=0).run(once=True)

    wait_for_status(messages)
    wait_until(lambda: smtp.count() == len(messages))
    assert sorted(r for mail in smtp.mails() for r in mail.recipients) == sorted(
        m.payload.to for m in messages
    )
