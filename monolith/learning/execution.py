"""How the learning app asks for code to be run: one small interface.

``CodeRunner.judge`` compiles ``source`` once (where the language needs it)
and runs it once per test case with the case's stdin. Two backends will stand
behind it, chosen by the ``monolith.flags.RUNNER_VIA_SERVICE`` switch: the
in-process sandbox and the runner service over HTTP (``monolith.learning.runners``). Both return the same
``JudgeResult``; the learning app grades the outcomes itself
(``monolith.learning.grading``), so a backend only has to run and report.
"""

from dataclasses import dataclass, field
from typing import Protocol


class Verdict:
    """Verdicts a runner reports for one test case."""

    ACCEPTED = "accepted"
    WRONG_ANSWER = "wrong_answer"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    RUNTIME_ERROR = "runtime_error"
    COMPILE_ERROR = "compile_error"
    OUTPUT_LIMIT = "output_limit"
    INTERNAL_ERROR = "internal_error"

    #: The program ran to its end; its output decides (the runner's own
    #: comparison is advisory, the learning app grades).
    COMPLETED = frozenset({ACCEPTED, WRONG_ANSWER})
    ALL = frozenset(
        {
            ACCEPTED,
            WRONG_ANSWER,
            TIME_LIMIT,
            MEMORY_LIMIT,
            RUNTIME_ERROR,
            COMPILE_ERROR,
            OUTPUT_LIMIT,
            INTERNAL_ERROR,
        }
    )


@dataclass(frozen=True)
class TestCase:
    """One run of the program: ``stdin`` in, ``expected_stdout`` for the runner's own check."""

    __test__ = False  # not a pytest test class

    id: str
    stdin: str
    expected_stdout: str


@dataclass(frozen=True)
class TestOutcome:
    """What happened when the program ran on one test case.

    ``exit_code`` is ``None`` when the program did not exit by itself (killed
    on a limit) or never ran (compile error).
    """

    __test__ = False

    id: str
    verdict: str
    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    #: What the run used, when the runner measured it (CPU and wall time, peak memory).
    cpu_ms: int | None = None
    wall_ms: int | None = None
    memory_kb: int | None = None


@dataclass(frozen=True)
class JudgeResult:
    """One outcome per test case (in their order) and the compiler's output, if any.

    A backend may return its own result type with the same attributes: the
    learning app reads only ``tests[*].id/verdict/exit_code/stdout/stderr``
    and ``compile_output``.
    """

    tests: list[TestOutcome] = field(default_factory=list)
    compile_output: str = ""


class CodeRunner(Protocol):
    def judge(self, *, language: str, source: str, tests: list[TestCase]) -> JudgeResult:
        """Run ``source`` written in ``language`` on every test case."""
        ...


def get_code_runner() -> CodeRunner:
    """The backend chosen by ``monolith.flags.RUNNER_VIA_SERVICE``, read on every call.

    Off (the legacy path): the in-process sandbox. On: the runner service over HTTP.
    """
    from monolith import flags
    from monolith.learning import runners

    if flags.is_on(flags.RUNNER_VIA_SERVICE):
        return runners.HttpRunner()
    return runners.InProcessRunner()
