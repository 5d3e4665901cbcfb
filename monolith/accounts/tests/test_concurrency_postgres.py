"""Racing team requests on a real PostgreSQL: row locks keep the team consistent.

Each request runs in its own thread, hence on its own database connection.
The first request is held inside its transaction (after taking its locks)
until the second one has been started, so the race happens on every run
rather than by luck.
"""

import threading
import time
from unittest import mock

import pytest
from django.db import connection

from common.errors import ServiceError
from monolith.accounts.models import InvitationStatus, TeamInvitation, TeamMembership
from monolith.accounts.services import teams
from monolith.accounts.tests.factories import (
    TeamFactory,
    UserFactory,
    make_invitation,
    verified_primary_email,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD_SECONDS = 0.5


def run_in_thread(fn, results: dict, key: str) -> threading.Thread:
    def target():
        try:
            results[key] = fn()
        except Exception as exc:  # the test inspects what each request ended with
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def holding(real, inside: threading.Event):
    """Wrap ``real`` so its first call signals ``inside`` and then lingers in the transaction."""
    first = threading.Lock()

    def wrapper(*args, **kwargs):
        if first.acquire(blocking=False):
            inside.set()
            time.sleep(HOLD_SECONDS)
        return real(*args, **kwargs)

    return wrapper


def test_two_concurrent_accepts_of_one_invitation_make_exactly_one_membership():
    captain = UserFactory(username="cap")
    invitee = UserFactory(username="inv")
    verified_primary_email(invitee)
    team = TeamFactory(captain=captain)
    invitation, token = make_invitation(team=team, email=invitee.email)
    inside, results = threading.Event(), {}

    with mock.patch.object(teams, "mail_request", holding(teams.mail_request, inside)):
        first = run_in_thread(
            lambda: teams.team_invitation_accept(user=invitee, token=token), results, "first"
        )
        assert inside.wait(5), "the first accept never reached its membership"
        second = run_in_thread(
            lambda: teams.team_invitation_accept(user=invitee, token=token), results, "second"
        )
        first.join(10)
        second.join(10)

    assert isinstance(results["first"], TeamMembership), results
    assert isinstance(results["second"], ServiceError), results
    assert results["second"].status == 409
    assert TeamMembership.objects.filter(team=team, user=invitee).count() == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_a_leave_racing_a_transfer_to_the_leaver_waits_for_it_and_is_refused():
    captain = UserFactory(username="cap")
    member = UserFactory(username="mem")
    team = TeamFactory(captain=captain)
    TeamMembership.objects.create(team=team, user=member)
    inside, results = threading.Event(), {}

    with mock.patch.object(teams, "_require_captain", holding(teams._require_captain, inside)):
        transfer = run_in_thread(
            lambda: teams.team_captain_transfer(team=team, actor=captain, user_id=member.pk),
            results,
            "transfer",
        )
        assert inside.wait(5), "the transfer never took the team lock"
        leave = run_in_thread(lambda: teams.team_leave(team=team, user=member), results, "leave")
        transfer.join(10)
        leave.join(10)

    assert not isinstance(results["transfer"], Exception), results
    assert isinstance(results["leave"], ServiceError), results
    assert results["leave"].code == "captain_cannot_leave"
    team.refresh_from_db()
    assert team.captain == member
    assert set(team.members.all()) == {captain, member}


def test_racing_invitations_of_one_address_leave_one_pending():
    captain = UserFactory(username="cap")
    team = TeamFactory(captain=captain)
    inside, results = threading.Event(), {}

    def invite():
        return teams.team_invitation_create(team=team, inviter=captain, email="new@example.com")

    with mock.patch.object(teams, "mail_request", holding(teams.mail_request, inside)):
        first = run_in_thread(invite, results, "first")
        assert inside.wait(5)
        second = run_in_thread(invite, results, "second")
        first.join(10)
        second.join(10)

    assert isinstance(results["first"], TeamInvitation), results
    assert isinstance(results["second"], ServiceError), results
    assert results["second"].status == 409
    assert TeamInvitation.objects.filter(status=InvitationStatus.PENDING).count() == 1
