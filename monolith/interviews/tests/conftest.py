"""Fixtures of the interview tests: a recruiting team with an assessment of two private exercises.

Code is judged for real by the runner's sandbox library (the ``runner_via_service``
switch off), so tests that submit need bubblewrap and Python.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.identity.testing import GatewayClient
from monolith.accounts.models import TeamKind
from monolith.accounts.tests.factories import TeamFactory, UserFactory
from monolith.interviews import services
from monolith.interviews.models import Attempt

SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_RENAMED = "first, second = map(int, input().split())\nprint(first + second)\n"
DOUBLE = "n = int(input())\nprint(2 * n)\n"
WRONG = "print('no idea')\n"
#: Passes the public test of "Double it", not the hidden one.
PARTIAL = "input()\nprint(4)\n"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the mail) as if the request's transaction had committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def recruiter(db):
    return UserFactory(username="rita")


@pytest.fixture
def team(recruiter):
    return TeamFactory(name="Acme Hiring", captain=recruiter, kind=TeamKind.RECRUITING)


@pytest.fixture
def colleague(team):
    user = UserFactory(username="colin")
    team.memberships.create(user=user)
    return user


@pytest.fixture
def outsider(db):
    """A recruiter of another recruiting team."""
    other = TeamFactory(name="Other Corp", kind=TeamKind.RECRUITING)
    return other.captain


@pytest.fixture
def recruiter_browser(recruiter):
    return GatewayClient(recruiter)


@pytest.fixture
def exercises(team):
    add = services.team_exercise_create(
        team=team,
        title="Add two numbers",
        statement="Read two integers, print their sum.",
        starters={"python": "# read two numbers\n"},
        tests=[
            {"stdin": "1 2", "expected": "3", "hidden": False},
            {"stdin": "40 2", "expected": "42", "hidden": True},
            {"stdin": "-5 5", "expected": "0", "hidden": True},
        ],
    )
    double = services.team_exercise_create(
        team=team,
        title="Double it",
        statement="Read an integer, print its double.",
        starters={"python": ""},
        tests=[
            {"stdin": "2", "expected": "4", "hidden": False},
            {"stdin": "21", "expected": "42", "hidden": True},
        ],
    )
    return [add, double]


def version_data(exercises, **overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "Backend screening",
        "instructions": "Do your best.",
        "languages": ["python"],
        "duration_minutes": 30,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "sources": [f"team:{e.id}" for e in exercises],
    }
    return {**data, **overrides}


@pytest.fixture
def assessment(team, recruiter, exercises):
    return services.assessment_create(team=team, by=recruiter, data=version_data(exercises))


def token_from(message) -> str:
    return re.search(r"/assessment/start/([\w-]+)", message.body).group(1)


@pytest.fixture
def invite(assessment, recruiter, committed):
    """Invite a candidate; returns (invitation, token) read from the mail as a candidate would."""

    def make(name="Ada Candidate", email="ada@example.org", on=None):
        with committed():
            invitation = services.invitation_create(
                assessment=on or assessment, by=recruiter, name=name, email=email
            )
        return invitation, token_from(mail.outbox[-1])

    return make


@pytest.fixture
def started(invite):
    """A started attempt: (attempt, key)."""

    def make(**kwargs):
        _invitation, token = invite(**kwargs)
        return services.attempt_start(token=token)

    return make


def candidate_browser(attempt: Attempt, key: str) -> GatewayClient:
    """An anonymous browser holding the attempt's cookie, as after pressing Start."""
    client = GatewayClient()
    client.cookies[f"assessment-{attempt.public_id.hex}"] = key
    return client


def expire(attempt: Attempt, *, ago: timedelta = timedelta(seconds=1)) -> Attempt:
    """Move the attempt's window into the past, as if its time had run out ``ago``."""
    shift = attempt.deadline - timezone.now() + ago
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - shift, deadline=attempt.deadline - shift
    )
    attempt.refresh_from_db()
    return attempt
