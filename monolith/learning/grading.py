"""Grading of a run, as the original PolyCode did it. Pure functions, no database.

A validator passes when the program ran to its end with exit code 0 and its
stdout, split into lines, each line trimmed and trailing empty lines ignored,
matches the expected lines one for one, with the same number of lines.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from monolith.learning.execution import TestOutcome, Verdict


@dataclass(frozen=True)
class Expected:
    """What one validator expects: its id and its expected stdout lines."""

    id: str
    lines: Sequence[str]


@dataclass(frozen=True)
class ValidatorGrade:
    id: str
    passed: bool
    #: ``accepted`` or ``wrong_answer`` when the program completed, else the runner's verdict.
    verdict: str
    exit_code: int | None
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Grade:
    passed: bool
    validators: list[ValidatorGrade]

    @property
    def passed_count(self) -> int:
        return sum(1 for v in self.validators if v.passed)


def normalize_lines(lines: Sequence[str]) -> list[str]:
    """Each line trimmed, then the trailing empty lines dropped."""
    trimmed = [line.strip() for line in lines]
    while trimmed and trimmed[-1] == "":
        trimmed.pop()
    return trimmed


def output_lines(stdout: str) -> list[str]:
    """Program output as comparable lines (``\\r\\n`` and ``\\n`` endings alike)."""
    return normalize_lines(stdout.split("\n"))


def output_matches(*, stdout: str, expected: Sequence[str]) -> bool:
    return output_lines(stdout) == normalize_lines(expected)


def grade_one(*, expected: Expected, outcome: TestOutcome | None) -> ValidatorGrade:
    """Grade one validator; a missing outcome is an internal error, never a pass."""
    if outcome is None:
        return ValidatorGrade(
            id=expected.id, passed=False, verdict=Verdict.INTERNAL_ERROR, exit_code=None, stdout="", stderr=""
        )
    if outcome.verdict not in Verdict.COMPLETED:
        verdict = outcome.verdict if outcome.verdict in Verdict.ALL else Verdict.INTERNAL_ERROR
        passed = False
    elif outcome.exit_code != 0:
        verdict, passed = Verdict.RUNTIME_ERROR, False
    elif output_matches(stdout=outcome.stdout, expected=expected.lines):
        verdict, passed = Verdict.ACCEPTED, True
    else:
        verdict, passed = Verdict.WRONG_ANSWER, False
    return ValidatorGrade(
        id=expected.id,
        passed=passed,
        verdict=verdict,
        exit_code=outcome.exit_code,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
    )


def grade(*, expected: Sequence[Expected], outcomes: Sequence[TestOutcome]) -> Grade:
    """Grade every validator against the runner's outcomes (matched by id).

    Overall, the run passes when there is at least one validator and every
    validator passes.
    """
    by_id = {outcome.id: outcome for outcome in outcomes}
    grades = [grade_one(expected=e, outcome=by_id.get(e.id)) for e in expected]
    return Grade(passed=bool(grades) and all(g.passed for g in grades), validators=grades)
