"""Every language, end to end in the sandbox: one program per language whose
behaviour the first line of its input selects, judged once (one compile) against
tests that each expect a verdict."""

import signal
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent / "programs"
SOURCES = {
    "python": "behave.py",
    "javascript": "behave.js",
    "c": "behave.c",
    "cpp": "behave.cpp",
    "java": "Behave.java",
    "rust": "behave.rs",
}
TESTS = [
    {"id": "hello", "stdin": "hello\n", "expected_stdout": "Hello, World!\n"},
    {"id": "echo", "stdin": "echo\nline one\n  two  \n\n", "expected_stdout": "line one\ntwo"},
    {"id": "wrong", "stdin": "wrong\n", "expected_stdout": "43\n"},
    {"id": "crash", "stdin": "crash\n", "expected_stdout": ""},
    {"id": "spin", "stdin": "spin\n", "expected_stdout": ""},
    {"id": "sleep", "stdin": "sleep\n", "expected_stdout": ""},
    {"id": "alloc", "stdin": "alloc\n", "expected_stdout": ""},
]
EXPECTED = {
    "hello": "accepted",
    "echo": "accepted",
    "wrong": "wrong_answer",
    "crash": "runtime_error",
    "spin": "time_limit",
    "sleep": "time_limit",
    "alloc": "memory_limit",
}
LIMITS = {"cpu_seconds": 1, "wall_seconds": 2.5, "memory_mb": 64}
BROKEN = {
    "c": "int main(void) { return undefined_name; }\n",
    "cpp": "int main() { std::vector<int> v; }\n",
    "java": 'public class Main { public static void main(String[] a) { int x = "s"; } }\n',
    "rust": 'fn main() { let x: u32 = "s"; }\n',
}

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module", params=list(SOURCES))
def judged(request, box):
    language = request.param
    source = (PROGRAMS / SOURCES[language]).read_text()
    report = box.judge(language=language, source=source, tests=TESTS, limits=LIMITS)
    return language, report


def test_every_language_is_discovered_with_its_version(box):
    assert set(box.languages) >= set(SOURCES)
    for language in box.describe_languages():
        assert language["version"]


def test_each_behaviour_gets_its_verdict_in_every_language(judged):
    language, report = judged
    got = {t.id: t.verdict for t in report.tests}
    details = {t.id: (t.verdict, t.exit_code, t.signal, t.stderr[-300:]) for t in report.tests}
    assert got == EXPECTED, f"{language}: {details}"
    assert report.verdict == "wrong_answer"  # the first test that is not accepted
    assert report.summary["passed"] == 2
    assert report.summary["total"] == len(TESTS)


def test_hello_world_and_echo_print_exactly_their_output(judged):
    language, report = judged
    tests = {t.id: t for t in report.tests}
    assert tests["hello"].stdout == "Hello, World!\n", language
    assert tests["echo"].stdout == "line one\n  two  \n\n", language
    assert tests["hello"].exit_code == 0
    assert tests["hello"].stderr == ""


def test_limits_are_measured_where_they_bite(judged):
    language, report = judged
    tests = {t.id: t for t in report.tests}
    spin = tests["spin"]
    # The CPU limit bites (SIGXCPU, or the CPU it measured) unless a loaded machine starves
    # the spin until the wall-clock limit does.
    assert spin.signal == signal.SIGXCPU or spin.cpu_ms >= 900 or spin.wall_ms >= 2400, (language, spin)
    assert tests["sleep"].wall_ms >= 2400, language
    assert tests["sleep"].cpu_ms < 900, language
    assert tests["hello"].wall_ms < 2000, language


def test_runtime_error_reports_how_the_program_ended(judged):
    language, report = judged
    crash = next(t for t in report.tests if t.id == "crash")
    assert crash.exit_code not in (0, None) or crash.signal is not None, language
    if language in ("python", "javascript", "java"):
        assert "boom" in crash.stderr


@pytest.mark.parametrize("language", sorted(BROKEN))
def test_compile_errors_are_reported_with_the_compiler_output(box, language):
    result = box.run(language=language, source=BROKEN[language])
    assert result.verdict == "compile_error"
    assert "error" in result.compile_output.lower()
    assert result.stdout == ""
    report = box.judge(
        language=language,
        source=BROKEN[language],
        tests=[
            {"id": "a", "stdin": "", "expected_stdout": ""},
            {"id": "b", "stdin": "", "expected_stdout": ""},
        ],
    )
    assert report.verdict == "compile_error"
    assert [t.verdict for t in report.tests] == ["compile_error", "compile_error"]


def test_syntax_errors_of_interpreted_languages_are_runtime_errors(box):
    assert box.run(language="python", source="def (:\n").verdict == "runtime_error"
    assert box.run(language="javascript", source="function (\n").verdict == "runtime_error"


def test_extra_files_can_be_imported_by_the_main_program(box):
    result = box.run(
        language="python",
        source="import helper\nprint(helper.twice(21))\n",
        files={"helper.py": "def twice(x):\n    return 2 * x\n"},
    )
    assert (result.verdict, result.stdout) == ("accepted", "42\n")
    result = box.run(
        language="c",
        source='#include "util.h"\n#include <stdio.h>\nint main(void){printf("%d\\n", twice(21));}\n',
        files={"util.h": "static int twice(int x) { return 2 * x; }\n"},
    )
    assert (result.verdict, result.stdout) == ("accepted", "42\n")
