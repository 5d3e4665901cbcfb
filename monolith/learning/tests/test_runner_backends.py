"""Run and submit through both runner backends, sandboxed for real.

The in-process backend (``RUNNER_VIA_SERVICE`` off) runs the demo exercises'
reference solutions in every language with the runner's sandbox library; the
HTTP backend (switch on) calls a real runner service started as its own
process, which requires an identity assertion (as in production) and trusts
the monolith's service key. Nothing here is faked: these tests need bubblewrap
and the toolchains.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from waffle.models import Switch

from common.identity import keys
from common.identity.assertion import HEADER as ASSERTION_HEADER
from common.identity.assertion import verify
from common.identity.service import service_headers
from common.registry.base import reset_registry
from monolith import flags
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning import demo as demo_data
from monolith.learning import execution, runners, services
from monolith.learning.demo import demo_exercises
from monolith.learning.demo_solutions import reference_solutions
from monolith.learning.tests.factories import ModuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread"]
CASES = [(slug, lang) for slug, sources in sorted(reference_solutions().items()) for lang in sources]
MONOLITH_KEY = keys.generate_private_pem()
GATEWAY_KEY = keys.generate_private_pem()
ADD = {
    "language": "python",
    "source": "print(sum(map(int, input().split())))",
    "tests": [{"id": "1", "stdin": "1 2", "expected_stdout": "3"}],
}


def _exercise(slug: str):
    spec = next(e for e in demo_exercises() if e.slug == slug)
    return demo_data._sync_content(spec, module=ModuleFactory(), position=0)


def _switch(on: bool) -> None:
    Switch.objects.update_or_create(name=flags.RUNNER_VIA_SERVICE, defaults={"active": on})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runner_service():
    """A real runner service (gunicorn) on a free loopback port that only admits asserted callers."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extracted.runner.settings.local",
        "DEBUG": "false",
        "REQUIRE_GATEWAY_ASSERTION": "true",
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(GATEWAY_KEY),
        "SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH": keys.public_pem(MONOLITH_KEY),
    }
    process = subprocess.Popen(
        [*GUNICORN, "extracted.runner.wsgi", "--bind", f"127.0.0.1:{port}", "--threads", "4"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or listening while its worker still boots (builds the sandbox).
            time.sleep(0.2)
        if process.poll() is not None:
            pytest.fail(f"runner service did not start: {process.stderr.read().decode()[-2000:]}")
    else:
        process.kill()
        pytest.fail("runner service did not answer within 30 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def registered(settings):
    """Point the service registry at ``url`` for the runner; sign calls with the monolith's key."""

    def register(url: str) -> None:
        settings.SERVICE_URLS = {"runner": url}
        settings.SERVICE_ASSERTION_PRIVATE_KEY = MONOLITH_KEY
        reset_registry()

    yield register
    reset_registry()


@pytest.mark.parametrize(("slug", "language"), CASES, ids=[f"{s}-{lang}" for s, lang in CASES])
def test_reference_solution_is_accepted_in_the_in_process_sandbox(learner, slug, language):
    exercise = _exercise(slug)
    assert isinstance(execution.get_code_runner(), runners.InProcessRunner)

    submission = services.exercise_submit(
        user=learner, exercise=exercise, language=language, code=reference_solutions()[slug][language]
    )

    assert submission.passed, submission.results
    assert wallet_balance(user=learner) == exercise.reward


def test_starter_code_is_refused_by_the_validators(learner):
    exercise = _exercise("sum-of-two-numbers")
    starter = exercise.editor_settings.get(language="python").starter_code

    submission = services.exercise_submit(user=learner, exercise=exercise, language="python", code=starter)

    assert not submission.passed
    assert wallet_balance(user=learner) == 0


def test_submit_through_the_runner_service_passes_and_credits_once(
    learner, learner_client, runner_service, registered
):
    registered(runner_service)
    _switch(True)
    exercise = _exercise("fizzbuzz")
    code = reference_solutions()["fizzbuzz"]["c"]

    first = learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/submit", {"language": "c", "code": code}, format="json"
    )
    second = learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/submit", {"language": "c", "code": code}, format="json"
    )

    assert isinstance(execution.get_code_runner(), runners.HttpRunner)
    assert first.status_code == second.status_code == 201, first.json()
    assert first.json()["passed"]
    assert second.json()["passed"]
    assert wallet_balance(user=learner) == exercise.reward


def test_run_through_the_runner_service_reports_a_compile_error(learner_client, runner_service, registered):
    registered(runner_service)
    _switch(True)
    exercise = _exercise("sum-of-two-numbers")

    response = learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/run",
        {"language": "rust", "code": "fn main() { let x: i32 = ; }"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["passed"] is False
    assert "error" in body["compile_output"]
    assert {r["verdict"] for r in body["results"]} == {"compile_error"}


def test_a_runner_service_that_is_down_gives_a_clear_503_and_saves_nothing(
    learner, learner_client, registered
):
    registered(f"http://127.0.0.1:{_free_port()}")
    _switch(True)
    exercise = _exercise("sum-of-two-numbers")

    response = learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/submit",
        {"language": "python", "code": reference_solutions()["sum-of-two-numbers"]["python"]},
        format="json",
    )

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert exercise.submissions.count() == 0


def test_flipping_the_switch_back_returns_to_the_in_process_sandbox_without_a_restart(
    learner_client, registered
):
    registered(f"http://127.0.0.1:{_free_port()}")
    exercise = _exercise("sum-of-two-numbers")
    body = {"language": "python", "code": reference_solutions()["sum-of-two-numbers"]["python"]}
    url = f"/api/v1/learning/exercises/{exercise.id}/run"

    _switch(True)
    down = learner_client.post(url, body, format="json")
    _switch(False)
    back = learner_client.post(url, body, format="json")

    assert down.status_code == 503
    assert back.status_code == 200
    assert back.json()["passed"] is True


def test_the_runner_service_refuses_a_call_without_an_assertion(runner_service):
    response = requests.post(f"{runner_service}/api/judge", json=ADD, timeout=30)

    assert response.status_code == 401
    assert response.json()["code"] == "assertion_missing"


def test_the_runner_service_accepts_a_service_assertion_once(runner_service, settings):
    settings.SERVICE_ASSERTION_PRIVATE_KEY = MONOLITH_KEY
    headers = service_headers(audience="runner")

    first = requests.post(f"{runner_service}/api/judge", json=ADD, headers=headers, timeout=30)
    replayed = requests.post(f"{runner_service}/api/judge", json=ADD, headers=headers, timeout=30)

    assert first.status_code == 200, first.json()
    assert first.json()["verdict"] == "accepted"
    assert first.headers["X-Request-ID"] == headers["X-Request-ID"]
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "assertion_replayed"


def test_a_call_signed_with_a_key_the_runner_does_not_trust_is_401(runner_service, settings):
    settings.SERVICE_ASSERTION_PRIVATE_KEY = keys.generate_private_pem()

    response = requests.post(
        f"{runner_service}/api/judge", json=ADD, headers=service_headers(audience="runner"), timeout=30
    )

    assert response.status_code == 401
    assert response.json()["code"] == "assertion_invalid"


def test_a_monolith_whose_key_the_runner_does_not_trust_gets_a_503_and_saves_nothing(
    learner, learner_client, runner_service, registered, settings
):
    registered(runner_service)
    settings.SERVICE_ASSERTION_PRIVATE_KEY = keys.generate_private_pem()
    _switch(True)
    exercise = _exercise("sum-of-two-numbers")

    response = learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/submit",
        {"language": "python", "code": reference_solutions()["sum-of-two-numbers"]["python"]},
        format="json",
    )

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert exercise.submissions.count() == 0
    assert wallet_balance(user=learner) == 0


def test_the_http_backend_asserts_the_learner_it_calls_for(
    learner, learner_client, registered, settings, monkeypatch
):
    registered("http://runner.invalid")
    _switch(True)
    exercise = _exercise("sum-of-two-numbers")
    sent = []

    def post(url, *, json, headers, timeout):
        sent.append(headers)
        raise requests.ConnectionError("not reached")

    monkeypatch.setattr(runners.HttpRunner._session, "post", post)
    learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/run",
        {"language": "python", "code": "print(1)"},
        format="json",
    )
    # Verified as the runner would: it accepts the monolith as a caller.
    settings.SERVICE_ASSERTION_CALLERS = ["monolith"]
    settings.SERVICE_ASSERTION_PUBLIC_KEYS = {"monolith": keys.public_pem(MONOLITH_KEY)}
    told = verify(sent[0][ASSERTION_HEADER], audience="runner")

    assert (told.user_id, told.username, told.roles, told.caller) == (
        str(learner.pk),
        "ada",
        ("learner",),
        "monolith",
    )
    assert told.request_id == sent[0]["X-Request-ID"]
