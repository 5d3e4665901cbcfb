from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from monolith.accounts.models import EmailAddress, EmailVerificationToken, User
from monolith.accounts.services.emails import MAX_EMAILS_PER_USER
from monolith.accounts.tests.conftest import sent_to, token_in
from monolith.accounts.tests.factories import EmailAddressFactory, verified_primary_email
from monolith.accounts.tokens import token_hash

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/accounts/register"
VERIFY = "/api/v1/accounts/emails/verify"
EMAILS = "/api/v1/accounts/emails"


def register(client, committed, **overrides):
    body = {"username": "linus", "email": "Linus@Example.COM", "password": "a-long-unusual-passphrase"}
    body.update(overrides)
    with committed():
        return client.post(REGISTER, body, format="json")


def test_registration_creates_the_user_with_an_unverified_primary_address(api_client, committed):
    response = register(api_client, committed)

    assert response.status_code == 201, response.json()
    assert response.json()["username"] == "linus"
    assert "password" not in response.json()
    user = User.objects.get(username="linus")
    assert user.check_password("a-long-unusual-passphrase")
    # The domain is lowercased, the local part kept.
    assert user.email == "Linus@example.com"
    address = user.email_addresses.get()
    assert (address.email, address.primary, address.verified) == ("Linus@example.com", True, False)


def test_verification_end_to_end_with_the_token_from_the_mail(api_client, committed):
    register(api_client, committed, preferred_language="fr")

    [message] = sent_to("Linus@example.com")
    assert message.subject == "Confirmez votre adresse e-mail sur PolyCode"
    assert "Bonjour linus" in message.body
    token = token_in(message, "emails/verify")
    # Only the hash is stored.
    assert not EmailVerificationToken.objects.filter(token_hash=token).exists()
    assert EmailVerificationToken.objects.filter(token_hash=token_hash(token)).exists()

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["verified"] is True
    assert EmailAddress.objects.get(email="Linus@example.com").verified


def test_registration_mail_follows_accept_language_when_no_language_is_given(api_client, committed):
    with committed():
        api_client.post(
            REGISTER,
            {"username": "marie", "email": "marie@example.com", "password": "a-long-unusual-passphrase"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
        )
    assert User.objects.get(username="marie").preferred_language == "fr"
    assert sent_to("marie@example.com")[0].subject.startswith("Confirmez")


def test_registration_mail_is_in_english_by_default(api_client, committed):
    register(api_client, committed)
    [message] = mail.outbox
    assert message.subject == "Confirm your email address on PolyCode"
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("short", "too short"), ("password123", "too common"), ("83749201938475", "entirely numeric")],
)
def test_registration_applies_django_password_validators(api_client, committed, password, fragment):
    response = register(api_client, committed, password=password)

    assert response.status_code == 400
    assert fragment in response.json()["fields"]["password"][0]
    assert not User.objects.filter(username="linus").exists()
    assert mail.outbox == []


def test_password_similar_to_the_username_is_refused(api_client, committed):
    response = register(api_client, committed, username="superlongname", password="superlongname1")
    assert response.status_code == 400
    assert "password" in response.json()["fields"]


@pytest.mark.parametrize("username", ["ADA", "ada"])
def test_registration_refuses_a_username_taken_in_any_case(api_client, committed, learner, username):
    response = register(api_client, committed, username=username)
    assert response.status_code == 409
    assert "username" in response.json()["fields"]


def test_registration_refuses_an_address_used_by_another_account_in_any_case(api_client, committed, learner):
    verified_primary_email(learner)

    response = register(api_client, committed, email=learner.email.upper())

    assert response.status_code == 409
    assert "email" in response.json()["fields"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("token_of", "fragment"),
    [("garbage", "not valid"), ("used", "already used"), ("expired", "expired")],
)
def test_unusable_verification_tokens_are_refused_naming_the_token(api_client, committed, token_of, fragment):
    register(api_client, committed)
    token = token_in(mail.outbox[0], "emails/verify")
    if token_of == "garbage":
        token = "not-a-token"
    elif token_of == "used":
        assert api_client.post(VERIFY, {"token": token}, format="json").status_code == 200
        EmailAddress.objects.update(verified=False)
    else:
        EmailVerificationToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400
    assert fragment in response.json()["fields"]["token"][0]
    assert not EmailAddress.objects.get().verified


def test_a_user_adds_an_address_and_receives_its_verification_mail(learner_client, learner, committed):
    with committed():
        response = learner_client.post(EMAILS, {"email": "ada.work@example.org"}, format="json")

    assert response.status_code == 201
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "email": "ada.work@example.org",
        "primary": False,
        "verified": False,
        "verified_at": None,
        "created_at": "",
    }
    assert len(sent_to("ada.work@example.org")) == 1


def test_adding_an_address_of_another_account_is_refused(learner_client, other_learner, committed):
    EmailAddressFactory(user=other_learner, email="grace@example.com")
    with committed():
        response = learner_client.post(EMAILS, {"email": "GRACE@example.com"}, format="json")
    assert response.status_code == 409
    assert "email" in response.json()["fields"]
    assert mail.outbox == []


def test_an_account_has_a_bounded_number_of_addresses(learner_client, learner):
    EmailAddressFactory.create_batch(MAX_EMAILS_PER_USER, user=learner)
    response = learner_client.post(EMAILS, {"email": "one.more@example.com"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_a_user_lists_only_their_own_addresses(learner_client, learner, other_learner):
    mine = EmailAddressFactory(user=learner)
    EmailAddressFactory(user=other_learner)
    response = learner_client.get(EMAILS)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_a_verified_address_becomes_primary_and_the_account_email_follows(learner_client, learner):
    old = verified_primary_email(learner)
    new = EmailAddressFactory(user=learner, email="ada@new.example")

    response = learner_client.post(f"{EMAILS}/{new.pk}/primary")

    assert response.status_code == 200
    assert response.json()["primary"] is True
    old.refresh_from_db()
    learner.refresh_from_db()
    assert (old.primary, learner.email) == (False, "ada@new.example")


def test_an_unverified_address_cannot_become_primary(learner_client, learner):
    verified_primary_email(learner)
    new = EmailAddressFactory(user=learner, verified=False, verified_at=None)

    response = learner_client.post(f"{EMAILS}/{new.pk}/primary")

    assert response.status_code == 409
    learner.refresh_from_db()
    assert learner.email == "ada@example.com"


def test_the_primary_address_cannot_be_deleted_but_another_can(learner_client, learner):
    primary = verified_primary_email(learner)
    other = EmailAddressFactory(user=learner)

    assert learner_client.delete(f"{EMAILS}/{primary.pk}").status_code == 409
    assert learner_client.delete(f"{EMAILS}/{other.pk}").status_code == 204
    assert list(learner.email_addresses.all()) == [primary]


def test_resend_sends_a_new_link_and_the_old_one_stops_working(
    learner_client, learner, committed, api_client
):
    with committed():
        learner_client.post(EMAILS, {"email": "ada.work@example.org"}, format="json")
    first = token_in(mail.outbox[-1], "emails/verify")
    address = EmailAddress.objects.get(email="ada.work@example.org")
    EmailVerificationToken.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    with committed():
        response = learner_client.post(f"{EMAILS}/{address.pk}/resend")

    assert response.status_code == 202
    second = token_in(mail.outbox[-1], "emails/verify")
    assert second != first
    assert api_client.post(VERIFY, {"token": first}, format="json").status_code == 400
    assert api_client.post(VERIFY, {"token": second}, format="json").status_code == 200


def test_resend_is_throttled_and_refused_for_a_verified_address(learner_client, learner, committed):
    with committed():
        learner_client.post(EMAILS, {"email": "ada.work@example.org"}, format="json")
    address = EmailAddress.objects.get(email="ada.work@example.org")

    response = learner_client.post(f"{EMAILS}/{address.pk}/resend")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    EmailAddress.objects.filter(pk=address.pk).update(verified=True)
    assert learner_client.post(f"{EMAILS}/{address.pk}/resend").status_code == 409
    assert len(mail.outbox) == 1


def test_another_users_address_cannot_be_touched(learner_client, other_learner):
    theirs = EmailAddressFactory(user=other_learner)
    for method, url in [
        ("delete", f"{EMAILS}/{theirs.pk}"),
        ("post", f"{EMAILS}/{theirs.pk}/primary"),
        ("post", f"{EMAILS}/{theirs.pk}/resend"),
    ]:
        response = getattr(learner_client, method)(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    assert EmailAddress.objects.filter(pk=theirs.pk, user=other_learner).exists()
