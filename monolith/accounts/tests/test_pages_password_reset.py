"""Password reset by mail: Django's views and tokens, PolyCode's mail kind ``password_reset``."""

import re

import pytest
from django.core import mail
from waffle.testutils import override_switch

from common.messaging.models import OutboxMessage
from monolith.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reset_link(message) -> str:
    found = re.search(r"http://testserver(/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def site(settings):
    settings.SITE_URL = "http://testserver"


def test_the_form_has_a_labelled_address_field(visitor_browser):
    html = visitor_browser.get("/password/reset/").content.decode()

    assert '<label for="id_email">' in html


def test_a_known_address_gets_a_link_in_its_owners_language(visitor_browser, committed, site):
    UserFactory(username="zoe", email="zoe@example.com", preferred_language="fr")

    with committed():
        response = visitor_browser.post("/password/reset/", {"email": "zoe@example.com"})

    assert response["Location"] == "/password/reset/done/"
    [message] = mail.outbox
    assert message.to == ["zoe@example.com"]
    assert message.subject == "Choisissez un nouveau mot de passe sur PolyCode"
    assert reset_link(message).startswith("/password/reset/")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(visitor_browser, committed):
    with committed():
        response = visitor_browser.post("/password/reset/", {"email": "nobody@example.com"})

    assert response["Location"] == "/password/reset/done/"
    assert mail.outbox == []


def test_a_malformed_address_is_shown_next_to_the_field(visitor_browser):
    html = visitor_browser.post("/password/reset/", {"email": "zoe at example"}).content.decode()

    assert 'id="id_email_error"' in html
    assert 'value="zoe at example"' in html


def test_the_link_sets_a_new_password_once(visitor_browser, committed, site):
    user = UserFactory(username="zoe", email="zoe@example.com")
    with committed():
        visitor_browser.post("/password/reset/", {"email": "zoe@example.com"})
    link = reset_link(mail.outbox[0])

    form = visitor_browser.get(link, follow=True)
    assert '<label for="id_new_password1">' in form.content.decode()
    new = {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"}
    done = visitor_browser.post(form.redirect_chain[-1][0], new)

    assert done["Location"] == "/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    again = visitor_browser.get(link, follow=True).content.decode()
    assert "This link is not valid any more" in again


def test_two_different_new_passwords_are_refused_on_the_field(visitor_browser, committed, site):
    UserFactory(username="zoe", email="zoe@example.com")
    with committed():
        visitor_browser.post("/password/reset/", {"email": "zoe@example.com"})
    form = visitor_browser.get(reset_link(mail.outbox[0]), follow=True)

    page = visitor_browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "another-one-x"},
    )

    assert 'id="id_new_password2_error"' in page.content.decode()


def test_with_mail_via_queue_on_the_reset_mail_goes_to_the_mailer(visitor_browser, committed, site):
    UserFactory(username="zoe", email="zoe@example.com")
    with override_switch("mail_via_queue", active=True), committed():
        visitor_browser.post("/password/reset/", {"email": "zoe@example.com"})

    assert mail.outbox == []
    [message] = OutboxMessage.objects.all()
    payload = message.body["payload"]
    assert payload["kind"] == "password_reset"
    assert payload["context"]["reset_url"].startswith("http://testserver/password/reset/")
