"""Certification pages behind the gateway: taking an exam, verifying, the PDF, revoking, hiding, profiles."""

import re
from datetime import timedelta
from email.utils import format_datetime

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.utils import timezone

from common.identity.testing import GatewayClient
from monolith.accounts.tests.factories import UserFactory
from monolith.certificates import services
from monolith.certificates.models import Certificate, ExamAttempt
from monolith.certificates.tests.conftest import expire

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def certificate(learner, exam, exercises, solutions) -> Certificate:
    """``learner`` passed ``exam`` (every answer right), judged for real."""
    attempt = services.exam_start(user=learner, exam=exam)
    for exercise in exercises:
        services.answer_save(
            attempt=attempt, exercise=exercise, language="python", code=solutions[exercise.slug]
        )
    services.attempt_finish(attempt=attempt)
    return Certificate.objects.get(user=learner)


# --- taking the exam ---------------------------------------------------------------------


def test_the_exam_page_states_the_rules_and_starting_opens_the_timed_workspace(learner_browser, exam):
    home = learner_browser.get(f"/exams/{exam.module_id}/")
    assert "30 minutes" in _text(home)
    assert "70 %" in _text(home)

    started = learner_browser.post(f"/exams/{exam.module_id}/start", follow=True)

    attempt = ExamAttempt.objects.get()
    assert started.redirect_chain[-1][0] == f"/exams/attempts/{attempt.id}/"
    assert "30 minutes left" in _text(started)
    assert f'hx-get="/exams/attempts/{attempt.id}/timer"' in started.content.decode()
    assert 'name="code"' in started.content.decode()


def test_the_workspace_never_shows_a_tests_data(learner_browser, learner, exam, exercises):
    attempt = services.exam_start(user=learner, exam=exam)

    for exercise in exercises:
        html = learner_browser.get(f"/exams/attempts/{attempt.id}/?exercise={exercise.id}").content.decode()
        assert "Input and output" not in html
        for validator in exercise.validators.filter(is_hidden=True):
            for line in validator.stdin:
                if len(line) >= 5:  # short ones ("z") appear in any page
                    assert line not in html


def test_save_keeps_the_code_and_says_when(learner_browser, learner, exam, exercises):
    attempt = services.exam_start(user=learner, exam=exam)

    response = learner_browser.post(
        f"/exams/attempts/{attempt.id}/exercises/{exercises[0].id}/save",
        {"language": "python", "code": "print(7)\n", "stdin": ""},
        **HTMX,
    )

    assert response.status_code == 200
    assert "Answer saved" in _text(response)
    assert attempt.answers.get().code == "print(7)\n"


def test_a_post_after_the_deadline_is_refused_whatever_the_clients_clock_says(
    learner_browser, learner, exam, exercises
):
    attempt = services.exam_start(user=learner, exam=exam)
    services.answer_save(attempt=attempt, exercise=exercises[0], language="python", code="print(1)\n")
    expire(attempt)
    an_hour_ago = format_datetime(timezone.now() - timedelta(hours=1), usegmt=True)

    response = learner_browser.post(
        f"/exams/attempts/{attempt.id}/exercises/{exercises[0].id}/submit",
        {"language": "python", "code": "print(2)\n", "stdin": "", "client_time": "2000-01-01T00:00:00Z"},
        HTTP_DATE=an_hour_ago,
        **HTMX,
    )

    assert response.status_code == 409
    assert "Time is up" in _text(response)
    assert attempt.answers.get().code == "print(1)\n"


def test_the_timer_sends_the_browser_to_the_result_once_time_is_up(learner_browser, learner, exam):
    attempt = services.exam_start(user=learner, exam=exam)
    assert "30 minutes left" in _text(learner_browser.get(f"/exams/attempts/{attempt.id}/timer", **HTMX))
    expire(attempt)

    response = learner_browser.get(f"/exams/attempts/{attempt.id}/timer", **HTMX)

    assert response["HX-Redirect"] == f"/exams/attempts/{attempt.id}/"
    attempt.refresh_from_db()
    assert attempt.ended_by == ExamAttempt.Ending.DEADLINE


def test_a_refused_start_says_why_and_opens_nothing(learner_browser, learner, exam):
    services.attempt_finish(attempt=services.exam_start(user=learner, exam=exam))

    page = learner_browser.post(f"/exams/{exam.module_id}/start", follow=True)

    assert "cool-down" in _text(page)
    assert ExamAttempt.objects.count() == 1


def test_another_learners_attempt_is_not_found(learner, exam):
    attempt = services.exam_start(user=learner, exam=exam)
    stranger = GatewayClient(UserFactory(username="mallory"))

    assert stranger.get(f"/exams/attempts/{attempt.id}/").status_code == 404
    assert stranger.post(f"/exams/attempts/{attempt.id}/finish").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(visitor_browser, exam):
    response = visitor_browser.get(f"/exams/{exam.module_id}/")

    assert response.status_code == 302
    assert "/oidc/authenticate/" in response["Location"]


@pytest.mark.sandbox
def test_submit_then_finish_in_the_browser_passes_and_links_the_certificate(
    learner_browser, learner, exam, exercises, solutions
):
    attempt = services.exam_start(user=learner, exam=exam)
    for exercise in exercises:
        response = learner_browser.post(
            f"/exams/attempts/{attempt.id}/exercises/{exercise.id}/submit",
            {"language": "python", "code": solutions[exercise.slug], "stdin": ""},
            **HTMX,
        )
        assert "4 of 4 hidden tests passed" in _text(response)

    result = learner_browser.post(f"/exams/attempts/{attempt.id}/finish", follow=True)

    certificate = Certificate.objects.get()
    assert "Passed, with 100 %" in _text(result)
    assert f'href="/certificates/{certificate.public_id}"' in result.content.decode()


# --- verification, PDF, revoke, hide, profile ---------------------------------------------


@pytest.mark.sandbox
def test_the_verification_page_says_valid_without_login(visitor_browser, certificate):
    response = visitor_browser.get(f"/certificates/{certificate.public_id}")

    assert response.status_code == 200
    text = _text(response)
    assert "Valid" in text
    assert certificate.holder_name in text
    assert "Certified solver" in text
    assert "100 %" in text


@pytest.mark.parametrize(
    "forged",
    [
        "AAAAAAAAAAAAAAAAAAAAAA",
        "x",
        "%27%20OR%201%3D1--",
        "a" * 200,
        "%E2%9C%93%E2%9C%93%E2%9C%93%E2%9C%93%E2%9C%93",
    ],
)
def test_a_forged_or_unknown_id_is_not_found_never_an_error(visitor_browser, forged):
    response = visitor_browser.get(f"/certificates/{forged}")

    assert response.status_code == 404
    assert "Not found" in _text(response)
    assert visitor_browser.get(f"/certificates/{forged}/pdf").status_code == 404


@pytest.mark.sandbox
def test_the_pdf_carries_the_verification_url_in_text_and_as_a_qr_code(visitor_browser, certificate):
    response = visitor_browser.get(f"/certificates/{certificate.public_id}/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    url = f"{settings.SITE_URL.rstrip('/')}/certificates/{certificate.public_id}"
    document = pypdfium2.PdfDocument(response.content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    assert url in text
    assert certificate.holder_name in text
    image = page.render(scale=2).to_pil()
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert decoded == [url]


@pytest.mark.sandbox
def test_staff_revoke_with_a_reason_and_the_page_says_revoked_when_and_why(
    staff_browser, visitor_browser, certificate
):
    refused = staff_browser.post(f"/certificates/{certificate.public_id}/revoke", {"reason": "  "})
    assert refused.status_code == 400
    assert "Give the reason" in _text(refused)

    staff_browser.post(
        f"/certificates/{certificate.public_id}/revoke", {"reason": "Answers copied from another holder"}
    )

    page = visitor_browser.get(f"/certificates/{certificate.public_id}")
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    text = _text(page)
    assert "Revoked" in text
    assert "Answers copied from another holder" in text
    assert certificate.revoked_at.strftime("%Y") in text
    assert visitor_browser.get(f"/certificates/{certificate.public_id}/pdf").status_code == 404


@pytest.mark.sandbox
def test_a_learner_cannot_revoke(learner_browser, certificate):
    response = learner_browser.post(f"/certificates/{certificate.public_id}/revoke", {"reason": "mine"})

    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


@pytest.mark.sandbox
def test_the_public_profile_is_off_by_default_and_shows_certificates_not_hidden_once_on(
    learner_browser, visitor_browser, learner, certificate
):
    assert visitor_browser.get(f"/u/{learner.username}/").status_code == 404

    learner_browser.post("/certificates/profile/", {"is_public": "on"})
    profile = visitor_browser.get(f"/u/{learner.username}/")
    assert profile.status_code == 200
    assert "Certified solver" in _text(profile)
    assert "200 points" in _text(profile)

    learner_browser.post(f"/certificates/{certificate.public_id}/visibility", {"hidden": "1"})
    assert "Certified solver" not in _text(visitor_browser.get(f"/u/{learner.username}/"))
    # Hidden from the profile, still verifiable.
    assert "Valid" in _text(visitor_browser.get(f"/certificates/{certificate.public_id}"))

    learner_browser.post("/certificates/profile/", {})
    assert visitor_browser.get(f"/u/{learner.username}/").status_code == 404


@pytest.mark.sandbox
def test_only_the_holder_can_hide_a_certificate(certificate):
    stranger = GatewayClient(UserFactory(username="mallory"))

    response = stranger.post(f"/certificates/{certificate.public_id}/visibility", {"hidden": "1"})

    assert response.status_code == 404
    certificate.refresh_from_db()
    assert certificate.hidden_on_profile is False


@pytest.mark.sandbox
def test_my_certificates_lists_them_with_the_exams_and_the_profile_setting(
    learner_browser, certificate, exam
):
    page = learner_browser.get("/certificates/")

    html = page.content.decode()
    assert f'href="/certificates/{certificate.public_id}/pdf"' in html
    assert f'href="/exams/{exam.module_id}/"' in html
    assert 'name="is_public"' in html


@pytest.mark.sandbox
def test_pages_speak_french_to_a_french_holder(certificate, learner):
    learner.preferred_language = "fr"
    learner.save()

    page = GatewayClient(learner).get(f"/certificates/{certificate.public_id}")

    assert "Vérification du certificat" in _text(page)


def test_a_certification_modules_page_leads_to_its_exam_and_the_menu_to_my_certificates(
    learner_browser, exam
):
    page = learner_browser.get(f"/learn/modules/{exam.module_id}/").content.decode()

    assert f'href="/exams/{exam.module_id}/"' in page
    assert 'href="/certificates/"' in page


def test_the_exam_page_speaks_french_to_a_french_learner(learner, exam):
    learner.preferred_language = "fr"
    learner.save()
    browser = GatewayClient(learner)

    home = _text(browser.get(f"/exams/{exam.module_id}/"))
    workspace = _text(browser.post(f"/exams/{exam.module_id}/start", follow=True))

    assert "Vous disposez de 30 minutes" in home
    assert "Commencer l'examen" in home or "Commencer l&#x27;examen" in home
    assert "30 minutes restantes" in workspace
    assert "Terminer l" in workspace


def test_an_exams_exercises_cannot_be_practised_outside_it(
    learner_browser, learner_client, staff_browser, exam, exercises
):
    exercise = exercises[0]

    assert learner_browser.get(f"/learn/exercises/{exercise.id}/").status_code == 404
    assert learner_client.get(f"/api/v1/learning/contents/{exercise.id}/").status_code == 404
    submitted = learner_client.post(
        f"/api/v1/learning/exercises/{exercise.id}/submit",
        {"language": "python", "code": "print(1)"},
        format="json",
    )
    assert submitted.status_code == 404
    assert (
        f'href="/learn/exercises/{exercise.id}/"'
        not in learner_browser.get(f"/learn/modules/{exam.module_id}/").content.decode()
    )
    # Staff still open them to author and check the exam.
    assert staff_browser.get(f"/learn/exercises/{exercise.id}/").status_code == 200


def test_when_no_runner_answers_at_the_deadline_the_page_says_grading_waits(
    learner_browser, learner, exam, runner_down
):
    attempt = services.exam_start(user=learner, exam=exam)
    services.answer_save(
        attempt=attempt, exercise=exam.module.contents.first(), language="python", code="print(1)"
    )
    expire(attempt)

    page = learner_browser.get(f"/exams/attempts/{attempt.id}/")

    assert page.status_code == 503
    assert "waiting to be graded" in _text(page)
    assert learner_browser.get(f"/exams/attempts/{attempt.id}/timer", **HTMX)["HX-Redirect"]
