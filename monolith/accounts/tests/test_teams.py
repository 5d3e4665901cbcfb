import pytest
from django.core import mail
from rest_framework.test import APIClient

from monolith.accounts.models import Team, TeamMembership
from monolith.accounts.tests.conftest import sent_to
from monolith.accounts.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/accounts/teams"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def team(learner, other_learner):
    """Ada's team, with Grace as a member."""
    team = TeamFactory(name="Lambda", captain=learner)
    TeamMembership.objects.create(team=team, user=other_learner)
    return team


def test_creating_a_team_makes_the_creator_its_captain_and_member(learner_client, learner):
    response = learner_client.post(TEAMS, {"name": "  Rustaceans ", "kind": "recruiting"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["kind"], body["captain"]["username"], body["members_count"]) == (
        "Rustaceans",
        "recruiting",
        "ada",
        1,
    )
    team = Team.objects.get()
    assert list(team.members.all()) == [learner]


def test_team_names_are_unique_whatever_their_case(learner_client, team):
    response = learner_client.post(TEAMS, {"name": "LAMBDA"}, format="json")
    assert response.status_code == 409
    assert "name" in response.json()["fields"]
    assert Team.objects.count() == 1


def test_members_see_the_team_and_its_members(team, other_learner):
    client = client_for(other_learner)

    detail = client.get(f"{TEAMS}/{team.pk}").json()
    members = client.get(f"{TEAMS}/{team.pk}/members").json()["results"]

    assert (detail["name"], detail["members_count"]) == ("Lambda", 2)
    assert [(m["username"], m["is_captain"]) for m in members] == [("ada", True), ("grace", False)]


def test_a_user_lists_only_the_teams_they_belong_to(team, other_learner):
    TeamFactory(name="Elsewhere")
    names = [t["name"] for t in client_for(other_learner).get(TEAMS).json()["results"]]
    assert names == ["Lambda"]


def test_outsiders_do_not_see_a_team(team):
    outsider = client_for(UserFactory(username="eve"))
    for url in [f"{TEAMS}/{team.pk}", f"{TEAMS}/{team.pk}/members", f"{TEAMS}/{team.pk}/invitations"]:
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


def test_only_the_captain_manages_the_team(team, learner, other_learner):
    member = client_for(other_learner)
    attempts = [
        member.patch(f"{TEAMS}/{team.pk}", {"name": "Mine"}, format="json"),
        member.delete(f"{TEAMS}/{team.pk}"),
        member.post(f"{TEAMS}/{team.pk}/invitations", {"email": "x@example.com"}, format="json"),
        member.get(f"{TEAMS}/{team.pk}/invitations"),
        member.delete(f"{TEAMS}/{team.pk}/members/{learner.pk}"),
        member.post(f"{TEAMS}/{team.pk}/transfer", {"user_id": other_learner.pk}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    team.refresh_from_db()
    assert (team.name, team.captain) == ("Lambda", learner)
    assert team.memberships.count() == 2
    assert not team.invitations.exists()


def test_the_captain_renames_the_team(learner_client, team):
    response = learner_client.patch(f"{TEAMS}/{team.pk}", {"name": "Lambda Calculus"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Lambda Calculus"


def test_a_member_leaves(team, other_learner):
    response = client_for(other_learner).post(f"{TEAMS}/{team.pk}/leave")
    assert response.status_code == 204
    assert list(team.members.all()) == [team.captain]


def test_the_captain_cannot_leave_without_handing_over(learner_client, team, learner):
    response = learner_client.post(f"{TEAMS}/{team.pk}/leave")

    assert response.status_code == 409
    assert response.json()["code"] == "captain_cannot_leave"
    assert "transfer the captaincy" in response.json()["detail"]
    assert team.members.filter(pk=learner.pk).exists()


def test_after_a_transfer_the_former_captain_can_leave(learner_client, team, learner, other_learner):
    response = learner_client.post(
        f"{TEAMS}/{team.pk}/transfer", {"user_id": other_learner.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["captain"]["username"] == "grace"

    assert learner_client.post(f"{TEAMS}/{team.pk}/leave").status_code == 204
    team.refresh_from_db()
    assert team.captain == other_learner
    assert list(team.members.all()) == [other_learner]


def test_the_captaincy_goes_only_to_a_member(learner_client, team, learner):
    outsider = UserFactory(username="eve")
    for user_id in (outsider.pk, learner.pk, 10**12):
        response = learner_client.post(f"{TEAMS}/{team.pk}/transfer", {"user_id": user_id}, format="json")
        assert response.status_code in (400, 404), user_id
        assert "user_id" in response.json()["fields"]
    team.refresh_from_db()
    assert team.captain == learner


def test_removing_a_member_sends_them_a_removed_mail_in_their_language(
    learner_client, team, other_learner, committed
):
    other_learner.preferred_language = "fr"
    other_learner.save()

    with committed():
        response = learner_client.delete(f"{TEAMS}/{team.pk}/members/{other_learner.pk}")

    assert response.status_code == 204
    assert not team.members.filter(pk=other_learner.pk).exists()
    [message] = sent_to("grace@example.com")
    assert message.subject == "Vous ne faites plus partie de l'équipe Lambda"
    assert "Lambda" in message.body


def test_the_captain_cannot_be_removed(learner_client, team, learner, committed):
    with committed():
        response = learner_client.delete(f"{TEAMS}/{team.pk}/members/{learner.pk}")
    assert response.status_code == 409
    assert team.members.filter(pk=learner.pk).exists()
    assert mail.outbox == []


def test_removing_someone_who_is_not_a_member_is_a_404(learner_client, team):
    outsider = UserFactory(username="eve")
    response = learner_client.delete(f"{TEAMS}/{team.pk}/members/{outsider.pk}")
    assert response.status_code == 404
    assert team.memberships.count() == 2


def test_the_captain_deletes_the_team(learner_client, team):
    assert learner_client.delete(f"{TEAMS}/{team.pk}").status_code == 204
    assert not Team.objects.exists()
    assert not TeamMembership.objects.exists()
