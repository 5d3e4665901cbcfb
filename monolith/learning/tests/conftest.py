"""Fixtures of the learning tests, and the recorded-results runner.

Real code execution belongs to the runner service, which arrives separately:
until then run/submit flows use ``RecordedRunner``, which replays outcomes
(exit code, stdout, stderr, verdict) recorded per source and stdin, and
``get_code_runner`` is patched to return it.
"""

import threading
from dataclasses import dataclass

import pytest

from monolith.learning import execution
from monolith.learning.execution import JudgeResult, TestOutcome, Verdict
from monolith.learning.models import Content, Validator
from monolith.learning.tests.factories import ExerciseFactory, ValidatorFactory


@dataclass(frozen=True)
class Recorded:
    stdout: str = ""
    exit_code: int | None = 0
    verdict: str = Verdict.ACCEPTED
    stderr: str = ""


class RecordedRunner:
    """A ``CodeRunner`` replaying recorded outcomes; unknown runs print nothing.

    ``calls`` keeps every ``judge`` call so a test can check what was sent.
    ``barrier`` (optional) holds each call until that many threads arrived.
    """

    def __init__(self):
        self.recordings: dict[tuple[str, str], Recorded] = {}
        self.compile_output: dict[str, str] = {}
        self.calls: list[dict] = []
        self.barrier: threading.Barrier | None = None

    def record(self, *, source: str, stdin: str, **outcome) -> None:
        self.recordings[(source, stdin)] = Recorded(**outcome)

    def solves(self, *, source: str, exercise: Content) -> str:
        """Record ``source`` printing the expected output of every validator."""
        for validator in exercise.validators.all():
            self.record(source=source, stdin=validator.stdin_text, stdout=validator.expected_text)
        return source

    def judge(self, *, language: str, source: str, tests: list[execution.TestCase]) -> JudgeResult:
        self.calls.append({"language": language, "source": source, "tests": list(tests)})
        if self.barrier is not None:
            self.barrier.wait(timeout=10)
        outcomes = []
        for test in tests:
            recorded = self.recordings.get((source, test.stdin), Recorded(verdict=Verdict.WRONG_ANSWER))
            outcomes.append(
                TestOutcome(
                    id=test.id,
                    verdict=recorded.verdict,
                    exit_code=recorded.exit_code,
                    stdout=recorded.stdout,
                    stderr=recorded.stderr,
                )
            )
        return JudgeResult(tests=outcomes, compile_output=self.compile_output.get(source, ""))


@pytest.fixture
def runner(monkeypatch) -> RecordedRunner:
    fake = RecordedRunner()
    monkeypatch.setattr(execution, "get_code_runner", lambda: fake)
    return fake


@pytest.fixture
def exercise(db) -> Content:
    """A published exercise (reward 10) with two public validators and one hidden one."""
    content = ExerciseFactory(reward=10)
    ValidatorFactory(exercise=content, position=0, stdin=["1 2"], expected_stdout=["3"])
    ValidatorFactory(exercise=content, position=1, stdin=["5 5"], expected_stdout=["10"])
    ValidatorFactory(exercise=content, position=2, stdin=["40 2"], expected_stdout=["42"], is_hidden=True)
    return content


@pytest.fixture
def hidden_validator(exercise) -> Validator:
    return exercise.validators.get(is_hidden=True)
