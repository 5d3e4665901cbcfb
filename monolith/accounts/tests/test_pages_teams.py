"""``/teams/`` and ``/teams/<id>/``: the rules of monolith/accounts/services/teams.py, in a browser."""

import pytest

from common.identity.testing import GatewayClient
from monolith.accounts.models import InvitationStatus, Team, TeamInvitation, TeamMembership
from monolith.accounts.tests.conftest import sent_to
from monolith.accounts.tests.factories import TeamFactory, UserFactory, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(learner, other_learner):
    """Ada's team, where Grace is a member."""
    team = TeamFactory(name="Rustaceans", captain=learner)
    TeamMembership.objects.create(team=team, user=other_learner)
    return team


@pytest.mark.parametrize("path", ["/teams/", "/teams/1/"])
def test_a_visitor_is_sent_to_log_in_first(visitor_browser, path):
    response = visitor_browser.get(path)

    assert (response.status_code, response["Location"]) == (302, f"/oidc/authenticate/?next={path}")


def test_without_a_team_the_page_says_what_to_do(learner_browser):
    html = learner_browser.get("/teams/").content.decode()

    assert 'class="empty"' in html
    assert '<label for="id_name">' in html


def test_my_teams_are_listed_with_their_member_count(learner_browser, team):
    html = learner_browser.get("/teams/").content.decode()

    assert f'href="/teams/{team.pk}/"' in html
    assert "2 members" in html


def test_creating_a_team_makes_me_its_captain(learner, learner_browser):
    response = learner_browser.post("/teams/", {"name": "Gophers", "description": "Go go go"})

    team = Team.objects.get(name="Gophers")
    assert response["Location"] == f"/teams/{team.pk}/"
    assert team.captain == learner
    assert TeamMembership.objects.filter(team=team, user=learner).exists()


@pytest.mark.parametrize(
    ("name", "said"), [("   ", "This field is required."), ("rustaceans", "already exists")]
)
def test_a_refused_team_name_is_shown_next_to_the_field(learner_browser, team, name, said):
    page = learner_browser.post("/teams/", {"name": name, "description": "kept text"})

    html = page.content.decode()
    assert 'id="id_name_error"' in html
    assert said in html
    assert "kept text" in html
    assert Team.objects.count() == 1


def test_a_team_of_others_is_not_found(other_learner):
    theirs = TeamFactory(captain=UserFactory(username="linus"))

    page = GatewayClient(other_learner).get(f"/teams/{theirs.pk}/")
    posted = GatewayClient(other_learner).post(f"/teams/{theirs.pk}/leave/")

    assert page.status_code == 404
    assert "you are not one of its members" in page.content.decode()
    assert posted.status_code == 404


def test_the_captain_sees_members_invitations_and_the_invite_form(learner_browser, team):
    make_invitation(team=team, email="alan@example.com")

    html = learner_browser.get(f"/teams/{team.pk}/").content.decode()

    assert "grace" in html
    assert "alan@example.com" in html
    assert f'action="/teams/{team.pk}/invite/"' in html
    assert "Make captain" in html


def test_a_member_sees_the_team_and_can_only_leave(other_learner, team):
    html = GatewayClient(other_learner).get(f"/teams/{team.pk}/").content.decode()

    assert "Leave the team" in html
    assert "/invite/" not in html
    assert "Make captain" not in html


def test_inviting_mails_the_address(learner_browser, team, committed):
    with committed():
        response = learner_browser.post(
            f"/teams/{team.pk}/invite/", {"email": "alan@example.com"}, follow=True
        )

    assert "An invitation is on its way to alan@example.com." in response.content.decode()
    assert TeamInvitation.objects.filter(team=team, email="alan@example.com", status="pending").exists()
    [mail] = sent_to("alan@example.com")
    assert "/teams/invitations/" in mail.body


@pytest.mark.parametrize(
    ("email", "said"),
    [("nope", "Enter a valid email address."), ("alan@example.com", "already has a pending invitation")],
)
def test_a_refused_invitation_is_shown_next_to_the_field_and_kept(learner_browser, team, email, said):
    make_invitation(team=team, email="alan@example.com")

    page = learner_browser.post(f"/teams/{team.pk}/invite/", {"email": email})

    html = page.content.decode()
    assert 'id="id_email_error"' in html
    assert said in html
    assert f'value="{email}"' in html
    assert TeamInvitation.objects.filter(team=team).count() == 1


def test_revoking_an_invitation_kills_its_link(learner_browser, team):
    invitation, _ = make_invitation(team=team, email="alan@example.com")

    learner_browser.post(f"/teams/{team.pk}/invitations/{invitation.pk}/revoke/")

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


def test_the_captain_removes_a_member(learner_browser, team, other_learner):
    learner_browser.post(f"/teams/{team.pk}/remove/", {"user_id": other_learner.pk})

    assert not TeamMembership.objects.filter(team=team, user=other_learner).exists()


def test_the_captain_hands_the_captaincy_over_and_stays_a_member(
    learner, learner_browser, team, other_learner
):
    learner_browser.post(f"/teams/{team.pk}/captain/", {"user_id": other_learner.pk})

    team.refresh_from_db()
    assert team.captain == other_learner
    assert TeamMembership.objects.filter(team=team, user=learner).exists()


def test_a_member_cannot_act_as_captain_and_is_told_so(other_learner, team, learner):
    page = GatewayClient(other_learner).post(
        f"/teams/{team.pk}/remove/", {"user_id": learner.pk}, follow=True
    )

    assert "Only the team&#x27;s captain can do this." in page.content.decode()
    assert TeamMembership.objects.filter(team=team, user=learner).exists()


def test_a_member_leaves(other_learner, team):
    response = GatewayClient(other_learner).post(f"/teams/{team.pk}/leave/")

    assert response["Location"] == "/teams/"
    assert not TeamMembership.objects.filter(team=team, user=other_learner).exists()


def test_the_captain_cannot_leave_and_the_page_says_why(learner, learner_browser, team):
    page = learner_browser.post(f"/teams/{team.pk}/leave/", follow=True)

    assert "The captain cannot leave the team" in page.content.decode()
    assert TeamMembership.objects.filter(team=team, user=learner).exists()


def test_the_team_page_speaks_french_to_a_french_reader(learner, team):
    learner.preferred_language = "fr"
    learner.save()

    html = GatewayClient(learner).get(f"/teams/{team.pk}/").content.decode()

    assert "Membres" in html
    assert "Inviter quelqu'un" in html


@pytest.mark.parametrize("action", ["invite/", "remove/", "captain/", "leave/", "invitations/1/revoke/"])
def test_opening_an_action_url_goes_back_to_the_team_and_changes_nothing(learner_browser, team, action):
    response = learner_browser.get(f"/teams/{team.pk}/{action}")

    assert (response.status_code, response["Location"]) == (302, f"/teams/{team.pk}/")
    assert team.memberships.count() == 2
