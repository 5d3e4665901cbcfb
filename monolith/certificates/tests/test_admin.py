"""Staff set an exam's rules and revoke certificates (with a reason) in the admin."""

import pytest
from django.test import Client
from django.utils import timezone

from monolith.certificates import services
from monolith.certificates.models import Certificate, ExamAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def issued(learner, exam) -> Certificate:
    """A certificate of ``learner``, its attempt graded as passed without running code."""
    attempt = services.exam_start(user=learner, exam=exam)
    ExamAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=timezone.now(), points_earned=120, points_total=120, passed=True
    )
    attempt.refresh_from_db()
    return services._certificate_issue(attempt=attempt)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/certificates/exam/",
        "/admin/certificates/examattempt/",
        "/admin/certificates/certificate/",
        "/admin/certificates/certificate/?q=ada",
        "/admin/certificates/publicprofile/",
    ],
)
def test_admin_lists_render(admin_client, issued, url):
    assert admin_client.get(url).status_code == 200


def test_an_exams_rules_are_edited_in_the_admin(admin_client, exam):
    response = admin_client.post(
        f"/admin/certificates/exam/{exam.id}/change/",
        {
            "module": exam.module_id,
            "duration_minutes": 45,
            "pass_percent": 80,
            "max_attempts": 1,
            "cooldown_minutes": 0,
        },
    )

    assert response.status_code == 302
    exam.refresh_from_db()
    assert (exam.duration_minutes, exam.pass_percent, exam.max_attempts) == (45, 80, 1)


def test_a_pass_mark_over_100_is_refused_next_to_the_field(admin_client, exam):
    response = admin_client.post(
        f"/admin/certificates/exam/{exam.id}/change/",
        {
            "module": exam.module_id,
            "duration_minutes": 45,
            "pass_percent": 101,
            "max_attempts": 1,
            "cooldown_minutes": 0,
        },
    )

    assert response.status_code == 200
    assert "pass_percent" in response.context["adminform"].form.errors


def test_the_revoke_action_asks_for_a_reason_then_revokes(admin_client, issued, staff):
    selected = {"action": "revoke", "_selected_action": [issued.pk]}

    asked = admin_client.post("/admin/certificates/certificate/", selected)
    assert asked.status_code == 200
    assert b'name="reason"' in asked.content
    issued.refresh_from_db()
    assert issued.revoked_at is None

    admin_client.post("/admin/certificates/certificate/", {**selected, "apply": "1", "reason": "Plagiarism"})

    issued.refresh_from_db()
    assert issued.revoked_at is not None
    assert (issued.revoked_reason, issued.revoked_by) == ("Plagiarism", staff)
