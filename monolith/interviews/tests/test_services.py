"""Assessments, versions, invitations and attempts, through the services (code judged for real)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.errors import ServiceError
from monolith.accounts.tokens import token_hash
from monolith.interviews import services
from monolith.interviews.models import Attempt, Invitation, Snapshot
from monolith.interviews.tests.conftest import DOUBLE, SUM, WRONG, expire, version_data

pytestmark = pytest.mark.django_db


def test_an_edit_before_anyone_started_changes_the_version_in_place(assessment, recruiter, exercises):
    version = services.assessment_update(
        assessment=assessment, by=recruiter, data=version_data(exercises, title="Renamed")
    )
    assert version.number == 1
    assert assessment.versions.count() == 1
    assert version.title == "Renamed"


def test_an_edit_after_a_start_makes_a_new_version_and_the_started_candidate_keeps_theirs(
    assessment, recruiter, exercises, started
):
    attempt, _key = started()
    version = services.assessment_update(
        assessment=assessment, by=recruiter, data=version_data(exercises[:1], duration_minutes=5)
    )
    assert version.number == 2
    attempt.refresh_from_db()
    assert attempt.version.number == 1
    assert len(attempt.version.exercises) == 2
    assert attempt.version.duration_minutes == 30


def test_a_frozen_version_does_not_change_when_the_team_exercise_is_edited(assessment, exercises):
    services.team_exercise_update(
        exercise=exercises[0],
        title="Changed",
        statement="x",
        starters={"python": ""},
        tests=[{"expected": "1"}],
    )
    version = assessment.versions.get()
    assert version.exercises[0]["title"] == "Add two numbers"
    assert len(version.exercises[0]["tests"]) == 3


def test_an_exercise_of_another_team_cannot_be_chosen(team, recruiter, outsider):
    other_team = outsider.captained_teams.get()
    theirs = services.team_exercise_create(
        team=other_team, title="Secret", statement="s", starters={"python": ""}, tests=[{"expected": "1"}]
    )
    with pytest.raises(ServiceError) as caught:
        services.assessment_create(team=team, by=recruiter, data=version_data([theirs]))
    assert caught.value.field == "sources"


def test_invitation_mails_a_single_use_link_and_stores_only_its_hash(invite):
    invitation, token = invite()
    message = mail.outbox[-1]
    assert message.to == ["ada@example.org"]
    assert "Backend screening" in message.subject
    assert token not in invitation.token_hash
    assert invitation.token_hash == token_hash(token)
    _attempt, _key = services.attempt_start(token=token)
    with pytest.raises(services.LinkRefused) as caught:
        services.attempt_start(token=token)
    assert caught.value.reason == "used"
    assert Attempt.objects.filter(invitation=invitation).count() == 1


def test_invitation_is_written_in_the_team_language(invite, recruiter):
    recruiter.preferred_language = "fr"
    recruiter.save()
    invite()
    assert "vous invite" in mail.outbox[-1].subject


@pytest.mark.parametrize("reason", ["revoked", "expired", "forged"])
def test_a_refused_link_starts_nothing(invite, reason):
    invitation, token = invite()
    if reason == "revoked":
        services.invitation_revoke(invitation=invitation)
    elif reason == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(services.LinkRefused) as caught:
        services.attempt_start(token=token)
    assert caught.value.reason == reason
    assert not Attempt.objects.exists()


def test_resend_replaces_the_link(invite, committed):
    invitation, old = invite()
    with committed():
        services.invitation_resend(invitation=invitation)
    new = mail.outbox[-1].body.split("/assessment/start/")[1].split()[0]
    assert new != old
    with pytest.raises(services.LinkRefused):
        services.attempt_start(token=old)
    assert services.attempt_start(token=new)[0].invitation_id == invitation.id


def test_reminders_go_once_to_candidates_who_have_not_started_before_the_link_expires(invite, committed):
    invitation, _token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(hours=3))
    with committed():
        assert services.invitations_remind() == 1
    assert "Reminder" in mail.outbox[-1].subject
    assert services.invitations_remind() == 0


def test_autosave_keeps_a_snapshot_per_change_only(started):
    attempt, _key = started()
    services.answer_save(attempt=attempt, index=0, language="python", code="a")
    services.answer_save(attempt=attempt, index=0, language="python", code="a")
    services.answer_save(attempt=attempt, index=0, language="python", code="ab")
    assert list(Snapshot.objects.values_list("code", flat=True)) == ["a", "ab"]


def test_a_submission_one_second_after_the_deadline_is_refused(started):
    attempt, _key = started()
    services.answer_save(attempt=attempt, index=0, language="python", code=WRONG)
    attempt = expire(attempt, ago=timedelta(seconds=1))
    with pytest.raises(services.AttemptClosed):
        services.answer_submit(attempt=attempt, index=0, language="python", code=SUM)
    assert attempt.answers.get().code == WRONG


def test_submit_counts_hidden_tests_and_the_deadline_submits_the_last_saved_code(started):
    attempt, _key = started()
    answer = services.answer_submit(attempt=attempt, index=0, language="python", code=SUM)
    assert (answer.tests_passed, answer.tests_total) == (3, 3)
    services.answer_save(attempt=attempt, index=1, language="python", code=DOUBLE)
    attempt = expire(attempt)
    assert services.attempts_close_expired() == 1
    attempt.refresh_from_db()
    assert attempt.ended_by == Attempt.Ending.DEADLINE
    assert (attempt.tests_passed, attempt.tests_total, attempt.score_percent) == (5, 5, 100)
    double = attempt.answers.get(exercise_index=1)
    assert double.is_judged
    assert double.snapshots.get(kind=Snapshot.Kind.DEADLINE).code == DOUBLE
    assert attempt.invitation.status == Invitation.Status.SUBMITTED


def test_run_uses_only_the_public_tests(started):
    attempt, _key = started()
    judgement = services.answer_run(attempt=attempt, index=0, language="python", code=SUM)
    assert [(v.index, v.hidden, v.passed) for v in judgement.verdicts] == [(0, False, True)]


def test_signals_add_up(started):
    attempt, _key = started()
    services.signals_record(attempt=attempt, pastes=[10, 300], leaves=2, away_seconds=40)
    attempt = services.signals_record(attempt=attempt, pastes=[5], leaves=1, away_seconds=2)
    assert (attempt.paste_count, attempt.paste_chars_total, attempt.paste_chars_max) == (3, 315, 300)
    assert (attempt.tab_leaves, attempt.tab_away_seconds) == (3, 42)


def test_erasing_a_candidate_keeps_the_score_but_not_the_name_address_or_code(started):
    attempt, _key = started()
    services.answer_submit(attempt=attempt, index=0, language="python", code=SUM)
    attempt = services.attempt_finish(attempt=attempt)
    invitation = services.candidate_erase(invitation=attempt.invitation)
    attempt.refresh_from_db()
    assert "ada" not in invitation.email
    assert invitation.name != "Ada Candidate"
    assert attempt.score_percent == 50
    assert attempt.answers.get(exercise_index=0).code == ""
    assert not Snapshot.objects.exists()


def test_similarity_sees_through_renamed_variables_and_ignores_the_shared_starter_code():
    from monolith.interviews import similarity

    starter = "import sys\n\ndef read_numbers():\n    return [int(x) for x in sys.stdin.read().split()]\n"
    mine = (
        starter
        + "values = read_numbers()\ntotal = 0\nfor v in values[1:]:\n    total += v * v\nprint(total)\n"
    )
    copied = starter + "nums = read_numbers()\nacc = 0\nfor n in nums[1:]:\n    acc += n * n\nprint(acc)\n"
    honest = starter + "print(sum(x ** 2 for x in read_numbers()[1:]))\n"
    others = {1: (copied, "python"), 2: (honest, "python"), 3: (copied, "javascript")}
    matches = similarity.similar(code=mine, language="python", others=others, starter=starter)
    assert [m.other_id for m in matches] == [1]
    assert matches[0].percent >= round(similarity.THRESHOLD * 100)


def test_the_periodic_job_anonymises_attempts_finished_before_the_retention_period(started, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.INTERVIEWS_RETENTION_DAYS = 30
    old, _key = started(name="Old", email="old@example.org")
    old = services.attempt_finish(attempt=old)
    Attempt.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    recent, _key = started(name="Recent", email="recent@example.org")
    services.attempt_finish(attempt=recent)
    out = StringIO()
    call_command("assessments_close_expired", "--anonymise", stdout=out)
    assert "1 candidate(s) anonymised" in out.getvalue()
    assert Invitation.objects.get(pk=old.invitation_id).erased_at is not None
    assert Invitation.objects.get(pk=recent.invitation_id).erased_at is None
    assert Attempt.objects.get(pk=old.pk).score_percent == 0
