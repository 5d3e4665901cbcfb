"""A hidden validator's data never reaches a learner who has not unlocked it.

The test walks every learner-facing endpoint of the learning API (and checks
that it walked them all) looking for sentinel strings placed in the hidden
validators' stdin and expected output and in the program output recorded for
them. Code execution arrives with the runner service: run/submit here use
``RecordedRunner`` (see conftest), patched in for ``get_code_runner``.
"""

import pytest
from django.urls import URLPattern

from monolith.learning import services, urls
from monolith.learning.tests.factories import (
    ExerciseFactory,
    LessonFactory,
    ModuleFactory,
    SubmoduleFactory,
    ValidatorFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/learning/"
SENTINELS = {
    "stdin": "SENTINEL-HIDDEN-STDIN-7f3a",
    "expected": "SENTINEL-HIDDEN-EXPECTED-91bc",
    "stdout": "SENTINEL-HIDDEN-STDOUT-c0de",
    "stderr": "SENTINEL-HIDDEN-STDERR-e7e7",
}
STAFF_ONLY = {
    "content-create",
    "validator-create",
    "validator-detail",
    "editor-setting-create",
    "editor-setting-detail",
}


@pytest.fixture
def course(runner):
    """A module and a chapter, each with an exercise whose hidden validator carries sentinels."""
    module = ModuleFactory(title="Course", slug="course")
    chapter = SubmoduleFactory(parent=module, title="Chapter", slug="chapter")
    lesson = LessonFactory(module=module)
    exercises = []
    for index, owner in enumerate((module, chapter)):
        ex = ExerciseFactory(module=owner, slug=f"ex-{index}")
        ValidatorFactory(exercise=ex, position=0, stdin=["public in"], expected_stdout=["public out"])
        ValidatorFactory(
            exercise=ex,
            position=1,
            stdin=[SENTINELS["stdin"]],
            expected_stdout=[SENTINELS["expected"]],
            is_hidden=True,
        )
        for source in ("leaky", "solution"):
            runner.record(source=source, stdin="public in\n", stdout="public out\n")
        runner.record(
            source="leaky",
            stdin=f"{SENTINELS['stdin']}\n",
            stdout=f"{SENTINELS['stdout']}\n",
            stderr=SENTINELS["stderr"],
            exit_code=3,
            verdict="runtime_error",
        )
        runner.record(source="solution", stdin=f"{SENTINELS['stdin']}\n", stdout=f"{SENTINELS['expected']}\n")
        exercises.append(ex)
    return {"module": module, "chapter": chapter, "lesson": lesson, "exercises": exercises}


def _walk(client, course) -> dict[str, list]:
    """Call every learner-facing endpoint; returns the responses by URL name."""
    module, chapter, lesson = course["module"], course["chapter"], course["lesson"]
    exercises = course["exercises"]
    seen: dict[str, list] = {}

    def call(name, method, path, data=None, status=200):
        response = getattr(client, method)(BASE + path, data, format="json")
        assert response.status_code == status, (path, response.content)
        seen.setdefault(name, []).append(response)

    submission_ids = []
    for ex in exercises:
        call("exercise-run", "post", f"exercises/{ex.id}/run", {"language": "python", "code": "leaky"})
        for code in ("leaky", "solution"):
            body = {"language": "python", "code": code}
            call("exercise-submit", "post", f"exercises/{ex.id}/submit", body, status=201)
            submission_ids.append(seen["exercise-submit"][-1].json()["id"])
    call("module-list", "get", "modules/")
    call("module-list", "get", "modules/?search=SENTINEL")
    call("module-list", "get", f"modules/?parent={module.id}")
    for m in (module, chapter):
        call("module-detail", "get", f"modules/{m.id}/")
        call("module-progress", "get", f"modules/{m.id}/progress/")
    for content in (lesson, *exercises):
        call("content-detail", "get", f"contents/{content.id}/")
    call("submission-list", "get", "submissions/")
    call("submission-list", "get", f"submissions/?exercise={exercises[0].id}")
    for submission_id in submission_ids:
        call("submission-detail", "get", f"submissions/{submission_id}/")
    call("progress-list", "get", "progress/")
    return seen


def _text(responses) -> str:
    return "\n".join(r.content.decode() for rs in responses.values() for r in rs)


def test_every_learner_facing_endpoint_is_walked(learner_client, course):
    walked = set(_walk(learner_client, course))
    named = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}

    assert walked | STAFF_ONLY == named


def test_learner_never_sees_hidden_validator_data(learner_client, course):
    responses = _walk(learner_client, course)

    text = _text(responses)
    for sentinel in SENTINELS.values():
        assert sentinel not in text
    assert "public in" in text  # the walk did reach validator data
    detail = responses["content-detail"][1].json()
    assert detail["validators"][1] == {"id": detail["validators"][1]["id"], "position": 1, "hidden": True}
    failed = responses["exercise-submit"][0].json()["results"][1]
    assert set(failed) == {"validator_id", "position", "hidden", "passed"}
    assert (failed["hidden"], failed["passed"]) == (True, False)


def test_staff_only_endpoints_refuse_learners(learner_client, course):
    validator = course["exercises"][0].validators.get(position=1)

    response = learner_client.get(f"{BASE}validators/{validator.id}/")

    assert response.status_code == 403
    assert SENTINELS["stdin"] not in response.content.decode()


def test_staff_see_hidden_validator_data(staff_client, course):
    text = _text(_walk(staff_client, course))

    for sentinel in SENTINELS.values():
        assert sentinel in text


def test_a_learner_who_unlocked_a_validator_sees_its_data_and_only_its(learner, learner_client, course):
    first, second = course["exercises"]
    services.validator_unlock(user=learner, validator=first.validators.get(position=1))

    unlocked = learner_client.get(f"{BASE}contents/{first.id}/").json()["validators"][1]
    still_hidden = learner_client.get(f"{BASE}contents/{second.id}/").json()["validators"][1]
    submitted = learner_client.post(
        f"{BASE}exercises/{first.id}/submit", {"language": "python", "code": "leaky"}, format="json"
    ).json()

    assert unlocked["stdin"] == [SENTINELS["stdin"]]
    assert unlocked["expected_stdout"] == [SENTINELS["expected"]]
    assert "stdin" not in still_hidden
    assert submitted["results"][1]["stdout"] == f"{SENTINELS['stdout']}\n"


def test_a_validator_hidden_after_a_submission_is_hidden_in_that_submission_too(learner_client, course):
    ex = course["exercises"][0]
    public = ex.validators.get(position=0)
    response = learner_client.post(
        f"{BASE}exercises/{ex.id}/submit", {"language": "python", "code": "leaky"}, format="json"
    )
    public.is_hidden = True
    public.save()

    detail = learner_client.get(f"{BASE}submissions/{response.json()['id']}/").json()

    assert detail["results"][0] == {
        "validator_id": public.id,
        "position": 0,
        "hidden": True,
        "passed": True,
    }
