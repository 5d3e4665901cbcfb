from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from monolith.accounts.models import InvitationStatus, TeamInvitation, TeamMembership
from monolith.accounts.services.teams import MAX_PENDING_INVITATIONS
from monolith.accounts.tests.conftest import sent_to, token_in
from monolith.accounts.tests.factories import (
    EmailAddressFactory,
    TeamFactory,
    UserFactory,
    make_invitation,
    verified_primary_email,
)
from monolith.accounts.tokens import token_hash

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/accounts/teams"
ACCEPT = f"{TEAMS}/invitations/accept"
DECLINE = f"{TEAMS}/invitations/decline"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def team(learner):
    return TeamFactory(name="Lambda", captain=learner)


@pytest.fixture
def invitee(other_learner):
    """Grace, who reads French and has verified grace@example.com."""
    other_learner.preferred_language = "fr"
    other_learner.save()
    verified_primary_email(other_learner)
    return other_learner


def invite(client, team, email, committed):
    with committed():
        return client.post(f"{TEAMS}/{team.pk}/invitations", {"email": email}, format="json")


def test_full_invitation_flow_in_the_invitees_language(learner_client, team, invitee, committed, settings):
    settings.SITE_URL = "https://polycode.example/"

    response = invite(learner_client, team, "Grace@Example.com", committed)

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    [invitation_mail] = sent_to("Grace@example.com")
    assert invitation_mail.subject == "ada vous invite à rejoindre l'équipe Lambda sur PolyCode"
    token = token_in(invitation_mail, "teams/invitations")
    assert f"https://polycode.example/teams/invitations/{token}" in invitation_mail.body
    assert TeamInvitation.objects.get().token_hash == token_hash(token)

    with committed():
        accepted = client_for(invitee).post(ACCEPT, {"token": token}, format="json")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["team"] == {"id": team.pk, "name": "Lambda"}
    assert team.members.filter(pk=invitee.pk).exists()
    invitation = TeamInvitation.objects.get()
    assert (invitation.status, invitation.responded_by) == (InvitationStatus.ACCEPTED, invitee)
    [added_mail] = [m for m in sent_to("grace@example.com") if m is not invitation_mail]
    assert added_mail.subject == "Vous faites désormais partie de l'équipe Lambda"
    assert f"https://polycode.example/teams/{team.pk}" in added_mail.body


def test_an_invitation_to_an_unknown_address_is_written_in_the_inviters_language(
    learner_client, learner, team, committed
):
    learner.preferred_language = "fr"
    learner.save()
    invite(learner_client, team, "nobody@example.net", committed)
    assert sent_to("nobody@example.net")[0].subject.startswith("ada vous invite")


def test_an_english_invitee_of_a_french_captain_gets_english(learner_client, learner, team, committed):
    learner.preferred_language = "fr"
    learner.save()
    verified_primary_email(UserFactory(username="alan", preferred_language="en"))
    invite(learner_client, team, "alan@example.com", committed)
    assert sent_to("alan@example.com")[0].subject == "ada invites you to join the team Lambda on PolyCode"


def test_the_invitee_declines(team, invitee):
    invitation, token = make_invitation(team=team, email="grace@example.com")

    response = client_for(invitee).post(DECLINE, {"token": token}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not team.members.filter(pk=invitee.pk).exists()
    # An answered invitation cannot be answered again.
    again = client_for(invitee).post(ACCEPT, {"token": token}, format="json")
    assert again.status_code == 409
    assert "token" in again.json()["fields"]


def test_an_expired_invitation_is_refused_and_marked_expired(team, invitee, committed):
    invitation, token = make_invitation(
        team=team, email="grace@example.com", expires_at=timezone.now() - timedelta(minutes=1)
    )
    with committed():
        response = client_for(invitee).post(ACCEPT, {"token": token}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invitation_expired"
    assert "token" in response.json()["fields"]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert not team.members.filter(pk=invitee.pk).exists()
    assert mail.outbox == []


def test_another_user_cannot_answer_someone_elses_invitation(team, invitee):
    invitation, token = make_invitation(team=team, email="grace@example.com")
    eve = UserFactory(username="eve")
    verified_primary_email(eve)

    for url in (ACCEPT, DECLINE):
        response = client_for(eve).post(url, {"token": token}, format="json")
        assert response.status_code == 403
        assert "token" in response.json()["fields"]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not team.members.filter(pk=eve.pk).exists()


def test_the_invited_address_must_be_verified_on_the_accepting_account(team, other_learner):
    # Claiming an address without verifying it is not enough.
    EmailAddressFactory(user=other_learner, email="grace@example.com", verified=False, verified_at=None)
    _, token = make_invitation(team=team, email="grace@example.com")

    response = client_for(other_learner).post(ACCEPT, {"token": token}, format="json")

    assert response.status_code == 403
    assert not team.members.filter(pk=other_learner.pk).exists()


def test_the_address_matches_whatever_its_case(team, invitee):
    _, token = make_invitation(team=team, email="GRACE@example.com")
    assert client_for(invitee).post(ACCEPT, {"token": token}, format="json").status_code == 200


def test_an_unknown_token_is_refused_naming_the_token(invitee):
    response = client_for(invitee).post(ACCEPT, {"token": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" in response.json()["fields"]


def test_anonymous_users_cannot_accept(api_client, team):
    _, token = make_invitation(team=team, email="grace@example.com")
    response = api_client.post(ACCEPT, {"token": token}, format="json")
    assert response.status_code in (401, 403)
    assert TeamMembership.objects.count() == 1


def test_a_revoked_invitation_cannot_be_accepted(learner_client, team, invitee):
    invitation, token = make_invitation(team=team, email="grace@example.com")

    revoked = learner_client.post(f"{TEAMS}/{team.pk}/invitations/{invitation.pk}/revoke")
    accepted = client_for(invitee).post(ACCEPT, {"token": token}, format="json")

    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert accepted.status_code == 409
    assert accepted.json()["code"] == "invitation_revoked"
    assert learner_client.post(f"{TEAMS}/{team.pk}/invitations/{invitation.pk}/revoke").status_code == 409


def test_an_address_cannot_be_invited_twice_while_pending_but_can_after_expiry(
    learner_client, team, committed
):
    assert invite(learner_client, team, "x@example.com", committed).status_code == 201
    second = invite(learner_client, team, "X@example.com", committed)
    assert second.status_code == 409
    assert "email" in second.json()["fields"]

    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert invite(learner_client, team, "x@example.com", committed).status_code == 201
    statuses = sorted(TeamInvitation.objects.values_list("status", flat=True))
    assert statuses == ["expired", "pending"]


def test_inviting_a_members_address_is_refused(learner_client, team, learner, committed):
    verified_primary_email(learner)
    response = invite(learner_client, team, "ada@example.com", committed)
    assert response.status_code == 409
    assert "email" in response.json()["fields"]
    assert mail.outbox == []


def test_a_team_has_a_bounded_number_of_pending_invitations(learner_client, team, committed):
    for _ in range(MAX_PENDING_INVITATIONS):
        make_invitation(team=team)
    response = invite(learner_client, team, "one.more@example.com", committed)
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_the_captain_lists_invitations_with_their_effective_status(learner_client, team):
    make_invitation(team=team, email="a@example.com")
    make_invitation(team=team, email="b@example.com", expires_at=timezone.now() - timedelta(days=1))
    rows = learner_client.get(f"{TEAMS}/{team.pk}/invitations").json()["results"]
    assert sorted((r["email"], r["status"]) for r in rows) == [
        ("a@example.com", "pending"),
        ("b@example.com", "expired"),
    ]
    assert all("token" not in key for r in rows for key in r)


def test_an_invitation_of_another_team_cannot_be_revoked_through_mine(learner_client, team):
    foreign, _ = make_invitation(team=TeamFactory(name="Other"))
    response = learner_client.post(f"{TEAMS}/{team.pk}/invitations/{foreign.pk}/revoke")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == InvitationStatus.PENDING
