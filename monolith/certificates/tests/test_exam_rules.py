"""A certification exam's rules, enforced by the server: timer, deadline, attempts, cool-down, grading."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from waffle.testutils import override_switch

from common.errors import Conflict, Unavailable
from common.messaging.models import OutboxMessage
from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance
from monolith.accounts.tests.factories import UserFactory
from monolith.certificates import services
from monolith.certificates.models import Certificate, ExamAttempt
from monolith.certificates.tests.conftest import WRONG, expire

pytestmark = pytest.mark.django_db


def test_starting_opens_an_attempt_whose_deadline_is_the_servers_clock_plus_the_duration(learner, exam):
    attempt = services.exam_start(user=learner, exam=exam)

    assert attempt.number == 1
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)
    assert attempt.is_open


def test_starting_again_while_an_attempt_is_open_returns_that_attempt(learner, exam):
    first = services.exam_start(user=learner, exam=exam)

    assert services.exam_start(user=learner, exam=exam) == first
    assert ExamAttempt.objects.count() == 1


def test_an_answer_saved_after_the_deadline_is_refused_and_the_saved_one_kept(learner, exam, exercises):
    attempt = services.exam_start(user=learner, exam=exam)
    services.answer_save(attempt=attempt, exercise=exercises[0], language="python", code="print(1)\n")
    expire(attempt)

    with pytest.raises(services.ExamClosed, match="Time is up"):
        services.answer_save(attempt=attempt, exercise=exercises[0], language="python", code="print(2)\n")

    assert attempt.answers.get().code == "print(1)\n"


@pytest.mark.sandbox
def test_a_submission_after_the_deadline_is_refused_before_anything_runs(learner, exam, exercises, solutions):
    attempt = services.exam_start(user=learner, exam=exam)
    expire(attempt)

    with pytest.raises(services.ExamClosed):
        services.answer_submit(
            attempt=attempt, exercise=exercises[0], language="python", code=solutions["sum-of-digits"]
        )

    assert not attempt.answers.exists()


def test_starting_an_attempt_beyond_the_allowed_number_is_refused(learner, exam):
    exam.cooldown_minutes = 0
    exam.save()
    for _ in range(2):
        services.attempt_finish(attempt=services.exam_start(user=learner, exam=exam))

    with pytest.raises(Conflict, match="all 2 attempts"):
        services.exam_start(user=learner, exam=exam)

    assert ExamAttempt.objects.filter(user=learner).count() == 2


def test_starting_within_the_cool_down_is_refused_with_the_time_it_ends(learner, exam):
    services.attempt_finish(attempt=services.exam_start(user=learner, exam=exam))

    with pytest.raises(Conflict, match="next attempt on") as refused:
        services.exam_start(user=learner, exam=exam)

    assert "cool-down" in refused.value.message
    assert ExamAttempt.objects.filter(user=learner).count() == 1


def test_after_the_cool_down_the_next_attempt_opens(learner, exam):
    attempt = services.attempt_finish(attempt=services.exam_start(user=learner, exam=exam))
    ExamAttempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - timedelta(hours=2),
        deadline=attempt.deadline - timedelta(hours=2),
        finished_at=attempt.finished_at - timedelta(hours=2),
    )

    assert services.exam_start(user=learner, exam=exam).number == 2


@pytest.mark.sandbox
def test_at_the_deadline_the_last_saved_code_of_each_exercise_is_submitted_on_next_access(
    learner, exam, exercises, solutions
):
    attempt = services.exam_start(user=learner, exam=exam)
    for exercise in exercises:
        services.answer_save(attempt=attempt, exercise=exercise, language="python", code=WRONG)
        services.answer_save(
            attempt=attempt, exercise=exercise, language="python", code=solutions[exercise.slug]
        )
    expire(attempt)

    closed = services.attempt_close_if_expired(attempt=attempt)

    assert closed.ended_by == ExamAttempt.Ending.DEADLINE
    assert closed.finished_at == closed.deadline
    assert (closed.points_earned, closed.points_total, closed.passed) == (120, 120, True)
    assert all(answer.is_judged and answer.tests_passed == 4 for answer in closed.answers.all())
    assert Certificate.objects.get(user=learner).score_percent == 100


def test_the_periodic_command_closes_expired_attempts_and_leaves_running_ones(learner, other_learner, exam):
    expired = expire(services.exam_start(user=learner, exam=exam))
    running = services.exam_start(user=other_learner, exam=exam)

    call_command("exams_close_expired")

    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.ended_by == ExamAttempt.Ending.DEADLINE
    assert expired.passed is False
    assert running.is_open


@pytest.mark.sandbox
def test_a_pass_issues_one_certificate_pays_the_module_reward_once_and_mails_once(
    learner, exam, exercises, solutions, django_capture_on_commit_callbacks
):
    attempt = services.exam_start(user=learner, exam=exam)
    # Two answers right and one wrong: 80 of 120 points, 66 %: not enough.
    for exercise in exercises:
        code = solutions[exercise.slug] if exercise.slug != "anagrams" else WRONG
        services.answer_submit(attempt=attempt, exercise=exercise, language="python", code=code)
    services.answer_submit(
        attempt=attempt, exercise=exercises[2], language="python", code=solutions["anagrams"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        finished = services.attempt_finish(attempt=attempt)
        services.attempt_finish(attempt=finished)
        services._attempt_grade(attempt_id=attempt.id, ended_by="learner")

    certificate = Certificate.objects.get()
    assert (certificate.user, certificate.attempt, certificate.score_percent) == (learner, finished, 100)
    assert len(certificate.public_id) >= 22
    assert LedgerEntry.objects.filter(reference__startswith="reward:user:").count() == 1
    assert wallet_balance(user=learner) == 200
    [message] = mail.outbox
    assert message.to == [learner.email]
    assert f"/certificates/{certificate.public_id}" in message.body


@pytest.mark.sandbox
def test_a_fail_issues_no_certificate_and_no_mail(learner, exam, exercises, solutions):
    attempt = services.exam_start(user=learner, exam=exam)
    services.answer_submit(
        attempt=attempt, exercise=exercises[0], language="python", code=solutions["sum-of-digits"]
    )

    finished = services.attempt_finish(attempt=attempt)

    assert (finished.points_earned, finished.points_total, finished.passed) == (40, 120, False)
    assert not Certificate.objects.exists()
    assert mail.outbox == []
    assert wallet_balance(user=learner) == 0


@pytest.mark.sandbox
def test_partial_tests_earn_partial_points_and_the_pass_mark_is_inclusive(
    learner, exam, exercises, solutions
):
    exam.pass_percent = 75
    exam.save()
    attempt = services.exam_start(user=learner, exam=exam)
    for exercise in exercises[:2]:
        services.answer_save(
            attempt=attempt, exercise=exercise, language="python", code=solutions[exercise.slug]
        )
    # Passes 2 of 4 anagram tests (the two "no" answers): 20 of 40 points there.
    services.answer_save(attempt=attempt, exercise=exercises[2], language="python", code="print('no')\n")

    finished = services.attempt_finish(attempt=attempt)

    assert (finished.points_earned, finished.points_total) == (100, 120)
    assert finished.passed is True  # 83 % >= 75 %


@pytest.mark.sandbox
def test_with_mail_via_queue_on_the_certificate_mail_goes_to_the_mailer_in_the_holders_language(
    exam, exercises, solutions, django_capture_on_commit_callbacks
):
    holder = UserFactory(username="zoe", preferred_language="fr")
    attempt = services.exam_start(user=holder, exam=exam)
    for exercise in exercises:
        services.answer_save(
            attempt=attempt, exercise=exercise, language="python", code=solutions[exercise.slug]
        )

    with override_switch("mail_via_queue", active=True), django_capture_on_commit_callbacks(execute=True):
        services.attempt_finish(attempt=attempt)

    assert mail.outbox == []
    [message] = OutboxMessage.objects.all()
    payload = message.body["payload"]
    certificate = Certificate.objects.get()
    assert (payload["kind"], payload["language"], payload["to"]) == (
        "certificate_awarded",
        "fr",
        "zoe@example.com",
    )
    assert payload["context"]["certificate_url"].endswith(f"/certificates/{certificate.public_id}")


@pytest.mark.sandbox
def test_a_holder_cannot_start_the_exam_again(learner, exam, exercises, solutions):
    attempt = services.exam_start(user=learner, exam=exam)
    for exercise in exercises:
        services.answer_save(
            attempt=attempt, exercise=exercise, language="python", code=solutions[exercise.slug]
        )
    services.attempt_finish(attempt=attempt)

    with pytest.raises(Conflict, match="already hold"):
        services.exam_start(user=learner, exam=exam)

    assert ExamAttempt.objects.filter(user=learner).count() == 1


def test_with_no_runner_at_the_deadline_the_attempt_waits_and_is_graded_once_one_answers(
    learner, exam, exercises, runner_down
):
    attempt = services.exam_start(user=learner, exam=exam)
    services.answer_save(attempt=attempt, exercise=exercises[0], language="python", code=WRONG)
    expire(attempt)

    with pytest.raises(Unavailable):
        services.attempt_close_if_expired(attempt=attempt)
    assert call_command("exams_close_expired") is None
    attempt.refresh_from_db()
    assert attempt.is_open  # not graded as zero because of an outage
    with pytest.raises(services.ExamClosed):
        services.answer_save(attempt=attempt, exercise=exercises[1], language="python", code=WRONG)
