"""``/signup/``: a new account, its verification mail, and a session with the identity provider."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from waffle.testutils import override_switch

from common.messaging.models import OutboxMessage
from monolith.accounts.models import EmailAddress, User
from monolith.accounts.tests.conftest import sent_to
from monolith.accounts.tests.factories import verified_primary_email
from monolith.identity.tests.test_oidc_provider import REDIRECT, authorize_params, pkce_pair

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "zoe",
    "email": "zoe@example.com",
    "password": "a-long-enough-passphrase",
    "password_again": "a-long-enough-passphrase",
    "preferred_language": "fr",
}


def test_the_signup_page_shows_a_labelled_form(visitor_browser):
    page = visitor_browser.get("/signup/")

    assert page.status_code == 200
    html = page.content.decode()
    for name in ("username", "email", "password", "password_again", "preferred_language"):
        assert f'<label for="id_{name}">' in html
    assert 'action="/signup/"' in html


def test_signing_up_creates_the_account_mails_the_link_and_signs_in(visitor_browser, committed):
    with committed():
        response = visitor_browser.post("/signup/", GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/oidc/authenticate/?next=/dashboard/"
    user = User.objects.get(username="zoe")
    assert user.preferred_language == "fr"
    assert user.check_password(GOOD["password"])
    assert EmailAddress.objects.get(user=user).primary
    [mail] = sent_to("zoe@example.com")
    assert "/emails/verify/" in mail.body
    assert mail.subject.startswith("Confirmez")  # written in the language chosen
    # The identity provider's session: its login page will not ask for the password again.
    assert visitor_browser.session[SESSION_KEY] == str(user.pk)


def test_a_signed_in_learner_is_sent_to_the_dashboard(learner_browser):
    response = learner_browser.get("/signup/")

    assert (response.status_code, response["Location"]) == (302, "/dashboard/")


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"password_again": "something-else-entirely"}, "password_again", "The two passwords differ."),
        ({"password": "short", "password_again": "short"}, "password", "This password is too short."),
        ({"preferred_language": "de"}, "preferred_language", "Select a valid choice."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_the_typed_values_stay(
    visitor_browser, changes, field, said
):
    page = visitor_browser.post("/signup/", {**GOOD, **changes})

    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="id_{field}_error"' in html
    assert said in html
    assert 'value="zoe@example.com"' in html or field == "email"
    [focused] = re.findall(r"<(?:input|select)[^>]*autofocus[^>]*>", html)
    assert f'name="{field}"' in focused  # the cursor waits in the field to fix
    assert not User.objects.filter(username=GOOD["username"]).exists()


def test_a_taken_username_or_address_is_refused_on_its_field(visitor_browser, learner):
    verified_primary_email(learner)
    by_name = visitor_browser.post("/signup/", {**GOOD, "username": "ADA"}).content.decode()
    by_address = visitor_browser.post("/signup/", {**GOOD, "email": learner.email}).content.decode()

    assert 'id="id_username_error"' in by_name
    assert "already exists" in by_name
    assert 'id="id_email_error"' in by_address
    assert "already in use" in by_address
    assert 'value="ADA"' in by_name


def test_the_page_follows_the_browsers_language(visitor_browser):
    page = visitor_browser.get("/signup/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Créer votre compte" in page.content.decode()


def test_with_mail_via_queue_on_the_verification_mail_goes_to_the_mailer(visitor_browser, committed):
    with override_switch("mail_via_queue", active=True), committed():
        visitor_browser.post("/signup/", GOOD)

    assert sent_to("zoe@example.com") == []
    [message] = OutboxMessage.objects.all()
    assert message.body["payload"]["kind"] == "email_verification"
    assert message.body["payload"]["to"] == "zoe@example.com"
    assert message.body["payload"]["language"] == "fr"


def test_after_signing_up_the_identity_provider_answers_the_gateways_login_without_a_password(
    visitor_browser,
):
    call_command("oidc_gateway_client", "--secret", "s3cret", "--redirect-uri", REDIRECT)
    visitor_browser.post("/signup/", GOOD)

    # The gateway's /oidc/authenticate/ sends the browser here next.
    answer = visitor_browser.get("/o/authorize/", authorize_params(pkce_pair()[1]))

    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{REDIRECT}?code=")
