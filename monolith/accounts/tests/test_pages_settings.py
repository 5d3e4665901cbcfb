"""``/settings/`` (profile, language, editor) and ``/settings/emails/`` (addresses)."""

import pytest
from django.utils import timezone

from common.identity.testing import GatewayClient
from monolith.accounts.models import EmailAddress, EmailVerificationToken
from monolith.accounts.tests.conftest import sent_to
from monolith.accounts.tests.factories import EmailAddressFactory, verified_primary_email

pytestmark = pytest.mark.django_db

PROFILE = {
    "preferred_language": "en",
    "preferred_editing_language": "rust",
    "editor_theme": "dark",
    "editor_keymap": "vim",
    "description": "I like types.",
}


@pytest.mark.parametrize("path", ["/settings/", "/settings/emails/"])
def test_a_visitor_is_sent_to_log_in_first(visitor_browser, path):
    response = visitor_browser.get(path)

    assert (response.status_code, response["Location"]) == (302, f"/oidc/authenticate/?next={path}")


def test_the_settings_page_shows_every_preference_with_a_label(learner_browser):
    html = learner_browser.get("/settings/").content.decode()

    for name in PROFILE:
        assert f'<label for="id_{name}">' in html
    assert 'href="/settings/emails/"' in html  # the addresses are one link away
    assert 'href="/password/reset/"' in html


def test_saving_changes_the_profile(learner, learner_browser):
    response = learner_browser.post("/settings/", PROFILE, follow=True)

    learner.refresh_from_db()
    assert (learner.editor_theme, learner.editor_keymap) == ("dark", "vim")
    assert (learner.preferred_editing_language, learner.description) == ("rust", "I like types.")
    assert "Your settings are saved." in response.content.decode()


def test_choosing_french_shows_the_next_page_in_french_at_once(learner, learner_browser):
    response = learner_browser.post("/settings/", {**PROFILE, "preferred_language": "fr"}, follow=True)

    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "Vos réglages sont enregistrés." in html
    assert "Thème de l&#x27;éditeur" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("editor_theme", "neon"),
        ("editor_keymap", "nano"),
        ("preferred_language", "de"),
        ("description", "x" * 2001),
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_saved(learner, learner_browser, field, value):
    page = learner_browser.post("/settings/", {**PROFILE, field: value})

    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert "I like types." in html or field == "description"  # what was typed stays
    learner.refresh_from_db()
    assert learner.editor_theme == "light"
    assert learner.preferred_language == "en"  # the page and its navigation stay in the saved language


def test_the_address_list_marks_primary_and_confirmed_addresses(learner, learner_browser):
    verified_primary_email(learner)
    EmailAddressFactory(user=learner, email="ada.work@example.com", verified=False, verified_at=None)

    html = learner_browser.get("/settings/emails/").content.decode()

    assert "ada@example.com" in html
    assert "ada.work@example.com" in html
    assert "primary" in html
    assert "not confirmed" in html
    assert '<label for="id_email">' in html


def test_without_any_address_the_page_says_how_to_add_one(learner_browser):
    html = learner_browser.get("/settings/emails/").content.decode()

    assert 'class="empty"' in html
    assert "No email address yet" in html


def test_adding_an_address_sends_its_confirmation_link(learner, learner_browser, committed):
    with committed():
        response = learner_browser.post("/settings/emails/", {"email": "ada.new@example.com"}, follow=True)

    assert "ada.new@example.com is added" in response.content.decode()
    address = EmailAddress.objects.get(email="ada.new@example.com")
    assert (address.user, address.verified, address.primary) == (learner, False, False)
    [mail] = sent_to("ada.new@example.com")
    assert "/emails/verify/" in mail.body


@pytest.mark.parametrize(
    ("email", "said"),
    [("not an address", "Enter a valid email address."), ("grace@example.com", "already in use")],
)
def test_a_refused_address_is_shown_next_to_the_field_and_kept(learner_browser, other_learner, email, said):
    verified_primary_email(other_learner)

    page = learner_browser.post("/settings/emails/", {"email": email})

    html = page.content.decode()
    assert 'id="id_email_error"' in html
    assert said in html
    assert f'value="{email}"' in html


def test_resending_sends_a_new_link_and_a_second_resend_at_once_is_refused(
    learner, learner_browser, committed
):
    address = EmailAddressFactory(user=learner, email="ada.new@example.com", verified=False, verified_at=None)

    with committed():
        first = learner_browser.post(f"/settings/emails/{address.pk}/resend/", follow=True)
    again = learner_browser.post(f"/settings/emails/{address.pk}/resend/", follow=True)

    assert "A new confirmation link is on its way" in first.content.decode()
    assert len(sent_to("ada.new@example.com")) == 1
    assert "wait a minute" in again.content.decode()
    assert EmailVerificationToken.objects.filter(email_address=address).count() == 1


def test_a_confirmed_address_becomes_primary(learner, learner_browser):
    verified_primary_email(learner)
    other = EmailAddressFactory(user=learner, email="ada.work@example.com")

    learner_browser.post(f"/settings/emails/{other.pk}/primary/")

    learner.refresh_from_db()
    other.refresh_from_db()
    assert other.primary
    assert learner.email == "ada.work@example.com"


def test_an_unconfirmed_address_cannot_become_primary_and_the_page_says_why(learner, learner_browser):
    verified_primary_email(learner)
    other = EmailAddressFactory(user=learner, email="ada.work@example.com", verified=False, verified_at=None)

    page = learner_browser.post(f"/settings/emails/{other.pk}/primary/", follow=True)

    assert "Only a verified address can become primary." in page.content.decode()
    other.refresh_from_db()
    assert not other.primary


def test_removing_deletes_a_secondary_address_but_never_the_primary(learner, learner_browser):
    primary = verified_primary_email(learner)
    other = EmailAddressFactory(user=learner, email="ada.work@example.com")

    learner_browser.post(f"/settings/emails/{other.pk}/delete/")
    refused = learner_browser.post(f"/settings/emails/{primary.pk}/delete/", follow=True)

    assert not EmailAddress.objects.filter(pk=other.pk).exists()
    assert EmailAddress.objects.filter(pk=primary.pk).exists()
    assert "The primary address cannot be deleted" in refused.content.decode()


def test_another_persons_address_is_out_of_reach(learner_browser, other_learner):
    theirs = EmailAddressFactory(user=other_learner, email="grace.work@example.com")

    page = learner_browser.post(f"/settings/emails/{theirs.pk}/delete/", follow=True)

    assert "No such email address." in page.content.decode()
    assert EmailAddress.objects.filter(pk=theirs.pk).exists()


def test_the_address_page_speaks_french_to_a_french_reader(learner):
    learner.preferred_language = "fr"
    learner.save()
    EmailAddressFactory(user=learner, email="ada@example.com", primary=True, verified_at=timezone.now())

    html = GatewayClient(learner).get("/settings/emails/").content.decode()

    assert "Adresses e-mail" in html
    assert "principale" in html


@pytest.mark.parametrize("action", ["resend/", "primary/", "delete/"])
def test_opening_an_address_action_url_goes_back_to_the_list_and_changes_nothing(
    learner, learner_browser, action
):
    address = EmailAddressFactory(user=learner, email="ada.work@example.com")

    response = learner_browser.get(f"/settings/emails/{address.pk}/{action}")

    assert (response.status_code, response["Location"]) == (302, "/settings/emails/")
    assert EmailAddress.objects.filter(pk=address.pk, primary=False).exists()
