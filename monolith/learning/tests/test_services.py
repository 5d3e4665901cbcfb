"""Run and submit flows, rewards, progress and unlocks at the service level.

Code execution is the runner service's job and arrives with it; these tests
use ``RecordedRunner`` (see conftest), patched in for ``get_code_runner``.
"""

import pytest

from common.errors import Conflict, ServiceError
from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning import services
from monolith.learning.execution import Verdict, get_code_runner
from monolith.learning.models import ExerciseProgress, ModuleProgress, Submission, ValidatorUnlock
from monolith.learning.tests.factories import (
    ExerciseFactory,
    ModuleFactory,
    SubmoduleFactory,
    ValidatorFactory,
)

pytestmark = pytest.mark.django_db


def _submit(user, exercise, code, language="python"):
    return services.exercise_submit(user=user, exercise=exercise, language=language, code=code)


def test_the_runner_switch_chooses_the_backend_on_every_call():
    from waffle.models import Switch

    from monolith import flags
    from monolith.learning.runners import HttpRunner, InProcessRunner

    assert isinstance(get_code_runner(), InProcessRunner)
    Switch.objects.update_or_create(name=flags.RUNNER_VIA_SERVICE, defaults={"active": True})
    assert isinstance(get_code_runner(), HttpRunner)


def test_run_sends_public_validators_only_and_saves_nothing(runner, learner, exercise):
    code = runner.solves(source="print(sum)", exercise=exercise)

    report = services.exercise_run(user=learner, exercise=exercise, language="python", code=code)

    sent = [t.stdin for t in runner.calls[0]["tests"]]
    assert sent == ["1 2\n", "5 5\n"]
    assert report.passed is True
    assert [r.position for r in report.results] == [0, 1]
    assert not Submission.objects.exists()
    assert not ExerciseProgress.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_submit_judges_every_validator_and_records_the_attempt(runner, learner, exercise):
    hidden = exercise.validators.get(is_hidden=True)
    runner.record(source="half", stdin="1 2\n", stdout="3\n")
    runner.record(source="half", stdin=hidden.stdin_text, stdout="41\n")

    submission = _submit(learner, exercise, "half")

    assert submission.passed is False
    assert [r["passed"] for r in submission.results] == [True, False, False]
    assert [r["verdict"] for r in submission.results] == ["accepted", "wrong_answer", "wrong_answer"]
    assert submission.results[2]["hidden"] is True
    progress = ExerciseProgress.objects.get(user=learner, exercise=exercise)
    assert (progress.attempts, progress.last_attempt, progress.last_success) == (1, submission, None)
    assert wallet_balance(user=learner) == 0


def test_first_success_credits_the_reward_and_a_second_success_does_not(runner, learner, exercise):
    code = runner.solves(source="solution", exercise=exercise)

    first = _submit(learner, exercise, code)
    second = _submit(learner, exercise, code)

    entries = LedgerEntry.objects.filter(wallet__user=learner)
    assert [e.reference for e in entries] == [f"reward:user:{learner.id}:exercise:{exercise.id}"]
    assert wallet_balance(user=learner) == exercise.reward == 10
    progress = ExerciseProgress.objects.get(user=learner, exercise=exercise)
    assert progress.attempts == 2
    assert progress.last_success == second
    assert progress.first_passed_at == first.created_at


def test_a_failure_after_a_success_keeps_the_last_success(runner, learner, exercise):
    good = _submit(learner, exercise, runner.solves(source="good", exercise=exercise))
    bad = _submit(learner, exercise, "bad")

    progress = ExerciseProgress.objects.get(user=learner, exercise=exercise)
    assert (progress.last_attempt, progress.last_success) == (bad, good)
    assert progress.passed


def test_non_zero_exit_fails_even_with_the_right_output(runner, learner, exercise):
    for validator in exercise.validators.all():
        runner.record(source="crash", stdin=validator.stdin_text, stdout=validator.expected_text, exit_code=1)

    submission = _submit(learner, exercise, "crash")

    assert submission.passed is False
    assert {r["verdict"] for r in submission.results} == {Verdict.RUNTIME_ERROR}


def test_each_learner_is_credited_on_their_own_first_success(runner, learner, other_learner, exercise):
    code = runner.solves(source="solution", exercise=exercise)

    _submit(learner, exercise, code)
    _submit(other_learner, exercise, code)

    assert wallet_balance(user=learner) == wallet_balance(user=other_learner) == 10


def test_language_must_be_one_of_the_exercise_editor_settings(runner, learner, exercise):
    with pytest.raises(ServiceError) as raised:
        _submit(learner, exercise, "code", language="rust")

    assert raised.value.field == "language"
    assert not runner.calls
    assert not Submission.objects.exists()


def test_code_over_64_kib_is_refused(runner, learner, exercise):
    with pytest.raises(ServiceError) as raised:
        _submit(learner, exercise, "é" * 40_000)  # 80,000 bytes of UTF-8

    assert raised.value.field == "code"
    assert not runner.calls


def test_an_exercise_without_validators_cannot_be_submitted(runner, learner):
    bare = ExerciseFactory()

    with pytest.raises(Conflict):
        _submit(learner, bare, "code")


def test_stored_output_is_made_safe_for_the_database(runner, learner, exercise):
    for validator in exercise.validators.all():
        runner.record(source="noisy", stdin=validator.stdin_text, stdout="a\x00b\ud800", stderr="x" * 20_000)

    submission = _submit(learner, exercise, "noisy")

    submission.refresh_from_db()
    assert "\x00" not in submission.results[0]["stdout"]
    assert len(submission.results[0]["stderr"]) < 17_000


def test_module_progress_counts_passed_exercises_and_points(runner, learner):
    module = ModuleFactory(reward=0)
    first, second = ExerciseFactory(module=module, reward=10), ExerciseFactory(module=module, reward=25)
    for ex in (first, second):
        ValidatorFactory(exercise=ex)

    _submit(learner, first, runner.solves(source="one", exercise=first))

    progress = ModuleProgress.objects.get(user=learner, module=module)
    assert (progress.exercises_passed, progress.exercises_total, progress.points_earned) == (1, 2, 10)
    assert progress.completed_at is None


def test_certification_completes_when_all_exercises_pass_and_credits_its_reward_once(runner, learner):
    certification = ModuleFactory(kind="certification", reward=100)
    exercises = [ExerciseFactory(module=certification, reward=10) for _ in range(2)]
    for ex in exercises:
        ValidatorFactory(exercise=ex)

    for ex in exercises:
        _submit(learner, ex, runner.solves(source=f"solve {ex.id}", exercise=ex))
    _submit(learner, exercises[0], f"solve {exercises[0].id}")

    progress = ModuleProgress.objects.get(user=learner, module=certification)
    assert progress.is_completed
    assert (progress.exercises_passed, progress.exercises_total, progress.points_earned) == (2, 2, 120)
    assert wallet_balance(user=learner) == 120
    assert LedgerEntry.objects.filter(reference__endswith=f":module:{certification.id}").count() == 1


def test_submodule_exercises_count_towards_the_parent_module(runner, learner):
    parent = ModuleFactory()
    chapter = SubmoduleFactory(parent=parent)
    own, nested = ExerciseFactory(module=parent, reward=5), ExerciseFactory(module=chapter, reward=7)
    for ex in (own, nested):
        ValidatorFactory(exercise=ex)

    _submit(learner, nested, runner.solves(source="nested", exercise=nested))

    parent_progress = ModuleProgress.objects.get(user=learner, module=parent)
    chapter_progress = ModuleProgress.objects.get(user=learner, module=chapter)
    assert (parent_progress.exercises_passed, parent_progress.exercises_total) == (1, 2)
    assert parent_progress.points_earned == 7
    assert chapter_progress.is_completed


def test_deleting_an_exercise_recounts_progress(runner, learner):
    module = ModuleFactory()
    kept, removed = ExerciseFactory(module=module), ExerciseFactory(module=module)
    ValidatorFactory(exercise=kept)
    ValidatorFactory(exercise=removed)
    _submit(learner, removed, runner.solves(source="x", exercise=removed))

    services.content_delete(content=removed)

    progress = ModuleProgress.objects.get(user=learner, module=module)
    assert (progress.exercises_passed, progress.exercises_total) == (0, 1)


def test_validator_unlock_is_idempotent(learner, hidden_validator):
    first, created = services.validator_unlock(user=learner, validator=hidden_validator)
    again, created_again = services.validator_unlock(user=learner, validator=hidden_validator)

    assert (created, created_again) == (True, False)
    assert first == again
    assert ValidatorUnlock.objects.count() == 1
