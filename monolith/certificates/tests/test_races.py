"""Racing requests on PostgreSQL: starts open one attempt; finishes grade once, one certificate, one mail."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from monolith.accounts.models import LedgerEntry
from monolith.certificates import services
from monolith.certificates.models import Certificate, ExamAnswer, ExamAttempt

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _together(count: int, work) -> list:
    """Run ``work()`` in ``count`` threads released at the same moment; their results or errors."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index: int) -> None:
        barrier.wait(timeout=10)
        try:
            outcomes[index] = work()
        except Exception as error:  # the test looks at every outcome
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_racing_starts_open_a_single_attempt(learner, exam):
    outcomes = _together(4, lambda: services.exam_start(user=learner, exam=exam))

    assert all(isinstance(outcome, ExamAttempt) for outcome in outcomes), outcomes
    assert len({outcome.id for outcome in outcomes}) == 1
    assert ExamAttempt.objects.filter(user=learner).count() == 1


def test_racing_finishes_grade_once_and_issue_one_certificate_and_one_mail(learner, exam, exercises):
    attempt = services.exam_start(user=learner, exam=exam)
    now = timezone.now()
    for exercise in exercises:
        # Answers already judged as they stand (all tests passed): finishing runs no code.
        ExamAnswer.objects.create(
            attempt=attempt,
            exercise=exercise,
            language="python",
            code="print('ok')\n",
            saved_at=now,
            judged_code="print('ok')\n",
            judged_language="python",
            judged_at=now,
            tests_passed=4,
            tests_total=4,
        )

    outcomes = _together(4, lambda: services.attempt_finish(attempt=ExamAttempt.objects.get(pk=attempt.pk)))

    assert all(isinstance(outcome, ExamAttempt) and outcome.passed for outcome in outcomes), outcomes
    assert Certificate.objects.filter(user=learner).count() == 1
    assert LedgerEntry.objects.filter(wallet__user=learner).count() == 1
    assert len(mail.outbox) == 1
