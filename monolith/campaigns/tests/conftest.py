"""Fixtures of the campaign tests: exercises in an unpublished module, a recorded-results runner."""

import pytest

from monolith.campaigns.tests.factories import CampaignExerciseFactory, CampaignFactory
from monolith.learning import execution
from monolith.learning.tests.conftest import RecordedRunner
from monolith.learning.tests.factories import ExerciseFactory, ModuleFactory, ValidatorFactory


@pytest.fixture
def runner(monkeypatch) -> RecordedRunner:
    """Judging with recorded outcomes (the learning tests' runner); grading stays real."""
    fake = RecordedRunner()
    monkeypatch.setattr(execution, "get_code_runner", lambda: fake)
    return fake


def secret_exercise(title: str, *, tests: int = 3, hidden: int = 1, module=None):
    """An exercise of an unpublished module: only a campaign shows it to learners."""
    module = module or ModuleFactory(is_published=False, title="Campaign problems")
    exercise = ExerciseFactory(module=module, title=title, body=f"Statement of {title}: SECRET-{title}")
    for n in range(tests):
        ValidatorFactory(
            exercise=exercise,
            position=n,
            stdin=[f"{title}-in-{n}"],
            expected_stdout=[f"{title}-out-{n}"],
            is_hidden=n >= tests - hidden,
        )
    return exercise


@pytest.fixture
def campaign(db):
    """A running individual ICPC campaign with exercises A and B (three tests each, one hidden)."""
    campaign = CampaignFactory(penalty_minutes=20)
    module = ModuleFactory(is_published=False, title="Campaign problems")
    for position, title in enumerate(["Alpha", "Beta"]):
        CampaignExerciseFactory(
            campaign=campaign, exercise=secret_exercise(title, module=module), position=position, points=100
        )
    return campaign


def solution(runner: RecordedRunner, item, *, passing: int | None = None) -> str:
    """Code that passes the first ``passing`` tests of a campaign exercise (all by default)."""
    validators = list(item.exercise.validators.order_by("position"))
    passing = len(validators) if passing is None else passing
    source = f"# {item.exercise.title} passing {passing}"
    for validator in validators[:passing]:
        runner.record(source=source, stdin=validator.stdin_text, stdout=validator.expected_text)
    return source
