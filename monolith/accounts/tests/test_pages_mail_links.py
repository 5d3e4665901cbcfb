"""The pages behind the links in mails: a page first, the action on a button (a POST)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.identity.testing import GatewayClient
from monolith.accounts.models import EmailVerificationToken, InvitationStatus, TeamMembership
from monolith.accounts.tests.factories import EmailAddressFactory, make_invitation, verified_primary_email
from monolith.accounts.tokens import token_new

pytestmark = pytest.mark.django_db


def verification_link(*, hours: int = 48, **address):
    address = EmailAddressFactory(verified=False, verified_at=None, **address)
    token, digest = token_new()
    EmailVerificationToken.objects.create(
        email_address=address, token_hash=digest, expires_at=timezone.now() + timedelta(hours=hours)
    )
    return address, f"/emails/verify/{token}"


def test_opening_the_verification_link_only_shows_a_button(visitor_browser):
    address, link = verification_link()

    page = visitor_browser.get(link)

    assert page.status_code == 200
    assert '<form method="post">' in page.content.decode()
    address.refresh_from_db()
    assert not address.verified  # a mail scanner following the link confirms nothing
    assert not EmailVerificationToken.objects.filter(used_at__isnull=False).exists()


def test_the_button_confirms_the_address_without_being_signed_in(visitor_browser):
    address, link = verification_link(email="zoe@example.com")

    page = visitor_browser.post(link)

    assert "zoe@example.com is confirmed" in page.content.decode()
    address.refresh_from_db()
    assert address.verified


@pytest.mark.parametrize(
    ("link", "said"),
    [
        ("unknown", "This verification link is not valid."),
        ("x" * 500, "This verification link is not valid."),
        ("expired", "This verification link has expired"),
        ("used", "This verification link was already used."),
    ],
)
def test_a_refused_link_is_explained(visitor_browser, link, said):
    if link == "expired":
        _, link = verification_link(hours=-1)
    elif link == "used":
        _, link = verification_link()
        visitor_browser.post(link)
    else:
        link = f"/emails/verify/{link}"

    page = visitor_browser.post(link)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="notice error"' in html
    assert said in html


def test_a_french_reader_is_answered_in_french(learner):
    learner.preferred_language = "fr"
    learner.save()
    _, link = verification_link(user=learner)

    html = GatewayClient(learner).post(link).content.decode()

    assert "est confirmée. Merci !" in html


def test_the_buttons_need_the_pages_csrf_token(db):
    address, link = verification_link()
    browser = GatewayClient(enforce_csrf_checks=True)

    assert browser.post(link).status_code == 403
    address.refresh_from_db()
    assert not address.verified


def test_an_invitation_link_asks_to_log_in_first_and_comes_back(visitor_browser):
    _, token = make_invitation()

    response = visitor_browser.get(f"/teams/invitations/{token}")

    assert response.status_code == 302
    assert response["Location"] == f"/oidc/authenticate/?next=/teams/invitations/{token}"


def test_opening_an_invitation_names_the_team_and_answers_nothing(learner, learner_browser):
    verified_primary_email(learner)
    invitation, token = make_invitation(email=learner.email, team__name="Rustaceans")

    page = learner_browser.get(f"/teams/invitations/{token}")

    html = page.content.decode()
    assert "<strong>Rustaceans</strong>" in html
    assert "signed in as ada" in html
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_accepting_makes_the_learner_a_member(learner, learner_browser):
    verified_primary_email(learner)
    invitation, token = make_invitation(email=learner.email, team__name="Rustaceans")

    page = learner_browser.post(f"/teams/invitations/{token}", {"answer": "accept"})

    assert "You joined Rustaceans." in page.content.decode()
    assert TeamMembership.objects.filter(team=invitation.team, user=learner).exists()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.responded_by) == (InvitationStatus.ACCEPTED, learner)


def test_declining_leaves_the_team_as_it_was(learner, learner_browser):
    verified_primary_email(learner)
    invitation, token = make_invitation(email=learner.email, team__name="Rustaceans")

    page = learner_browser.post(f"/teams/invitations/{token}", {"answer": "decline"})

    assert "You declined to join Rustaceans." in page.content.decode()
    assert not TeamMembership.objects.filter(team=invitation.team, user=learner).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED


def test_an_invitation_to_an_address_the_learner_has_not_confirmed_is_refused(learner, learner_browser):
    invitation, token = make_invitation(email="someone-else@example.com")

    page = learner_browser.post(f"/teams/invitations/{token}", {"answer": "accept"})

    assert "not verified on your account" in page.content.decode()
    assert "is confirmed on your account" in page.content.decode()
    assert not TeamMembership.objects.filter(team=invitation.team, user=learner).exists()


def test_an_unknown_invitation_link_says_so(learner_browser):
    page = learner_browser.get("/teams/invitations/nothing-like-this")

    assert page.status_code == 200
    assert "This invitation link is not valid." in page.content.decode()


def test_an_invitation_already_answered_says_so_instead_of_offering_buttons(learner, learner_browser):
    verified_primary_email(learner)
    _, token = make_invitation(email=learner.email, status=InvitationStatus.REVOKED)

    html = learner_browser.get(f"/teams/invitations/{token}").content.decode()

    assert "no longer open" in html
    assert "is confirmed on your account" not in html
    assert 'value="accept"' not in html
