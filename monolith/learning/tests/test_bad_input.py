"""Bad input anywhere in the learning API: a 4xx JSON naming the field, never a 500, nothing changed."""

import json

import pytest

from monolith.accounts.models import LedgerEntry
from monolith.learning.models import (
    Content,
    EditorSetting,
    ExerciseProgress,
    Module,
    ModuleProgress,
    Submission,
    Tag,
    Validator,
)
from monolith.learning.tests.factories import LessonFactory, ModuleFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/learning/"
HUGE_ID = "9" * 30
CODE = {"language": "python", "code": "print(1)"}

MODELS = [
    Module,
    Tag,
    Content,
    Validator,
    EditorSetting,
    Submission,
    ExerciseProgress,
    ModuleProgress,
    LedgerEntry,
]


def _snapshot():
    return [(m.__name__, sorted(m.objects.values_list("pk", flat=True))) for m in MODELS] + [
        ("validator data", sorted(Validator.objects.values_list("pk", "stdin", "position", "is_hidden"))),
        ("titles", sorted(Module.objects.values_list("pk", "title", "slug"))),
    ]


@pytest.fixture
def world(exercise, other_learner):
    lesson = LessonFactory(module=exercise.module, slug="a-lesson")
    theirs = SubmissionFactory(user=other_learner, exercise=exercise)
    return {
        "exercise": exercise.id,
        "lesson": lesson.id,
        "module": exercise.module_id,
        "validator": exercise.validators.first().id,
        "setting": exercise.editor_settings.first().id,
        "theirs": theirs.id,
    }


# (name, client, method, path, body — a dict, or raw text sent as JSON —, status, field or error code)
LEARNER_CASES = [
    ("submit: missing code", "post", "exercises/{exercise}/submit", {"language": "python"}, 400, "code"),
    ("submit: missing language", "post", "exercises/{exercise}/submit", {"code": "x"}, 400, "language"),
    ("submit: empty body", "post", "exercises/{exercise}/submit", {}, 400, "language"),
    (
        "submit: code is a number",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": 12},
        400,
        "code",
    ),
    (
        "submit: code is a list",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": ["x"]},
        400,
        "code",
    ),
    (
        "submit: code is null",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": None},
        400,
        "code",
    ),
    (
        "submit: code is blank",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": ""},
        400,
        "code",
    ),
    (
        "submit: code over 64 KiB",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": "x" * (64 * 1024 + 1)},
        400,
        "code",
    ),
    (
        "submit: 64 KiB of characters but more bytes",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": "é" * 40_000},
        400,
        "code",
    ),
    (
        "submit: 2 MB of code",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": "x" * 2_000_000},
        400,
        "code",
    ),
    # Past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) Django refuses the body before it is parsed.
    (
        "submit: body over the upload limit",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": "x" * 3_000_000},
        400,
        "bad_request",
    ),
    (
        "submit: lone surrogate",
        "post",
        "exercises/{exercise}/submit",
        '{"language": "python", "code": "print(\\ud800)"}',
        400,
        "code",
    ),
    (
        "submit: NUL character",
        "post",
        "exercises/{exercise}/submit",
        {"language": "python", "code": "a\x00b"},
        400,
        "code",
    ),
    (
        "submit: unknown language",
        "post",
        "exercises/{exercise}/submit",
        {"language": "cobol", "code": "x"},
        400,
        "language",
    ),
    (
        "submit: language not offered",
        "post",
        "exercises/{exercise}/submit",
        {"language": "rust", "code": "x"},
        400,
        "language",
    ),
    (
        "submit: language is a number",
        "post",
        "exercises/{exercise}/submit",
        {"language": 1, "code": "x"},
        400,
        "language",
    ),
    (
        "submit: language is true",
        "post",
        "exercises/{exercise}/submit",
        {"language": True, "code": "x"},
        400,
        "language",
    ),
    (
        "submit: malformed JSON",
        "post",
        "exercises/{exercise}/submit",
        '{"language": "python", "code": ',
        400,
        "parse_error",
    ),
    (
        "submit: body is a list",
        "post",
        "exercises/{exercise}/submit",
        '["python", "x"]',
        400,
        "non_field_errors",
    ),
    ("submit: body is a string", "post", "exercises/{exercise}/submit", '"python"', 400, "non_field_errors"),
    ("submit: unknown exercise", "post", "exercises/999999/submit", CODE, 404, "not_found"),
    ("submit: huge exercise id", "post", f"exercises/{HUGE_ID}/submit", CODE, 404, "not_found"),
    ("submit: a lesson", "post", "exercises/{lesson}/submit", CODE, 404, "not_found"),
    ("submit: GET", "get", "exercises/{exercise}/submit", None, 405, "method_not_allowed"),
    ("run: missing code", "post", "exercises/{exercise}/run", {"language": "python"}, 400, "code"),
    (
        "run: unknown language",
        "post",
        "exercises/{exercise}/run",
        {"language": "cobol", "code": "x"},
        400,
        "language",
    ),
    (
        "run: language not offered",
        "post",
        "exercises/{exercise}/run",
        {"language": "java", "code": "x"},
        400,
        "language",
    ),
    (
        "run: code over 64 KiB",
        "post",
        "exercises/{exercise}/run",
        {"language": "python", "code": "x" * 70_000},
        400,
        "code",
    ),
    ("run: malformed JSON", "post", "exercises/{exercise}/run", "{nope", 400, "parse_error"),
    ("run: unknown exercise", "post", "exercises/424242/run", CODE, 404, "not_found"),
    ("content: unknown id", "get", "contents/999999/", None, 404, "not_found"),
    ("content: huge id", "get", f"contents/{HUGE_ID}/", None, 404, "not_found"),
    ("module: unknown id", "get", "modules/999999/", None, 404, "not_found"),
    ("module: huge id", "get", f"modules/{HUGE_ID}/", None, 404, "not_found"),
    ("module progress: unknown id", "get", "modules/999999/progress/", None, 404, "not_found"),
    ("modules: unknown kind", "get", "modules/?kind=bogus", None, 400, "kind"),
    ("modules: parent not a number", "get", "modules/?parent=abc", None, 400, "parent"),
    ("modules: parent out of range", "get", f"modules/?parent={HUGE_ID}", None, 400, "parent"),
    ("modules: search too long", "get", "modules/?search=" + "x" * 300, None, 400, "search"),
    ("modules: page past the end", "get", "modules/?page=99", None, 404, "not_found"),
    ("submission: another learner's", "get", "submissions/{theirs}/", None, 404, "not_found"),
    ("submission: unknown id", "get", "submissions/999999/", None, 404, "not_found"),
    ("submissions: exercise not a number", "get", "submissions/?exercise=abc", None, 400, "exercise"),
    ("submissions: exercise a decimal", "get", "submissions/?exercise=1.5", None, 400, "exercise"),
    ("submissions: unknown language", "get", "submissions/?language=cobol", None, 400, "language"),
    ("progress: module not a number", "get", "progress/?module=x", None, 400, "module"),
    ("unknown path", "get", "nothing-here/", None, 404, "not_found"),
]

STAFF_CASES = [
    ("module: title a number", "post", "modules/", {"title": 5, "kind": "practice"}, 400, "title"),
    ("module: missing title", "post", "modules/", {"kind": "practice"}, 400, "title"),
    ("module: unknown kind", "post", "modules/", {"title": "x", "kind": "course"}, 400, "kind"),
    (
        "module: negative reward",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "reward": -1},
        400,
        "reward",
    ),
    (
        "module: huge reward",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "reward": 10**20},
        400,
        "reward",
    ),
    (
        "module: reward a string",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "reward": "lots"},
        400,
        "reward",
    ),
    (
        "module: bad slug",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "slug": "has spaces"},
        400,
        "slug",
    ),
    (
        "module: duplicate slug",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "slug": "dup"},
        400,
        "slug",
    ),
    (
        "module: tags not a list",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "tags": "a,b"},
        400,
        "tags",
    ),
    (
        "module: tag of symbols",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "tags": ["!!!"]},
        400,
        "tags",
    ),
    ("module: title too long", "post", "modules/", {"title": "x" * 201, "kind": "practice"}, 400, "title"),
    (
        "module: submodule without parent",
        "post",
        "modules/",
        {"title": "x", "kind": "submodule"},
        400,
        "parent",
    ),
    (
        "module: practice with a parent",
        "post",
        "modules/",
        {"title": "x", "kind": "practice", "parent": "{module}"},
        400,
        "parent",
    ),
    (
        "module: unknown parent",
        "post",
        "modules/",
        {"title": "x", "kind": "submodule", "parent": 999999},
        400,
        "parent",
    ),
    (
        "module: huge parent id",
        "post",
        "modules/",
        {"title": "x", "kind": "submodule", "parent": int(HUGE_ID)},
        400,
        "parent",
    ),
    (
        "module: patch to submodule without parent",
        "patch",
        "modules/{module}/",
        {"kind": "submodule"},
        400,
        "parent",
    ),
    (
        "module: patch own parent",
        "patch",
        "modules/{module}/",
        {"kind": "submodule", "parent": "{module}"},
        400,
        "parent",
    ),
    (
        "module: patch published not boolean",
        "patch",
        "modules/{module}/",
        {"is_published": "perhaps"},
        400,
        "is_published",
    ),
    ("module: patch unknown id", "patch", "modules/999999/", {"title": "x"}, 404, "not_found"),
    ("module: PUT", "put", "modules/{module}/", {"title": "x"}, 405, "method_not_allowed"),
    (
        "content: unknown module",
        "post",
        "contents/",
        {"module": 999999, "kind": "lesson", "title": "x"},
        400,
        "module",
    ),
    (
        "content: unknown kind",
        "post",
        "contents/",
        {"module": "{module}", "kind": "quiz", "title": "x"},
        400,
        "kind",
    ),
    (
        "content: duplicate slug in module",
        "post",
        "contents/",
        {"module": "{module}", "kind": "lesson", "title": "x", "slug": "a-lesson"},
        400,
        "slug",
    ),
    ("content: patch exercise to lesson", "patch", "contents/{exercise}/", {"kind": "lesson"}, 400, "kind"),
    ("content: patch module unknown", "patch", "contents/{exercise}/", {"module": 999999}, 400, "module"),
    (
        "validator: on a lesson",
        "post",
        "validators/",
        {"exercise": "{lesson}", "stdin": [], "expected_stdout": []},
        400,
        "exercise",
    ),
    (
        "validator: unknown exercise",
        "post",
        "validators/",
        {"exercise": 999999, "stdin": [], "expected_stdout": []},
        400,
        "exercise",
    ),
    (
        "validator: stdin as text",
        "post",
        "validators/",
        {"exercise": "{exercise}", "stdin": "1 2", "expected_stdout": []},
        400,
        "stdin",
    ),
    (
        "validator: line with a line break",
        "post",
        "validators/",
        {"exercise": "{exercise}", "stdin": ["1\n2"], "expected_stdout": []},
        400,
        "stdin",
    ),
    (
        "validator: numbers as lines",
        "post",
        "validators/",
        {"exercise": "{exercise}", "stdin": [1, 2], "expected_stdout": []},
        400,
        "stdin",
    ),
    (
        "validator: missing expected",
        "post",
        "validators/",
        {"exercise": "{exercise}", "stdin": []},
        400,
        "expected_stdout",
    ),
    (
        "validator: position taken",
        "post",
        "validators/",
        {"exercise": "{exercise}", "stdin": [], "expected_stdout": [], "position": 0},
        400,
        "position",
    ),
    (
        "validator: patch to a taken position",
        "patch",
        "validators/{validator}/",
        {"position": 2},
        400,
        "position",
    ),
    (
        "validator: patch negative position",
        "patch",
        "validators/{validator}/",
        {"position": -1},
        400,
        "position",
    ),
    ("validator: unknown id", "get", "validators/999999/", None, 404, "not_found"),
    ("validator: huge id", "delete", f"validators/{HUGE_ID}/", None, 404, "not_found"),
    (
        "editor setting: language already set",
        "post",
        "editor-settings/",
        {"exercise": "{exercise}", "language": "python"},
        400,
        "language",
    ),
    (
        "editor setting: unknown language",
        "post",
        "editor-settings/",
        {"exercise": "{exercise}", "language": "cobol"},
        400,
        "language",
    ),
    (
        "editor setting: version too long",
        "post",
        "editor-settings/",
        {"exercise": "{exercise}", "language": "c", "version": "v" * 33},
        400,
        "version",
    ),
    (
        "editor setting: on a lesson",
        "post",
        "editor-settings/",
        {"exercise": "{lesson}", "language": "c"},
        400,
        "exercise",
    ),
    (
        "editor setting: patch language",
        "patch",
        "editor-settings/{setting}/",
        {"starter_code": 5},
        400,
        "starter_code",
    ),
    ("editor setting: unknown id", "patch", "editor-settings/999999/", {"version": "1"}, 404, "not_found"),
]


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _send(client, method, path, body, ids):
    url = BASE + path.format(**ids)
    if isinstance(body, str):
        return getattr(client, method)(url, data=body, content_type="application/json")
    return getattr(client, method)(
        url, json.dumps(_fill(body, ids)) if body is not None else None, content_type="application/json"
    )


def _check(response, status, field):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if field in body.get("fields", {}):
        assert body["code"] == "invalid" or body["fields"][field]
    else:
        assert body["code"] == field, body


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [case[1:] for case in LEARNER_CASES],
    ids=[case[0] for case in LEARNER_CASES],
)
def test_learner_bad_input_is_a_4xx_naming_the_field(
    learner_client, runner, world, method, path, body, status, field
):
    before = _snapshot()

    response = _send(learner_client, method, path, body, world)

    _check(response, status, field)
    assert _snapshot() == before
    assert not runner.calls


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [case[1:] for case in STAFF_CASES],
    ids=[case[0] for case in STAFF_CASES],
)
def test_staff_bad_input_is_a_4xx_naming_the_field(staff_client, world, method, path, body, status, field):
    ModuleFactory(slug="dup")
    before = _snapshot()

    response = _send(staff_client, method, path, body, world)

    _check(response, status, field)
    assert _snapshot() == before
