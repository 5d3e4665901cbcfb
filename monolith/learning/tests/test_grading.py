"""The original PolyCode grading rule, table-driven."""

import pytest

from monolith.learning.execution import TestOutcome, Verdict
from monolith.learning.grading import Expected, grade, grade_one, output_lines

CASES = [
    # (name, expected lines, stdout, exit code, runner verdict, passed, graded verdict)
    ("exact match", ["3"], "3\n", 0, "accepted", True, "accepted"),
    ("no final newline", ["3"], "3", 0, "accepted", True, "accepted"),
    ("trailing spaces", ["a b", "c"], "a b   \nc\t\n", 0, "accepted", True, "accepted"),
    ("leading spaces", ["x"], "   x\n", 0, "accepted", True, "accepted"),
    ("windows line endings", ["1", "2"], "1\r\n2\r\n", 0, "accepted", True, "accepted"),
    ("trailing blank lines", ["1", "2"], "1\n2\n\n\n  \n", 0, "accepted", True, "accepted"),
    ("trailing blank expected", ["1", ""], "1\n", 0, "accepted", True, "accepted"),
    ("inner blank line kept", ["1", "", "2"], "1\n\n2\n", 0, "accepted", True, "accepted"),
    ("inner blank line missing", ["1", "", "2"], "1\n2\n", 0, "accepted", False, "wrong_answer"),
    ("extra line", ["1"], "1\n2\n", 0, "accepted", False, "wrong_answer"),
    ("missing line", ["1", "2"], "1\n", 0, "accepted", False, "wrong_answer"),
    ("wrong value", ["3"], "4\n", 0, "accepted", False, "wrong_answer"),
    ("case matters", ["YES"], "yes\n", 0, "accepted", False, "wrong_answer"),
    ("inner spaces matter", ["a b"], "a  b\n", 0, "accepted", False, "wrong_answer"),
    ("empty output, output expected", ["3"], "", 0, "accepted", False, "wrong_answer"),
    ("empty output, nothing expected", [], "", 0, "accepted", True, "accepted"),
    ("blank output, nothing expected", [], "\n \n", 0, "accepted", True, "accepted"),
    ("right output but non-zero exit", ["3"], "3\n", 1, "runtime_error", False, "runtime_error"),
    ("non-zero exit with accepted verdict", ["3"], "3\n", 2, "accepted", False, "runtime_error"),
    ("time limit", ["3"], "3\n", None, "time_limit", False, "time_limit"),
    ("memory limit", ["3"], "", None, "memory_limit", False, "memory_limit"),
    ("compile error", ["3"], "", None, "compile_error", False, "compile_error"),
    ("output limit", ["3"], "3\n" * 10, None, "output_limit", False, "output_limit"),
    ("runner's wrong answer overruled", ["3"], "3 \n", 0, "wrong_answer", True, "accepted"),
    ("unknown verdict", ["3"], "3\n", 0, "exploded", False, "internal_error"),
]


@pytest.mark.parametrize(
    ("expected", "stdout", "exit_code", "verdict", "passed", "graded"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_grading_rule(expected, stdout, exit_code, verdict, passed, graded):
    outcome = TestOutcome(id="v1", verdict=verdict, exit_code=exit_code, stdout=stdout, stderr="")

    result = grade_one(expected=Expected(id="v1", lines=expected), outcome=outcome)

    assert (result.passed, result.verdict) == (passed, graded)


def test_output_lines_are_trimmed_and_lose_trailing_blanks():
    assert output_lines("  a \n\tb\n\n \n") == ["a", "b"]


def test_overall_passes_only_when_every_validator_passes():
    expected = [Expected(id="1", lines=["1"]), Expected(id="2", lines=["2"])]
    ok = TestOutcome(id="1", verdict=Verdict.ACCEPTED, exit_code=0, stdout="1\n")
    wrong = TestOutcome(id="2", verdict=Verdict.ACCEPTED, exit_code=0, stdout="3\n")
    right = TestOutcome(id="2", verdict=Verdict.ACCEPTED, exit_code=0, stdout="2\n")

    failed = grade(expected=expected, outcomes=[ok, wrong])
    passed = grade(expected=expected, outcomes=[right, ok])  # matched by id, not order

    assert (failed.passed, failed.passed_count) == (False, 1)
    assert (passed.passed, passed.passed_count) == (True, 2)


def test_a_validator_without_outcome_fails_as_internal_error():
    result = grade(expected=[Expected(id="1", lines=[])], outcomes=[])

    assert not result.passed
    assert result.validators[0].verdict == Verdict.INTERNAL_ERROR


def test_no_validator_is_not_a_pass():
    assert grade(expected=[], outcomes=[]).passed is False
