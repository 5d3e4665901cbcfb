"""Fixtures of the certification tests: an exam built from the demo certification's exercises.

Code is judged for real by the runner's sandbox library (the ``runner_via_service``
switch off), with the demo's reference solutions: tests using ``solutions`` need
bubblewrap and Python.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from waffle.testutils import override_switch

from common.registry.base import reset_registry
from monolith.certificates.models import Exam, ExamAttempt
from monolith.learning import demo as demo_data
from monolith.learning.demo_solutions import reference_solutions
from monolith.learning.models import Module
from monolith.learning.tests.factories import ModuleFactory

EXERCISES = ("sum-of-digits", "run-length-encoding", "anagrams")
WRONG = "print('no idea')\n"


@pytest.fixture
def exam(db) -> Exam:
    """A certification of three demo exercises (40 points each): 30 minutes, 70 % to pass, 2 attempts."""
    module = ModuleFactory(kind=Module.Kind.CERTIFICATION, title="Certified solver", reward=200)
    specs = {e.slug: e for e in demo_data.demo_exercises()}
    for position, slug in enumerate(EXERCISES):
        demo_data._sync_content(specs[slug], module=module, position=position)
    module.contents.update(reward=40)
    return Exam.objects.create(
        module=module, duration_minutes=30, pass_percent=70, max_attempts=2, cooldown_minutes=60
    )


@pytest.fixture
def exercises(exam) -> list:
    return list(exam.module.contents.filter(kind="exercise").order_by("position"))


@pytest.fixture
def solutions() -> dict[str, str]:
    """Python sources that pass every test of each exam exercise, by slug."""
    found = reference_solutions()
    return {slug: found[slug]["python"] for slug in EXERCISES}


def expire(attempt: ExamAttempt, *, ago: timedelta = timedelta(seconds=1)) -> ExamAttempt:
    """Move the attempt's window into the past, as if its time had run out ``ago``."""
    shift = attempt.deadline - timezone.now() + ago
    ExamAttempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - shift, deadline=attempt.deadline - shift
    )
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def runner_down(settings):
    """The runner service chosen (``runner_via_service`` on) at an address where nothing listens."""
    settings.SERVICE_URLS = {"runner": "http://127.0.0.1:9"}
    reset_registry()
    with override_switch("runner_via_service", active=True):
        yield
    reset_registry()
