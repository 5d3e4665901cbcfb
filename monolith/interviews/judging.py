"""Judging a candidate's code on a frozen exercise: the learners' runner and grading, nothing else.

The tests of an assessment's exercise are copies kept in its version, so they
are handed to ``execution.get_code_runner()`` and ``grading.grade`` directly —
the same backend (in-process sandbox or runner service, by the
``runner_via_service`` switch) and the same comparison as a learner's run.
"""

from dataclasses import dataclass

from monolith.learning import execution, grading
from monolith.learning.services import _storable


@dataclass(frozen=True)
class TestVerdict:
    __test__ = False

    index: int
    hidden: bool
    passed: bool
    verdict: str
    stdout: str
    stderr: str
    stdin: str
    expected: str

    def public(self) -> dict:
        """What is stored and shown to the team: never the hidden test's input or output."""
        return {"index": self.index, "hidden": self.hidden, "passed": self.passed, "verdict": self.verdict}


@dataclass(frozen=True)
class Judgement:
    verdicts: list[TestVerdict]
    compile_output: str

    @property
    def passed(self) -> int:
        return sum(1 for v in self.verdicts if v.passed)

    @property
    def total(self) -> int:
        return len(self.verdicts)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def judge(*, exercise: dict, language: str, code: str, hidden_too: bool) -> Judgement:
    """Run ``code`` on the exercise's public tests, or on all of them with ``hidden_too``.

    Raises what the runner raises: ``ServiceError`` (bad language, code too
    long) and ``Unavailable`` (no runner answers).
    """
    tests = [(i, t) for i, t in enumerate(exercise["tests"]) if hidden_too or not t.get("hidden")]
    cases = [execution.TestCase(id=str(i), stdin=t["stdin"], expected_stdout=t["expected"]) for i, t in tests]
    judged = execution.get_code_runner().judge(language=language, source=code, tests=cases)
    graded = grading.grade(
        expected=[grading.Expected(id=str(i), lines=_lines(t["expected"])) for i, t in tests],
        outcomes=judged.tests,
    )
    verdicts = [
        TestVerdict(
            index=i,
            hidden=bool(t.get("hidden")),
            passed=g.passed,
            verdict=g.verdict,
            stdout=_storable(g.stdout),
            stderr=_storable(g.stderr),
            stdin=t["stdin"],
            expected=t["expected"],
        )
        for (i, t), g in zip(tests, graded.validators, strict=True)
    ]
    return Judgement(verdicts=verdicts, compile_output=_storable(judged.compile_output))
