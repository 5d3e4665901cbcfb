"""The two ``CodeRunner`` backends behind ``monolith.flags.RUNNER_VIA_SERVICE``.

- ``InProcessRunner`` (switch off, the legacy path): the monolith runs code
  itself with the runner's sandbox library. This is the one place where the
  monolith imports code of an extracted service: the library is the legacy
  execution code that was moved into the runner, and this backend goes away
  once the switch stays on.
- ``HttpRunner`` (switch on): the runner service's ``POST /api/judge``, found
  through the service registry, called with the monolith's own identity
  assertion on behalf of the learner of the current request.

Both translate failures into ``common.errors``: an unknown language is a 400
naming ``language``; a runner that is down, busy or broken is a 503 with
``Retry-After`` where the runner gave one — never a 500.
"""

import logging

import requests
from django.conf import settings

from common.errors import ServiceError, Unavailable
from common.identity.service import service_headers
from monolith.learning.execution import JudgeResult, TestCase, TestOutcome

logger = logging.getLogger(__name__)

DOWN = "The code runner is not reachable right now; try again in a moment."
BUSY = "The code runner is busy; try again in a moment."
#: The sandbox's input names -> the learning API's.
INPUT_FIELDS = {"source": "code"}


def _outcomes(tests) -> list[TestOutcome]:
    return [
        TestOutcome(
            id=str(t["id"]),
            verdict=t["verdict"],
            exit_code=t.get("exit_code"),
            stdout=t.get("stdout", ""),
            stderr=t.get("stderr", ""),
            cpu_ms=t.get("cpu_ms"),
            wall_ms=t.get("wall_ms"),
            memory_kb=t.get("memory_kb"),
        )
        for t in tests
    ]


def _tests_payload(tests: list[TestCase]) -> list[dict]:
    return [{"id": t.id, "stdin": t.stdin, "expected_stdout": t.expected_stdout} for t in tests]


class InProcessRunner:
    """Runs code in this process's sandbox (bubblewrap, seccomp, cgroups, rlimits)."""

    def judge(self, *, language: str, source: str, tests: list[TestCase]) -> JudgeResult:
        from extracted.runner import sandbox

        try:
            report = sandbox.judge(language=language, source=source, tests=_tests_payload(tests))
        except sandbox.InputError as exc:  # unknown language, oversized source, ...
            raise ServiceError(exc.message, field=INPUT_FIELDS.get(exc.field, exc.field)) from exc
        except sandbox.Busy as exc:
            raise Unavailable(BUSY, retry_after=exc.retry_after) from exc
        except sandbox.SandboxUnavailable as exc:
            logger.error("in-process sandbox unavailable: %s", exc)
            raise Unavailable("Code execution is not available on this server.") from exc
        data = report.as_dict()
        return JudgeResult(tests=_outcomes(data["tests"]), compile_output=data["compile_output"])


class HttpRunner:
    """Calls the runner service; one pooled session per process."""

    _session = requests.Session()

    def _url(self) -> str:
        from common.registry.base import NoInstance, get_registry

        try:
            return get_registry().choose("runner").url
        except NoInstance as exc:
            raise Unavailable(DOWN) from exc

    def judge(self, *, language: str, source: str, tests: list[TestCase]) -> JudgeResult:
        url = f"{self._url()}/api/judge"
        body = {"language": language, "source": source, "tests": _tests_payload(tests)}
        try:
            response = self._session.post(
                url,
                json=body,
                headers=service_headers(audience="runner"),
                timeout=settings.RUNNER_HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            logger.warning("runner unreachable at %s: %s", url, exc)
            raise Unavailable(DOWN) from exc
        if response.status_code == 503:
            raise Unavailable(BUSY, retry_after=_retry_after(response))
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            logger.error("runner answered %s with a body that is not a JSON object", response.status_code)
            raise Unavailable(DOWN)
        if response.status_code == 400 and isinstance(data.get("fields"), dict) and data["fields"]:
            # The request broke one of the runner's limits: the same 400 the in-process path gives.
            field, messages = next(iter(data["fields"].items()))
            message = messages[0] if isinstance(messages, list) and messages else str(messages)
            raise ServiceError(str(message), field=INPUT_FIELDS.get(field, field))
        if response.status_code != 200 or not isinstance(data.get("tests"), list):
            logger.error("runner answered %s: %.500s", response.status_code, data)
            raise Unavailable(DOWN)
        return JudgeResult(tests=_outcomes(data["tests"]), compile_output=data.get("compile_output", ""))


def _retry_after(response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1
