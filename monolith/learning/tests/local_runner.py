"""A test-only ``CodeRunner`` that runs trusted reference solutions with the host's toolchains.

No sandbox: it exists to prove that the demo exercises' validators accept
their reference solutions, and must never run learners' code.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from monolith.learning.demo_solutions import SOURCE_FILES
from monolith.learning.execution import JudgeResult, TestCase, TestOutcome, Verdict

TOOLCHAINS = {
    "python": [sys.executable],
    "javascript": ["node"],
    "c": ["gcc"],
    "cpp": ["g++"],
    "java": ["javac", "java"],
    "rust": ["rustc"],
}


def toolchain_available(language: str) -> bool:
    return all(shutil.which(tool) for tool in TOOLCHAINS[language])


def _build(language: str, source: Path, work: Path) -> list[str]:
    binary = str(work / "main")
    compile_commands = {
        "c": ["gcc", "-O2", "-std=c17", "-o", binary, str(source), "-lm"],
        "cpp": ["g++", "-O2", "-std=c++17", "-o", binary, str(source)],
        "java": ["javac", "-d", str(work), str(source)],
        "rust": ["rustc", "-O", "--edition", "2021", "-o", binary, str(source)],
    }
    if language in compile_commands:
        subprocess.run(compile_commands[language], check=True, capture_output=True, timeout=120)
    return {
        "python": [sys.executable, str(source)],
        "javascript": ["node", str(source)],
        "java": ["java", "-cp", str(work), "Main"],
    }.get(language, [binary])


class LocalRunner:
    def judge(self, *, language: str, source: str, tests: list[TestCase]) -> JudgeResult:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            path = work / SOURCE_FILES[language]
            path.write_text(source, encoding="utf-8")
            try:
                command = _build(language, path, work)
            except subprocess.CalledProcessError as exc:
                outcomes = [
                    TestOutcome(id=t.id, verdict=Verdict.COMPILE_ERROR, exit_code=None) for t in tests
                ]
                return JudgeResult(tests=outcomes, compile_output=exc.stderr.decode(errors="replace"))
            outcomes = []
            for test in tests:
                try:
                    done = subprocess.run(
                        command, input=test.stdin, capture_output=True, text=True, timeout=10
                    )
                except subprocess.TimeoutExpired:
                    outcomes.append(TestOutcome(id=test.id, verdict=Verdict.TIME_LIMIT, exit_code=None))
                    continue
                verdict = Verdict.ACCEPTED if done.returncode == 0 else Verdict.RUNTIME_ERROR
                outcomes.append(
                    TestOutcome(
                        id=test.id,
                        verdict=verdict,
                        exit_code=done.returncode,
                        stdout=done.stdout,
                        stderr=done.stderr,
                    )
                )
            return JudgeResult(tests=outcomes)
