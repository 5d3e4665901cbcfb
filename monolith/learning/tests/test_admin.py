"""The admin pages content authors use render and find what they look for."""

import pytest
from django.test import Client

from monolith.learning.admin import ValidatorForm
from monolith.learning.models import Module, Validator
from monolith.learning.tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/learning/module/",
        "/admin/learning/module/?kind__exact=practice&is_published__exact=1&q=module",
        "/admin/learning/content/",
        "/admin/learning/content/?kind__exact=exercise&q=exercise",
        "/admin/learning/submission/",
        "/admin/learning/submission/?passed__exact=0&language__exact=python&q=ada",
        "/admin/learning/exerciseprogress/",
        "/admin/learning/moduleprogress/",
        "/admin/learning/validatorunlock/",
        "/admin/learning/tag/",
    ],
)
def test_admin_lists_render(admin_client, exercise, learner, url):
    SubmissionFactory(user=learner, exercise=exercise)

    response = admin_client.get(url)

    assert response.status_code == 200


def test_module_admin_shows_contents_count_and_inline(admin_client, exercise):
    changelist = admin_client.get("/admin/learning/module/").content.decode()
    change = admin_client.get(f"/admin/learning/module/{exercise.module_id}/change/").content.decode()

    assert "# contents" in changelist
    assert exercise.title in change


def test_exercise_admin_edits_validator_lines_as_text(admin_client, exercise):
    page = admin_client.get(f"/admin/learning/content/{exercise.id}/change/").content.decode()

    assert "1 2" in page  # the first validator's stdin, one line per line
    assert "editor_settings-TOTAL_FORMS" in page


def test_submission_admin_is_read_only(admin_client, learner, exercise):
    submission = SubmissionFactory(user=learner, exercise=exercise)

    assert admin_client.get("/admin/learning/submission/add/").status_code == 403
    page = admin_client.get(f"/admin/learning/submission/{submission.id}/change/").content.decode()
    assert 'name="code"' not in page


def test_module_admin_sets_the_author(admin_client, staff):
    admin_client.post(
        "/admin/learning/module/add/",
        {
            "title": "New",
            "slug": "new",
            "kind": "practice",
            "reward": 0,
            "position": 0,
            "contents-TOTAL_FORMS": 0,
            "contents-INITIAL_FORMS": 0,
            "submodules-TOTAL_FORMS": 0,
            "submodules-INITIAL_FORMS": 0,
        },
    )

    assert Module.objects.get(slug="new").author == staff


def test_validator_lines_round_trip_through_the_admin_form(admin_client, exercise):
    form = ValidatorForm(
        data={"position": 7, "stdin": "3\r\n1 2 3", "expected_stdout": "6", "is_hidden": "on"},
        instance=Validator(exercise=exercise),
    )

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["stdin"], form.cleaned_data["expected_stdout"]) == (["3", "1 2 3"], ["6"])
