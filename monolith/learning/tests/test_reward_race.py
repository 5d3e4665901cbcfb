"""Two passing submissions racing on PostgreSQL credit the reward once.

Each submission runs in its own thread with its own database connection;
``RecordedRunner`` (real execution arrives with the runner service) holds
both at a barrier so they record their results at the same moment.
"""

import threading

import pytest
from django.db import connection

from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning import services
from monolith.learning.models import ExerciseProgress, ModuleProgress, Submission

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(count: int, target) -> list[BaseException]:
    errors: list[BaseException] = []

    def run():
        try:
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_racing_successes_credit_the_reward_once(runner, learner, exercise):
    # An earlier failed attempt: the learner's progress row exists, as it usually does.
    services.exercise_submit(user=learner, exercise=exercise, language="python", code="wrong")
    code = runner.solves(source="solution", exercise=exercise)
    runner.barrier = threading.Barrier(2)

    errors = _race(
        2,
        lambda: services.exercise_submit(user=learner, exercise=exercise, language="python", code=code),
    )

    assert errors == []
    assert Submission.objects.filter(user=learner, passed=True).count() == 2
    assert LedgerEntry.objects.filter(wallet__user=learner).count() == 1
    assert wallet_balance(user=learner) == exercise.reward
    progress = ExerciseProgress.objects.get(user=learner, exercise=exercise)
    assert progress.attempts == 3
    assert progress.last_success.passed
    module_progress = ModuleProgress.objects.get(user=learner, module=exercise.module)
    assert (module_progress.exercises_passed, module_progress.points_earned) == (1, exercise.reward)


def test_racing_unlocks_keep_one_unlock(learner, hidden_validator):
    barrier = threading.Barrier(4)

    def unlock():
        barrier.wait(timeout=10)
        services.validator_unlock(user=learner, validator=hidden_validator)

    errors = _race(4, unlock)

    assert errors == []
    assert hidden_validator.unlocks.filter(user=learner).count() == 1
