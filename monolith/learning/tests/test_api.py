"""The learning API as learners and staff use it.

Run/submit use ``RecordedRunner`` (see conftest) because real code execution
arrives with the runner service.
"""

import pytest
from rest_framework.test import APIClient

from monolith.learning.models import Content, EditorSetting, Module, Submission, Tag, Validator
from monolith.learning.tests.factories import (
    ExerciseFactory,
    LessonFactory,
    ModuleFactory,
    SubmissionFactory,
    SubmoduleFactory,
    ValidatorFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/learning/"


def _slugs(response) -> list[str]:
    return [m["slug"] for m in response.json()["results"]]


# --- reading modules and contents -------------------------------------------------


def test_anonymous_requests_are_refused_with_json(api_client):
    response = api_client.get(f"{BASE}modules/")

    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_module_list_is_paginated_and_shows_published_modules_only(learner_client):
    ModuleFactory(slug="visible", position=1)
    ModuleFactory(slug="draft", is_published=False)
    hidden_parent = ModuleFactory(slug="hidden-parent", is_published=False)
    SubmoduleFactory(slug="orphan", parent=hidden_parent)

    response = learner_client.get(f"{BASE}modules/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert _slugs(response) == ["visible"]


def test_staff_see_unpublished_modules(staff_client):
    ModuleFactory(slug="draft", is_published=False)

    assert _slugs(staff_client.get(f"{BASE}modules/")) == ["draft"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=challenge", ["graphs"]),
        ("tag=python", ["basics"]),
        ("tag=Python", ["basics"]),
        ("search=shortest", ["graphs"]),
        ("search=PYTHON", ["basics"]),
        ("search=graph paths", ["graphs"]),
        ("root=true", ["basics", "graphs"]),
        ("slug=graphs", ["graphs"]),
    ],
)
def test_module_list_filters(learner_client, query, expected):
    python = Tag.objects.create(name="Python", slug="python")
    ModuleFactory(slug="basics", title="Basics", kind="practice", tags=[python], position=0)
    graphs = ModuleFactory(
        slug="graphs", title="Graph paths", kind="challenge", description="Shortest paths.", position=1
    )
    SubmoduleFactory(slug="bfs", parent=graphs, title="BFS")

    assert _slugs(learner_client.get(f"{BASE}modules/?{query}")) == expected


def test_module_detail_lists_contents_and_submodules_in_order(learner, learner_client, runner):
    module = ModuleFactory()
    second = LessonFactory(module=module, position=2, title="Second")
    first = ExerciseFactory(module=module, position=1, title="First")
    ValidatorFactory(exercise=first)
    SubmoduleFactory(parent=module, position=5, slug="later")
    SubmoduleFactory(parent=module, position=3, slug="sooner")
    SubmoduleFactory(parent=module, position=4, slug="unpublished", is_published=False)
    learner_client.post(
        f"{BASE}exercises/{first.id}/submit",
        {"language": "python", "code": runner.solves(source="ok", exercise=first)},
        format="json",
    )

    body = learner_client.get(f"{BASE}modules/{module.id}/").json()

    assert [(c["id"], c["passed"]) for c in body["contents"]] == [(first.id, True), (second.id, None)]
    assert [s["slug"] for s in body["submodules"]] == ["sooner", "later"]
    assert body["progress"] == {
        "exercises_passed": 1,
        "exercises_total": 1,
        "points_earned": 10,
        "completed": True,
    }


def test_unpublished_module_and_its_contents_are_not_found_for_learners(learner_client, staff_client):
    draft = ModuleFactory(is_published=False)
    lesson = LessonFactory(module=draft)

    for client, status in ((learner_client, 404), (staff_client, 200)):
        assert client.get(f"{BASE}modules/{draft.id}/").status_code == status
        assert client.get(f"{BASE}contents/{lesson.id}/").status_code == status


def test_exercises_of_an_unpublished_module_cannot_be_run_or_submitted(learner_client, runner):
    exercise = ExerciseFactory(module=ModuleFactory(is_published=False))
    ValidatorFactory(exercise=exercise)

    for action in ("run", "submit"):
        response = learner_client.post(
            f"{BASE}exercises/{exercise.id}/{action}", {"language": "python", "code": "x"}, format="json"
        )
        assert response.status_code == 404
    assert not runner.calls
    assert not Submission.objects.exists()


def test_exercise_detail_has_editor_settings_validators_and_status(learner_client):
    exercise = ExerciseFactory(languages=["python", "rust"], body="# Title\n\n<script>alert(1)</script>")
    ValidatorFactory(exercise=exercise, position=0, stdin=["1"], expected_stdout=["2"])

    body = learner_client.get(f"{BASE}contents/{exercise.id}/").json()

    assert [s["language"] for s in body["editor_settings"]] == ["python", "rust"]
    assert body["validators"] == [
        {
            "id": exercise.validators.get().id,
            "position": 0,
            "hidden": False,
            "stdin": ["1"],
            "expected_stdout": ["2"],
        }
    ]
    assert body["status"] == {
        "attempts": 0,
        "passed": False,
        "last_attempt_id": None,
        "last_success_id": None,
    }
    assert "<h1>Title</h1>" in body["body_html"]
    assert "<script>" not in body["body_html"]


# --- running and submitting -------------------------------------------------------


def test_run_returns_results_without_saving(learner_client, runner, exercise):
    code = runner.solves(source="print(a+b)", exercise=exercise)

    response = learner_client.post(
        f"{BASE}exercises/{exercise.id}/run", {"language": "python", "code": code}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["passed"] is True
    assert [(r["position"], r["passed"], r["stdout"]) for r in body["results"]] == [
        (0, True, "3\n"),
        (1, True, "10\n"),
    ]
    assert not Submission.objects.exists()


def test_submit_answers_201_with_the_submission(learner, learner_client, runner, exercise):
    code = runner.solves(source="print(a+b)", exercise=exercise)

    response = learner_client.post(
        f"{BASE}exercises/{exercise.id}/submit/", {"language": "python", "code": code}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["passed"], body["passed_count"], body["total_count"]) == (True, 3, 3)
    assert body["code"] == code
    assert Submission.objects.get().user == learner


def test_run_is_503_json_when_no_sandbox_can_be_built(learner_client, exercise, monkeypatch):
    from extracted.runner import sandbox

    def unavailable(**kwargs):
        raise sandbox.SandboxUnavailable("bubblewrap is not installed")

    monkeypatch.setattr(sandbox, "judge", unavailable)
    response = learner_client.post(
        f"{BASE}exercises/{exercise.id}/run", {"language": "python", "code": "x"}, format="json"
    )

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_compile_output_is_returned(learner_client, runner, exercise):
    runner.compile_output["broken"] = "main.c:1: error: expected ';'"
    for validator in exercise.validators.all():
        runner.record(source="broken", stdin=validator.stdin_text, exit_code=None, verdict="compile_error")

    body = learner_client.post(
        f"{BASE}exercises/{exercise.id}/submit", {"language": "python", "code": "broken"}, format="json"
    ).json()

    assert body["compile_output"] == "main.c:1: error: expected ';'"
    assert body["results"][0]["verdict"] == "compile_error"


# --- own submissions and progress ---------------------------------------------------------


def test_learners_list_only_their_own_submissions(learner, other_learner, learner_client):
    mine = SubmissionFactory(user=learner)
    other_exercise = SubmissionFactory(user=learner)
    SubmissionFactory(user=other_learner)

    everything = learner_client.get(f"{BASE}submissions/").json()
    filtered = learner_client.get(f"{BASE}submissions/?exercise={mine.exercise_id}").json()

    assert [s["id"] for s in everything["results"]] == [other_exercise.id, mine.id]
    assert [s["id"] for s in filtered["results"]] == [mine.id]


def test_another_learners_submission_is_not_found(other_learner, learner_client):
    theirs = SubmissionFactory(user=other_learner)

    response = learner_client.get(f"{BASE}submissions/{theirs.id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_progress_lists_the_learners_modules(learner, learner_client, runner, exercise):
    learner_client.post(
        f"{BASE}exercises/{exercise.id}/submit",
        {"language": "python", "code": runner.solves(source="ok", exercise=exercise)},
        format="json",
    )
    ModuleFactory()  # not started

    listed = learner_client.get(f"{BASE}progress/").json()["results"]
    one = learner_client.get(f"{BASE}modules/{exercise.module_id}/progress/").json()

    assert [p["module"]["id"] for p in listed] == [exercise.module_id]
    assert one == listed[0]
    assert (one["exercises_passed"], one["exercises_total"], one["points_earned"], one["completed"]) == (
        1,
        1,
        10,
        True,
    )


def test_progress_of_a_module_not_started_is_empty(learner_client):
    module = ModuleFactory()
    ExerciseFactory(module=module)

    body = learner_client.get(f"{BASE}modules/{module.id}/progress/").json()

    assert (body["exercises_passed"], body["exercises_total"], body["completed"]) == (0, 1, False)


# --- authoring (staff) ------------------------------------------------------------


def test_staff_build_an_exercise_through_the_api(staff, staff_client):
    module = staff_client.post(
        f"{BASE}modules/",
        {"title": "Graphs 101", "kind": "practice", "tags": ["graphs", "Algorithms"], "reward": 30},
        format="json",
    )
    assert module.status_code == 201, module.content
    module_id = module.json()["id"]
    exercise = staff_client.post(
        f"{BASE}contents/", {"module": module_id, "kind": "exercise", "title": "Count nodes"}, format="json"
    )
    assert exercise.status_code == 201, exercise.content
    exercise_id = exercise.json()["id"]
    validator = staff_client.post(
        f"{BASE}validators/",
        {"exercise": exercise_id, "stdin": ["3", "1 2"], "expected_stdout": ["3"], "is_hidden": True},
        format="json",
    )
    setting = staff_client.post(
        f"{BASE}editor-settings/",
        {"exercise": exercise_id, "language": "rust", "version": "1.80", "starter_code": "fn main() {}\n"},
        format="json",
    )
    published = staff_client.patch(f"{BASE}modules/{module_id}/", {"is_published": True}, format="json")

    assert (validator.status_code, setting.status_code, published.status_code) == (201, 201, 200)
    created = Module.objects.get(pk=module_id)
    assert (created.slug, created.author, created.is_published) == ("graphs-101", staff, True)
    assert sorted(t.slug for t in created.tags.all()) == ["algorithms", "graphs"]
    content = Content.objects.get(pk=exercise_id)
    assert content.slug == "count-nodes"
    assert content.validators.get().stdin == ["3", "1 2"]
    assert content.editor_settings.get().language == "rust"


def test_staff_update_and_delete_content(staff_client, exercise):
    validator = exercise.validators.get(position=0)
    setting = exercise.editor_settings.get(language="python")

    patched = staff_client.patch(
        f"{BASE}contents/{exercise.id}/", {"title": "Renamed", "reward": 50}, format="json"
    )
    moved = staff_client.patch(f"{BASE}validators/{validator.id}/", {"position": 9}, format="json")
    starter = staff_client.patch(
        f"{BASE}editor-settings/{setting.id}/", {"starter_code": "pass"}, format="json"
    )
    gone = staff_client.delete(f"{BASE}validators/{validator.id}/")
    gone_setting = staff_client.delete(f"{BASE}editor-settings/{setting.id}/")

    assert patched.json()["title"] == "Renamed"
    assert moved.json()["position"] == 9
    assert starter.json()["starter_code"] == "pass"
    assert (gone.status_code, gone_setting.status_code) == (204, 204)
    assert not Validator.objects.filter(pk=validator.pk).exists()
    assert not EditorSetting.objects.filter(pk=setting.pk).exists()
    assert staff_client.delete(f"{BASE}contents/{exercise.id}/").status_code == 204
    assert staff_client.delete(f"{BASE}modules/{exercise.module_id}/").status_code == 204
    assert not Module.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "modules/", {"title": "x", "kind": "practice"}),
        ("patch", "modules/{module}/", {"title": "x"}),
        ("delete", "modules/{module}/", None),
        ("post", "contents/", {"module": "{module}", "kind": "lesson", "title": "x"}),
        ("patch", "contents/{exercise}/", {"title": "x"}),
        ("delete", "contents/{exercise}/", None),
        ("post", "validators/", {"exercise": "{exercise}", "stdin": [], "expected_stdout": []}),
        ("get", "validators/{validator}/", None),
        ("patch", "validators/{validator}/", {"is_hidden": False}),
        ("delete", "validators/{validator}/", None),
        ("post", "editor-settings/", {"exercise": "{exercise}", "language": "c"}),
        ("get", "editor-settings/{setting}/", None),
        ("delete", "editor-settings/{setting}/", None),
    ],
)
def test_authoring_is_staff_only(learner_client, exercise, method, path, body):
    ids = {
        "module": exercise.module_id,
        "exercise": exercise.id,
        "validator": exercise.validators.first().id,
        "setting": exercise.editor_settings.first().id,
    }
    if body:
        body = {k: int(v.format(**ids)) if isinstance(v, str) and "{" in v else v for k, v in body.items()}
    counts = (
        Module.objects.count(),
        Content.objects.count(),
        Validator.objects.count(),
        EditorSetting.objects.count(),
    )

    response = getattr(learner_client, method)(BASE + path.format(**ids), body, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert counts == (
        Module.objects.count(),
        Content.objects.count(),
        Validator.objects.count(),
        EditorSetting.objects.count(),
    )


def test_basic_auth_works_for_scripts(learner):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Basic YWRhOmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ=="
    )  # ada:correct-horse-battery

    assert client.get(f"{BASE}modules/").status_code == 200
