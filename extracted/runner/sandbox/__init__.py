"""Sandboxed execution of untrusted programs: a plain Python library (no web framework).

The runner service calls it on behalf of its HTTP API; the monolith's in-process path can
call the same entry points directly::

    from extracted.runner import sandbox

    sandbox.configure(workers=2)           # optional, once per process
    result = sandbox.run(language="python", source="print(input())", stdin="hi\\n")
    result.verdict, result.stdout          # "accepted", "hi\\n"
    tests = [{"id": "1", "stdin": "", "expected_stdout": "42"}]
    report = sandbox.judge(language="c", source=code, tests=tests)
    report.verdict, report.summary

The first call builds the process-wide ``Sandbox`` (probing the host); if no
sandbox can be built it raises ``SandboxUnavailable`` instead of running anything.
"""

from __future__ import annotations

import threading

from extracted.runner.sandbox.compare import MODES as COMPARE_MODES
from extracted.runner.sandbox.compare import outputs_match
from extracted.runner.sandbox.engine import VERDICTS, JudgeResult, RunResult, Sandbox, TestCase, TestResult
from extracted.runner.sandbox.errors import (
    Busy,
    InputError,
    LimitError,
    SandboxError,
    SandboxUnavailable,
    UnknownLanguage,
)
from extracted.runner.sandbox.limits import (
    BOUNDS,
    DEFAULT_COMPILE_LIMITS,
    DEFAULT_LIMITS,
    Limits,
    limits_from,
)

__all__ = [
    "BOUNDS",
    "COMPARE_MODES",
    "DEFAULT_COMPILE_LIMITS",
    "DEFAULT_LIMITS",
    "VERDICTS",
    "Busy",
    "InputError",
    "JudgeResult",
    "LimitError",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "SandboxUnavailable",
    "TestCase",
    "TestResult",
    "UnknownLanguage",
    "configure",
    "get_sandbox",
    "judge",
    "languages",
    "limits_from",
    "outputs_match",
    "report",
    "run",
]

_lock = threading.Lock()
_options: dict = {}
_sandbox: Sandbox | None = None


def configure(**options) -> None:
    """Options for the process-wide sandbox (see ``Sandbox``); before its first use."""
    global _sandbox
    with _lock:
        _options.clear()
        _options.update(options)
        if _sandbox is not None:
            _sandbox.close()
            _sandbox = None


def get_sandbox() -> Sandbox:
    global _sandbox
    with _lock:
        if _sandbox is None:
            _sandbox = Sandbox(**_options)
        return _sandbox


def run(*, language: str, source: str, stdin: str = "", limits=None, files=None) -> RunResult:
    return get_sandbox().run(language=language, source=source, stdin=stdin, limits=limits, files=files)


def judge(
    *, language: str, source: str, tests, limits=None, compare: str = "lines", files=None
) -> JudgeResult:
    return get_sandbox().judge(
        language=language, source=source, tests=tests, limits=limits, compare=compare, files=files
    )


def languages() -> list[dict]:
    return get_sandbox().describe_languages()


def report() -> dict:
    return get_sandbox().report()
