"""The strangler switch of mail: legacy in-process sending, or an outbox message for the mailer."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from waffle.models import Switch

import contracts
from common.identity import request_ids
from common.messaging.models import OutboxMessage
from contracts.mail import CONTEXTS, MAIL_REQUESTED_V1
from monolith import flags
from monolith.notifications.kinds import CONTEXT_KEYS, MailKind
from monolith.notifications.services import mail_request

pytestmark = pytest.mark.django_db

REMOVED = {
    "kind": MailKind.TEAM_MEMBER_REMOVED,
    "language": "fr",
    "context": {"username": "grace", "team_name": "Lambda"},
}


@pytest.fixture(autouse=True)
def _relay_only(settings):
    # Queue-path tests check the outbox row; nothing is published to a real broker here.
    settings.OUTBOX_FAST_PATH = False


@pytest.fixture
def switch(django_capture_on_commit_callbacks):
    """Flip the switch the way an operator does (``manage.py waffle_switch``), commit included."""

    def flip(on: bool) -> None:
        # Waffle flushes its cache when the change commits.
        with django_capture_on_commit_callbacks(execute=True):
            call_command("waffle_switch", flags.MAIL_VIA_QUEUE, "on" if on else "off", create=True)

    return flip


def test_with_the_switch_off_mail_is_sent_in_process_and_nothing_is_queued(
    switch, django_capture_on_commit_callbacks
):
    switch(False)
    with django_capture_on_commit_callbacks(execute=True):
        mail_request(to="grace@example.com", **REMOVED)

    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    assert not OutboxMessage.objects.exists()


def test_with_the_switch_on_mail_request_writes_a_mail_requested_message_in_the_callers_transaction(
    switch, django_capture_on_commit_callbacks
):
    switch(True)
    token = request_ids.current.set("req-42abcdef")
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            mail_request(to="grace@example.com", **REMOVED)
            row = OutboxMessage.objects.get()  # written inside the caller's transaction
    finally:
        request_ids.current.reset(token)

    assert mail.outbox == []
    assert (row.type, row.version, row.task, row.queue) == ("mail.requested", 1, "mailer.send", "mailer")
    message = contracts.parse(row.body, expect=MAIL_REQUESTED_V1)
    assert message.envelope.producer == "monolith"
    assert message.envelope.correlation_id == "req-42abcdef"
    assert message.envelope.payload == {
        "to": "grace@example.com",
        "language": "fr",
        "kind": "team_member_removed",
        "context": {"username": "grace", "team_name": "Lambda"},
    }


def request_then_fail() -> None:
    with transaction.atomic():
        mail_request(to="grace@example.com", **REMOVED)
        raise RuntimeError("the team change failed")


def test_with_the_switch_on_a_rolled_back_transaction_queues_nothing(switch):
    switch(True)
    with pytest.raises(RuntimeError):
        request_then_fail()

    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_flipping_the_switch_takes_effect_on_the_next_mail_without_a_restart(
    switch, django_capture_on_commit_callbacks
):
    switch(True)
    mail_request(to="first@example.com", **REMOVED)
    switch(False)
    with django_capture_on_commit_callbacks(execute=True):
        mail_request(to="second@example.com", **REMOVED)
    with django_capture_on_commit_callbacks(execute=True):
        admin_edit = Switch.objects.get(name=flags.MAIL_VIA_QUEUE)
        admin_edit.active = True
        admin_edit.save()  # what the admin does
    mail_request(to="third@example.com", **REMOVED)

    queued = [row.body["payload"]["to"] for row in OutboxMessage.objects.order_by("created_at")]
    assert queued == ["first@example.com", "third@example.com"]
    assert [m.to for m in mail.outbox] == [["second@example.com"]]


def test_a_bad_request_is_a_value_error_on_both_paths(switch):
    for on in (False, True):
        switch(on)
        with pytest.raises(ValueError, match="language"):
            mail_request(to="grace@example.com", **{**REMOVED, "language": "de"})
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("kind", list(MailKind))
def test_every_legacy_kind_has_a_contract_whose_context_has_the_same_keys(kind):
    assert set(CONTEXTS[contracts.mail.MailKind(kind.value)].model_fields) == set(CONTEXT_KEYS[kind])
