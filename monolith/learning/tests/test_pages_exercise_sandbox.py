"""Run and Submit from the exercise page, with code run for real.

The demo exercise "Sum of two numbers" (public tests, one of them shown in its
statement, and hidden ones) is judged by the runner's sandbox library, as with
the ``runner_via_service`` switch off, and once by a real runner service with
the switch on. Needs bubblewrap and the toolchains (gcc for the compile error).
"""

import re

import pytest
from waffle.models import Switch

from monolith import flags
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning import demo as demo_data
from monolith.learning.demo import demo_exercises
from monolith.learning.demo_solutions import reference_solutions
from monolith.learning.tests import test_runner_backends
from monolith.learning.tests.factories import ModuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

# A real runner service (gunicorn) and the registry pointing at it: the runner backends' fixtures.
runner_service = test_runner_backends.runner_service
registered = test_runner_backends.registered

HTMX = {"HTTP_HX_REQUEST": "true"}
SOLUTION = reference_solutions()["sum-of-two-numbers"]["python"]
WRONG = "a, b = map(int, input().split())\nprint(a + b if a != 0 and abs(a) < 100 else -1)\n"


@pytest.fixture
def exercise(db):
    spec = next(e for e in demo_exercises() if e.slug == "sum-of-two-numbers")
    return demo_data._sync_content(spec, module=ModuleFactory(), position=0)


def _post(browser, exercise, action: str, **data):
    response = browser.post(f"/learn/exercises/{exercise.id}/{action}", {"stdin": "", **data}, **HTMX)
    return response, response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _hidden_inputs(exercise) -> list[str]:
    return [line for v in exercise.validators.filter(is_hidden=True) for line in v.stdin]


def test_run_on_the_learners_input_shows_stdout_verdict_time_and_memory(learner_browser, exercise):
    response, html = _post(
        learner_browser, exercise, "run", language="python", code=SOLUTION, stdin="20 22\n"
    )

    assert response.status_code == 200
    assert re.search(r"<pre class=\"output\" data-stdout>42\s*</pre>", html)
    text = _text(html)
    assert "Ran to the end" in text
    assert "Exit code 0" in text
    assert re.search(r"Time \d+ ms \(CPU \d+ ms\)", text)
    assert re.search(r"Memory [\d.]+ MB", text)
    assert exercise.submissions.count() == 0


def test_run_of_a_program_that_fails_shows_its_stderr_and_exit_code(learner_browser, exercise):
    code = "import sys\nprint('half')\nsys.exit('broken: ' + input())\n"

    response, html = _post(learner_browser, exercise, "run", language="python", code=code, stdin="oops\n")

    text = _text(html)
    assert response.status_code == 200
    assert "Runtime error" in text
    assert "Exit code 1" in text
    assert "half" in text
    assert "broken: oops" in text


def test_run_of_c_that_does_not_compile_shows_the_compiler_output(learner_browser, exercise):
    response, html = _post(
        learner_browser, exercise, "run", language="c", code="int main(void) { return x; }\n"
    )

    text = _text(html)
    assert response.status_code == 200
    assert "Compilation failed" in text
    assert "Compiler output" in text
    assert "x" in text
    assert "undeclared" in text


def test_a_wrong_submission_lists_visible_tests_and_only_counts_hidden_ones(
    learner, learner_browser, exercise
):
    response, html = _post(learner_browser, exercise, "submit", language="python", code=WRONG)

    text = _text(html)
    public = exercise.validators.filter(is_hidden=False).count()
    hidden = exercise.validators.filter(is_hidden=True).count()
    assert response.status_code == 200
    assert "Not yet:" in text
    assert f"{public} of {public + hidden} tests passed" in text
    assert f"0 of {hidden} hidden tests passed" in text
    assert text.count("Test ") == public
    for line in _hidden_inputs(exercise):
        assert line not in html
    assert wallet_balance(user=learner) == 0
    assert exercise.submissions.get().passed is False


def test_an_accepted_submission_shows_the_points_earned_and_the_new_balance(
    learner, learner_browser, exercise
):
    _post(learner_browser, exercise, "submit", language="python", code=WRONG)

    response, html = _post(learner_browser, exercise, "submit", language="python", code=SOLUTION)
    _again, html_again = _post(learner_browser, exercise, "submit", language="python", code=SOLUTION)

    text = _text(html)
    hidden = exercise.validators.filter(is_hidden=True).count()
    assert response.status_code == 200
    assert "Accepted: every test passed." in text
    assert f"You earned {exercise.reward} points." in text
    assert f"Your balance is now {exercise.reward} points." in text
    assert f"{hidden} of {hidden} hidden tests passed" in text
    assert f'<strong id="balance" data-balance="{exercise.reward}" hx-swap-oob="true">' in html
    assert re.search(r'id="exercise-status"[^>]*hx-swap-oob="true">.*Solved.*</ul>', html, re.S)
    for line in _hidden_inputs(exercise):
        assert line not in html
    assert "no new points this time" in _text(html_again)
    assert wallet_balance(user=learner) == exercise.reward


def test_a_submission_that_does_not_compile_fails_every_test_and_shows_the_compiler(
    learner_browser, exercise
):
    response, html = _post(
        learner_browser, exercise, "submit", language="c", code="int main(void) { return x; }\n"
    )

    text = _text(html)
    total = exercise.validators.count()
    hidden = exercise.validators.filter(is_hidden=True).count()
    assert response.status_code == 200
    assert f"Not yet: 0 of {total} tests passed" in text
    assert "Compiler output" in text
    assert "undeclared" in text
    assert "Compilation failed" in text
    assert f"0 of {hidden} hidden tests passed" in text


def test_the_next_visit_opens_the_editor_on_the_last_submission(learner_browser, exercise):
    _post(learner_browser, exercise, "submit", language="python", code=WRONG)

    html = learner_browser.get(f"/learn/exercises/{exercise.id}/").content.decode()

    assert 'data-language="python"' in html
    assert "print(a + b if a != 0 and abs(a) &lt; 100 else -1)\n</textarea>" in html


def test_with_the_switch_on_a_run_goes_to_the_runner_service_and_shows_its_time_and_memory(
    learner_browser,
    exercise,
    runner_service,
    registered,
):
    registered(runner_service)
    Switch.objects.update_or_create(name=flags.RUNNER_VIA_SERVICE, defaults={"active": True})

    response, html = _post(learner_browser, exercise, "run", language="python", code=SOLUTION, stdin="1 41\n")

    text = _text(html)
    assert response.status_code == 200
    assert re.search(r"<pre class=\"output\" data-stdout>42\s*</pre>", html)
    assert re.search(r"Time \d+ ms \(CPU \d+ ms\)", text)
    assert re.search(r"Memory [\d.]+ MB", text)
