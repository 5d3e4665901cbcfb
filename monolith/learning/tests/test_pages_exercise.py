"""The exercise page (``/learn/exercises/<id>/``) and its Run / Submit endpoints, without running code.

Running code for real is in ``test_pages_exercise_sandbox.py``; here the
requests stop before the runner (bad input, anonymous visitors) or the runner
service cannot be reached (a closed port).
"""

import json
import re

import pytest
from waffle.models import Switch

from common.messaging.testing import free_port
from common.registry.base import reset_registry
from monolith import flags
from monolith.learning import services
from monolith.learning.models import EditorSetting
from monolith.learning.tests.factories import (
    ExerciseFactory,
    ModuleFactory,
    SubmissionFactory,
    ValidatorFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(exercise, action: str = "") -> str:
    return f"/learn/exercises/{exercise.id}/{action}"


def _json_block(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no JSON block #{element_id}"
    return json.loads(match.group(1))


def _options(html: str) -> list[str]:
    select = re.search(r'<select id="language".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([a-z]+)"', select)


@pytest.fixture
def exercise(db):
    module = ModuleFactory(title="Basics", slug="basics")
    content = ExerciseFactory(
        module=module, title="Add two numbers", body="Print **the sum**.\n\n```\n1 2\n```", languages=[]
    )
    EditorSetting.objects.create(
        exercise=content, language="python", version="3.12", starter_code="# python\n"
    )
    EditorSetting.objects.create(exercise=content, language="c", starter_code="int main(void) {}\n")
    ValidatorFactory(exercise=content, position=0, stdin=["1 2"], expected_stdout=["3"])
    ValidatorFactory(exercise=content, position=1, stdin=["40 2"], expected_stdout=["42"], is_hidden=True)
    return content


def test_an_anonymous_visitor_reads_the_statement_and_is_asked_to_log_in_to_run(visitor_browser, exercise):
    response = visitor_browser.get(_url(exercise))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>the sum</strong>" in html
    assert "/oidc/authenticate/?next=/learn/exercises/" in html
    assert "data-editor-run" not in html
    assert "data-hints " not in html
    assert "/api/v1/shop/" not in html


def test_a_learner_sees_the_rendered_statement_breadcrumbs_editor_and_buttons(learner_browser, exercise):
    response = learner_browser.get(_url(exercise))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>the sum</strong>" in html
    assert f'href="/learn/modules/{exercise.module_id}/">Basics</a>' in html
    assert 'name="code" data-editor' in html or "data-editor data-language" in html
    assert "data-editor-run" in html
    assert "data-editor-submit" in html
    assert "1 public test" in html
    assert "1 hidden test" in html


def test_the_language_picker_offers_only_the_languages_of_the_exercise(learner_browser, exercise):
    html = learner_browser.get(_url(exercise)).content.decode()

    assert _options(html) == ["c", "python"]
    assert "Python · 3.12" in html
    assert sorted(_json_block(html, "editor-starters")) == ["c", "python"]


def test_without_an_attempt_the_editor_opens_with_the_starter_code_of_the_preferred_language(
    learner, learner_browser, exercise
):
    learner.preferred_editing_language = "c"
    learner.save()

    html = learner_browser.get(_url(exercise)).content.decode()

    assert 'data-language="c"' in html
    assert ">int main(void) {}\n</textarea>" in html
    assert 'data-last-attempt-at=""' in html


def test_the_last_attempt_is_restored_in_the_language_it_was_written_in(learner, learner_browser, exercise):
    SubmissionFactory(user=learner, exercise=exercise, language="c", code="int main(void) { return 1; }")
    latest = SubmissionFactory(user=learner, exercise=exercise, language="python", code="print(3)  # mine")
    SubmissionFactory(user=learner, exercise=ExerciseFactory(), language="python", code="print('elsewhere')")

    html = learner_browser.get(_url(exercise)).content.decode()

    assert 'data-language="python"' in html
    assert ">print(3)  # mine</textarea>" in html
    assert f'data-last-attempt-at="{latest.created_at.isoformat()}"' in html
    attempts = _json_block(html, "editor-attempts")
    assert attempts["c"]["code"] == "int main(void) { return 1; }"
    assert attempts["python"]["code"] == "print(3)  # mine"


def test_another_learners_attempt_is_not_restored(other_learner, learner_browser, exercise):
    SubmissionFactory(user=other_learner, exercise=exercise, language="python", code="print('not yours')")

    html = learner_browser.get(_url(exercise)).content.decode()

    assert "not yours" not in html
    assert ">int main" in html or "># python" in html


def test_an_unpublished_exercise_is_a_not_found_page(learner_browser):
    hidden = ExerciseFactory(module=ModuleFactory(is_published=False))

    response = learner_browser.get(_url(hidden))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_language_the_exercise_does_not_offer_is_the_fields_error_and_nothing_runs(
    learner_browser, exercise, runner
):
    response = learner_browser.post(
        _url(exercise, "run"), {"language": "rust", "code": "fn main() {}", "stdin": ""}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<p class="error" id="error-language" hx-swap-oob="true">[^<]*C, Python', html)
    assert '<p class="error" id="error-code" hx-swap-oob="true" hidden>' in html
    assert runner.calls == []


def test_without_javascript_a_field_error_shows_the_whole_page_with_the_code_kept(
    learner_browser, exercise, runner
):
    response = learner_browser.post(
        _url(exercise, "submit"), {"language": "cobol", "code": "DISPLAY 'MINE'.", "stdin": ""}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html
    assert ">DISPLAY &#x27;MINE&#x27;.</textarea>" in html
    assert re.search(r'<p class="error" id="error-language">[^<]*choose one of', html)
    assert exercise.submissions.count() == 0


def test_empty_code_is_the_code_fields_error(learner_browser, exercise, runner):
    response = learner_browser.post(_url(exercise, "submit"), {"language": "python", "code": ""}, **HTMX)

    assert response.status_code == 400
    assert re.search(r'id="error-code" hx-swap-oob="true">Write some code first.', response.content.decode())
    assert runner.calls == []


def test_an_anonymous_run_asks_to_log_in_and_runs_nothing(visitor_browser, exercise, runner):
    fragment = visitor_browser.post(_url(exercise, "run"), {"language": "python", "code": "print(1)"}, **HTMX)
    plain = visitor_browser.post(_url(exercise, "run"), {"language": "python", "code": "print(1)"})

    assert fragment.status_code == 200
    assert "/oidc/authenticate/?next=" in fragment.content.decode()
    assert plain.status_code == 302
    assert plain["Location"].startswith("/oidc/authenticate/?next=")
    assert runner.calls == []


def test_a_runner_that_cannot_be_reached_is_a_503_fragment_with_a_retry_button(
    learner_browser, exercise, settings
):
    settings.SERVICE_URLS = {"runner": f"http://127.0.0.1:{free_port()}"}
    reset_registry()
    Switch.objects.update_or_create(name=flags.RUNNER_VIA_SERVICE, defaults={"active": True})
    try:
        response = learner_browser.post(
            _url(exercise, "submit"), {"language": "python", "code": "print(3)"}, **HTMX
        )
    finally:
        reset_registry()

    html = response.content.decode()
    assert response.status_code == 503
    assert "The code runner is not available right now." in html
    assert f'hx-post="/learn/exercises/{exercise.id}/submit" hx-include="#exercise-form"' in html
    assert "Retry" in html
    assert exercise.submissions.count() == 0


def test_the_learner_sees_the_hints_panel_wired_to_the_shop_api_with_their_balance(learner_browser, exercise):
    html = learner_browser.get(_url(exercise)).content.decode()

    assert f'data-items-url="/api/v1/shop/items?exercise={exercise.id}&amp;page_size=100"' in html
    assert 'data-purchase-url="/api/v1/shop/purchases"' in html
    assert '<strong id="balance" data-balance="0">0</strong>' in html
    assert _json_block(html, "hint-messages")["insufficient_points"]
    assert "<script>" not in html
    assert " style=" not in html


def test_the_page_speaks_french_to_a_french_learner(learner, learner_browser, exercise):
    learner.preferred_language = "fr"
    learner.save()

    html = learner_browser.get(_url(exercise)).content.decode()

    assert '<html lang="fr">' in html
    assert "Exécuter" in html
    assert "Soumettre" in html
    assert "Indices" in html


def test_a_hidden_test_bought_in_the_shop_shows_its_data_in_the_results_and_the_others_stay_counted(
    learner, learner_browser, exercise, runner
):
    unlocked = exercise.validators.get(is_hidden=True)
    ValidatorFactory(exercise=exercise, position=2, stdin=["7 7"], expected_stdout=["14"], is_hidden=True)
    services.validator_unlock(user=learner, validator=unlocked)
    code = runner.solves(source="print(sum(map(int, input().split())))", exercise=exercise)

    html = learner_browser.post(_url(exercise, "submit"), {"language": "python", "code": code}, **HTMX)

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.content.decode()))
    assert "Test 2 (hidden, unlocked)" in text
    assert "40 2" in text
    assert "7 7" not in text
    assert "1 of 1 hidden test passed." in text


def test_an_edited_statement_shows_at_once(learner_browser, exercise):
    learner_browser.get(_url(exercise))
    exercise.body = "Print the *difference* now."
    exercise.save()

    html = learner_browser.get(_url(exercise)).content.decode()

    assert "<em>difference</em>" in html
    assert "the sum" not in html


def test_without_javascript_a_submission_answers_with_the_page_its_result_and_the_code(
    learner_browser, exercise, runner
):
    code = runner.solves(source="print(sum(map(int, input().split())))", exercise=exercise)

    response = learner_browser.post(
        _url(exercise, "submit"), {"language": "python", "code": code, "stdin": ""}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Accepted: every test passed." in html
    assert ">print(sum(map(int, input().split())))</textarea>" in html
    assert "hx-swap-oob" not in html


def test_the_editor_script_carries_the_nonce_that_lets_its_styles_through_the_csp(learner_browser, exercise):
    response = learner_browser.get(_url(exercise))

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self';" in policy + ";"  # scripts: files of this origin only
    assert f'nonce="{nonce}"' in response.content.decode()
