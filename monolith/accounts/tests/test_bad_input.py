"""Bad input across the accounts API: a 4xx JSON naming the field, never a 500, nothing changed."""

import pytest
from django.core import mail

from monolith.accounts.models import (
    EmailAddress,
    EmailVerificationToken,
    Team,
    TeamInvitation,
    TeamMembership,
    User,
)
from monolith.accounts.tests.factories import EmailAddressFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

A = "/api/v1/accounts"
HUGE = "x" * 10_000
HUGE_ID = 10**30


@pytest.fixture
def world(learner, other_learner):
    """Ada captains a team with Grace; each has one extra address."""
    team = TeamFactory(name="Lambda", captain=learner)
    TeamMembership.objects.create(team=team, user=other_learner)
    return {
        "team": team,
        "mine": EmailAddressFactory(user=learner, email="ada.extra@example.com"),
        "theirs": EmailAddressFactory(user=other_learner, email="grace.extra@example.com"),
        "grace": other_learner,
    }


def snapshot(learner):
    learner.refresh_from_db()
    rows = tuple(
        model.objects.count()
        for model in (User, EmailAddress, EmailVerificationToken, Team, TeamMembership, TeamInvitation)
    )
    team = Team.objects.order_by("pk").values_list("name", "description", "captain_id").first()
    profile = (
        learner.email,
        learner.description,
        learner.preferred_language,
        learner.preferred_editing_language,
    )
    return rows, team, profile


# (method, path, body, field named in the answer or None when no field applies)
CASES = [
    ("post", "/register", {}, "username"),
    ("post", "/register", {"username": "bob", "email": "bob@example.com"}, "password"),
    (
        "post",
        "/register",
        {"username": HUGE, "email": "b@example.com", "password": "long-enough-pass"},
        "username",
    ),
    (
        "post",
        "/register",
        {"username": "b o b", "email": "b@example.com", "password": "long-enough-pass"},
        "username",
    ),
    (
        "post",
        "/register",
        {"username": 12, "email": "b@example.com", "password": "long-enough-pass"},
        "username",
    ),
    (
        "post",
        "/register",
        {"username": "bob", "email": HUGE + "@example.com", "password": "long-pass-1x"},
        "email",
    ),
    (
        "post",
        "/register",
        {"username": "bob", "email": "not-an-email", "password": "long-enough-pass"},
        "email",
    ),
    ("post", "/register", {"username": "bob", "email": "b@example.com", "password": HUGE}, "password"),
    ("post", "/register", {"username": "bob", "email": "b@example.com", "password": ["a"]}, "password"),
    (
        "post",
        "/register",
        {
            "username": "bob",
            "email": "b@example.com",
            "password": "long-enough-pass",
            "preferred_language": "de",
        },
        "preferred_language",
    ),
    ("post", "/register", ["not", "an", "object"], "non_field_errors"),
    ("patch", "/me", {"description": HUGE}, "description"),
    ("patch", "/me", {"description": {"a": 1}}, "description"),
    ("patch", "/me", {"preferred_language": 1}, "preferred_language"),
    ("patch", "/me", {"preferred_language": ["en"]}, "preferred_language"),
    ("patch", "/me", {"preferred_editing_language": HUGE}, "preferred_editing_language"),
    ("post", "/emails", {}, "email"),
    ("post", "/emails", {"email": None}, "email"),
    ("post", "/emails", {"email": HUGE}, "email"),
    ("post", "/emails", {"email": 42}, "email"),
    ("post", "/emails", {"email": "ada.extra@EXAMPLE.com"}, "email"),
    ("post", "/emails/verify", {}, "token"),
    ("post", "/emails/verify", {"token": HUGE}, "token"),
    ("post", "/emails/verify", {"token": 1234}, "token"),
    ("post", "/emails/verify", {"token": ""}, "token"),
    ("post", "/teams", {}, "name"),
    ("post", "/teams", {"name": ""}, "name"),
    ("post", "/teams", {"name": HUGE}, "name"),
    ("post", "/teams", {"name": True}, "name"),
    ("post", "/teams", {"name": "New", "description": HUGE}, "description"),
    ("post", "/teams", {"name": "New", "kind": "army"}, "kind"),
    ("post", "/teams", {"name": "lambda"}, "name"),
    ("patch", "/teams/{team}", {"name": HUGE}, "name"),
    ("patch", "/teams/{team}", {"name": None}, "name"),
    ("post", "/teams/{team}/transfer", {}, "user_id"),
    ("post", "/teams/{team}/transfer", {"user_id": "abc"}, "user_id"),
    ("post", "/teams/{team}/transfer", {"user_id": True}, "user_id"),
    ("post", "/teams/{team}/transfer", {"user_id": 1.5}, "user_id"),
    ("post", "/teams/{team}/transfer", {"user_id": -1}, "user_id"),
    ("post", "/teams/{team}/transfer", {"user_id": HUGE_ID}, "user_id"),
    ("post", "/teams/{team}/transfer", {"user_id": "9" * 10_000}, "user_id"),
    ("post", "/teams/{team}/invitations", {}, "email"),
    ("post", "/teams/{team}/invitations", {"email": "nope"}, "email"),
    ("post", "/teams/{team}/invitations", {"email": HUGE}, "email"),
    ("post", "/teams/invitations/accept", {}, "token"),
    ("post", "/teams/invitations/accept", {"token": HUGE}, "token"),
    ("post", "/teams/invitations/accept", {"token": None}, "token"),
    ("post", "/teams/invitations/decline", {"token": 5}, "token"),
    ("post", "/teams/invitations/decline", {"token": "unknown"}, "token"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), CASES)
def test_bad_bodies_are_refused_naming_the_field(
    learner_client, learner, world, committed, method, path, body, field
):
    before = snapshot(learner)
    url = A + path.format(team=world["team"].pk)

    with committed():
        response = getattr(learner_client, method)(url, body, format="json")

    assert 400 <= response.status_code < 500, response.content[:300]
    payload = response.json()
    assert field in payload["fields"], payload
    assert snapshot(learner) == before
    assert mail.outbox == []


MALFORMED = [
    "/register",
    "/me",
    "/emails",
    "/emails/verify",
    "/teams",
    "/teams/{team}/transfer",
    "/teams/{team}/invitations",
    "/teams/invitations/accept",
    "/teams/invitations/decline",
]


@pytest.mark.parametrize("path", MALFORMED)
def test_malformed_json_is_a_400_json(learner_client, learner, world, path):
    before = snapshot(learner)
    method = learner_client.patch if path == "/me" else learner_client.post
    response = method(
        A + path.format(team=world["team"].pk), data='{"email": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert snapshot(learner) == before


def test_a_body_in_another_format_is_a_415_json(learner_client, learner):
    response = learner_client.post(f"{A}/emails", data="email=a@example.com", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/emails/{unknown}"),
        ("delete", "/emails/{theirs}"),
        ("post", "/emails/{theirs}/primary"),
        ("post", "/emails/{unknown}/resend"),
        ("post", "/emails/{huge}/primary"),
        ("get", "/teams/{unknown}"),
        ("get", "/teams/{huge}"),
        ("get", "/teams/{other_team}"),
        ("get", "/teams/{other_team}/members"),
        ("post", "/teams/{other_team}/leave"),
        ("delete", "/teams/{team}/members/{huge}"),
        ("delete", "/teams/{team}/members/{past_bigint}"),
        ("delete", "/emails/{past_bigint}"),
        ("delete", "/teams/{other_team}/members/{eve}"),
        ("post", "/teams/{team}/invitations/{unknown}/revoke"),
        ("post", "/teams/{team}/invitations/{huge}/revoke"),
    ],
)
def test_unknown_and_foreign_ids_are_json_404s(learner_client, learner, world, method, path):
    eve = UserFactory(username="eve")
    other_team = TeamFactory(name="Other", captain=eve)
    before = snapshot(learner)
    url = A + path.format(
        unknown=987654,
        huge=HUGE_ID,
        past_bigint=2**63,
        theirs=world["theirs"].pk,
        team=world["team"].pk,
        other_team=other_team.pk,
        eve=eve.pk,
    )

    response = getattr(learner_client, method)(url)

    assert response.status_code == 404, response.content[:300]
    assert response.json()["code"] == "not_found"
    assert snapshot(learner) == before


@pytest.mark.parametrize("query", [{"page": "abc"}, {"page": -1}, {"page": HUGE_ID}, {"page_size": "lots"}])
def test_odd_pagination_parameters_never_fail(learner_client, learner, query):
    response = learner_client.get(f"{A}/leaderboard", query)
    assert response.status_code in (200, 404)
    assert response.headers["Content-Type"] == "application/json"
