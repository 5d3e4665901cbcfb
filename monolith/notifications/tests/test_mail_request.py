import logging
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request

INVITATION = {
    "team_name": "Lambda",
    "inviter_username": "ada",
    "accept_url": "https://polycode.example/teams/invitations/abc",
    "ttl_days": 7,
}


def request_invitation(to="grace@example.com", language="en", **overrides):
    kwargs = {"kind": MailKind.TEAM_INVITATION, "to": to, "language": language, "context": dict(INVITATION)}
    kwargs.update(overrides)
    mail_request(**kwargs)


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_mail_leaves_when_the_transaction_commits_or_at_once_outside_one():
    request_invitation(to="now@example.com")
    assert [m.to for m in mail.outbox] == [["now@example.com"]]
    mail.outbox.clear()

    with transaction.atomic():
        request_invitation(language="fr")
        assert mail.outbox == []

    [message] = mail.outbox
    assert message.to == ["grace@example.com"]
    assert message.from_email == "PolyCode <no-reply@polycode.localhost>"
    assert message.subject == "ada vous invite à rejoindre l'équipe Lambda sur PolyCode"
    assert "https://polycode.example/teams/invitations/abc" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert 'href="https://polycode.example/teams/invitations/abc"' in html


def request_then_fail(to: str) -> None:
    with transaction.atomic():
        request_invitation(to=to)
        raise Boom


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_sent_when_the_requesting_transaction_rolls_back():
    with pytest.raises(Boom):
        request_then_fail("first@example.com")

    with transaction.atomic():
        request_invitation(to="kept@example.com")
        with pytest.raises(Boom):
            request_then_fail("savepoint@example.com")

    assert [m.to for m in mail.outbox] == [["kept@example.com"]]


def test_a_delivery_failure_after_commit_is_logged_not_raised(db, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.ERROR, logger="monolith.notifications.services")
    with (
        mock.patch.object(EmailMultiAlternatives, "send", side_effect=ConnectionRefusedError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_invitation()
    assert "mail.send_failed kind=team_invitation" in caplog.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "birthday"}, "unknown mail kind"),
        ({"language": "de"}, "unknown mail language"),
        ({"language": "EN"}, "unknown mail language"),
        ({"to": "not an address"}, "not an email address"),
        ({"context": {k: v for k, v in INVITATION.items() if k != "accept_url"}}, "missing ['accept_url']"),
        ({"context": {**INVITATION, "acept_url": "x"}}, "unknown ['acept_url']"),
        ({"context": {**INVITATION, "ttl_days": object()}}, "JSON"),
        ({"context": ["not", "a", "dict"]}, "must be a dict"),
    ],
)
def test_programming_errors_raise_value_error_and_send_nothing(overrides, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        request_invitation(**overrides)
    assert mail.outbox == []
