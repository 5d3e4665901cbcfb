"""Demo content: ``load_demo`` is idempotent and every demo exercise is solvable."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from monolith.accounts.models import User
from monolith.learning.demo import DEMO_USERS, demo_exercises
from monolith.learning.demo_solutions import SOURCE_FILES, reference_solutions
from monolith.learning.models import Content, EditorSetting, Module, ProgrammingLanguage, Tag, Validator

pytestmark = pytest.mark.django_db

MODELS = [User, Module, Tag, Content, Validator, EditorSetting]


def _state():
    return {
        "counts": {m.__name__: m.objects.count() for m in MODELS},
        "validators": sorted(
            Validator.objects.values_list("id", "exercise_id", "position", "stdin", "is_hidden")
        ),
        "modules": sorted(Module.objects.values_list("id", "slug", "parent_id", "position", "is_published")),
        "contents": sorted(Content.objects.values_list("id", "module_id", "slug", "position", "body")),
    }


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_twice_gives_the_same_data(demo):
    assert "Demo data loaded." in demo
    first = _state()

    call_command("load_demo", stdout=io.StringIO())

    assert _state() == first


def test_load_demo_restores_edited_demo_content(demo):
    exercise = Content.objects.get(slug="fizzbuzz")
    exercise.validators.filter(position=0).update(stdin=["edited"])
    exercise.editor_settings.filter(language="c").delete()

    call_command("load_demo", stdout=io.StringIO())

    assert exercise.validators.get(position=0).stdin == ["5"]
    assert exercise.editor_settings.filter(language="c").exists()


def test_demo_users_can_sign_in(demo):
    for username, password, is_staff in DEMO_USERS:
        # As a login page calls it: password logins are attempt-limited per request (django-axes).
        user = authenticate(RequestFactory().post("/o/login/"), username=username, password=password)
        assert user is not None, username
        assert (user.is_staff, user.is_superuser) == (is_staff, is_staff)


def test_demo_has_three_kinds_of_modules_and_at_least_twelve_exercises(demo):
    kinds = set(Module.objects.filter(parent=None, is_published=True).values_list("kind", flat=True))
    exercises = Content.objects.filter(kind=Content.Kind.EXERCISE)

    assert kinds == {"practice", "challenge", "certification"}
    assert Module.objects.filter(kind="submodule").exists()
    assert Content.objects.filter(kind=Content.Kind.LESSON).count() >= 3
    assert exercises.count() == len(demo_exercises()) >= 12


def test_every_demo_exercise_has_public_and_hidden_validators_and_starter_code_in_six_languages(demo):
    for exercise in Content.objects.filter(kind=Content.Kind.EXERCISE):
        validators = list(exercise.validators.all())
        assert any(not v.is_hidden for v in validators), exercise.slug
        assert any(v.is_hidden for v in validators), exercise.slug
        settings = {s.language: s.starter_code for s in exercise.editor_settings.all()}
        assert set(settings) == set(ProgrammingLanguage.values), exercise.slug
        assert all("TODO" in code for code in settings.values()), exercise.slug


def test_reference_solutions_cover_every_exercise_and_six_languages_for_at_least_three():
    solutions = reference_solutions()
    slugs = {e.slug for e in demo_exercises()}

    assert set(solutions) == slugs
    assert all("python" in sources for sources in solutions.values())
    assert sum(1 for sources in solutions.values() if set(sources) == set(SOURCE_FILES)) >= 3
