"""The recruiters' and the candidates' pages through a fake gateway (code judged for real)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from common.identity.testing import GatewayClient
from monolith.interviews import services
from monolith.interviews.models import Assessment, Attempt, Invitation, Snapshot
from monolith.interviews.tests.conftest import PARTIAL, SUM, SUM_RENAMED, WRONG, candidate_browser, expire

pytestmark = pytest.mark.django_db


def _url(assessment: Assessment) -> str:
    return f"/recruit/assessments/{assessment.id}/"


# --- recruiters ------------------------------------------------------------------------


def test_a_recruiter_creates_an_assessment_from_a_private_exercise(recruiter_browser, team, exercises):
    response = recruiter_browser.post(
        "/recruit/assessments/new",
        {
            "team": team.id,
            "title": "Screening",
            "instructions": "Go",
            "languages": ["python"],
            "duration_minutes": 45,
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2030-01-01T09:00",
            "sources": [f"team:{exercises[0].id}"],
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(assessment)
    version = assessment.versions.get()
    assert (version.title, version.duration_minutes, version.exercises[0]["title"]) == (
        "Screening",
        45,
        "Add two numbers",
    )


def test_a_bad_assessment_form_says_which_field_and_keeps_the_values(recruiter_browser, team, exercises):
    response = recruiter_browser.post(
        "/recruit/assessments/new",
        {
            "team": team.id,
            "title": "Kept title",
            "languages": ["python"],
            "duration_minutes": 45,
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2026-01-01T09:00",
            "sources": [f"team:{exercises[0].id}"],
        },
    )
    assert response.status_code == 400
    assert b"The assessment must close after it opens." in response.content
    assert b'value="Kept title"' in response.content
    assert not Assessment.objects.exists()


def test_a_colleague_of_the_team_edits_the_assessment(assessment, colleague, exercises):
    browser = GatewayClient(colleague)
    response = browser.post(
        _url(assessment) + "edit",
        {
            "title": "Edited",
            "team": assessment.team_id,
            "languages": ["python"],
            "duration_minutes": 20,
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2030-01-01T09:00",
            "sources": [f"team:{exercises[1].id}"],
        },
    )
    assert response.status_code == 302
    assert assessment.versions.get().title == "Edited"


def test_invite_one_candidate_by_email(recruiter_browser, assessment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_browser.post(
            _url(assessment) + "invite", {"name": "Grace", "email": "grace@example.org"}
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["grace@example.org"]
    assert "/assessment/start/" in mail.outbox[-1].body


def test_csv_import_invites_everyone(recruiter_browser, assessment, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile(
        "c.csv", b"name,email\nAda,ada@example.org\nBob,bob@example.org\n", "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_browser.post(_url(assessment) + "invite-csv", {"file": upload})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "bob@example.org"]


def test_csv_with_a_bad_row_imports_nothing_and_names_the_lines(recruiter_browser, assessment):
    upload = SimpleUploadedFile("c.csv", b"Ada,ada@example.org\nBob,not-an-address\nCy\n", "text/csv")
    response = recruiter_browser.post(_url(assessment) + "invite-csv", {"file": upload})
    assert response.status_code == 400
    assert "Line 2: “not-an-address” is not an email address" in response.content.decode()
    assert "Line 3: expected two columns" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b@example.org\n" * 10_000, "The file is too large"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "This is not a CSV file"),
    ],
)
def test_csv_too_large_or_not_csv_is_refused(recruiter_browser, assessment, content, message):
    response = recruiter_browser.post(
        _url(assessment) + "invite-csv", {"file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_revoke_then_the_link_says_withdrawn(recruiter_browser, assessment, invite):
    invitation, token = invite()
    recruiter_browser.post(_url(assessment) + f"candidates/{invitation.id}/revoke")
    response = GatewayClient().get(f"/assessment/start/{token}")
    assert response.status_code == 410
    assert b"The team withdrew this invitation." in response.content


def _finish_two(started):
    a, _key_a = started(name="Ada", email="ada@example.org")
    services.answer_submit(attempt=a, index=0, language="python", code=SUM)
    services.answer_save(attempt=a, index=1, language="python", code=PARTIAL)
    a = services.attempt_close_if_expired(attempt=expire(a))
    b, _key_b = started(name="Bob", email="bob@example.org")
    services.answer_submit(attempt=b, index=0, language="python", code=SUM_RENAMED)
    b = services.attempt_finish(attempt=b)
    return a, b


def test_report_shows_scores_auto_submission_playback_and_similarity(recruiter_browser, assessment, started):
    a, _b = _finish_two(started)
    response = recruiter_browser.get(_url(assessment) + f"candidates/{a.invitation_id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "submitted automatically at the deadline" in page
    assert "3 / 3 tests passed" in page
    assert "1 / 2 tests passed" in page
    assert 'type="range"' in page
    assert "snapshots-0" in page
    assert "Similar to Bob: 100 %" in page
    assert "Flagged from 50 %" in page
    assert "first, second = map(int, input().split())" in page


def test_pipeline_sorts_by_score_and_the_csv_export_matches(recruiter_browser, assessment, started, invite):
    _a, _b = _finish_two(started)
    invite(name="Cy", email="cy@example.org")
    page = recruiter_browser.get(_url(assessment) + "?sort=score").content.decode()
    assert page.index("ada@example.org") < page.index("bob@example.org") < page.index("cy@example.org")
    response = recruiter_browser.get(_url(assessment) + "results.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["email"], r["status"], r["score_percent"], r["ended_by"]) for r in rows] == [
        ("ada@example.org", "submitted", "75", "deadline"),
        ("bob@example.org", "submitted", "50", "candidate"),
        ("cy@example.org", "invited", "", ""),
    ]


# --- candidates ------------------------------------------------------------------------


def test_the_start_page_states_rules_duration_and_what_is_recorded(invite):
    _invitation, token = invite()
    page = GatewayClient().get(f"/assessment/start/{token}").content.decode()
    assert "30 minutes from the moment you press Start" in page
    assert "pastes into the editor" in page
    assert "leave this tab" in page
    assert not Attempt.objects.exists()


def test_start_sets_the_key_cookie_and_opens_the_attempt(invite):
    _invitation, token = invite()
    browser = GatewayClient()
    response = browser.post(f"/assessment/start/{token}")
    attempt = Attempt.objects.get()
    assert response["Location"] == f"/assessment/{attempt.public_id}/"
    cookie = response.cookies[f"assessment-{attempt.public_id.hex}"]
    assert cookie["httponly"]
    assert cookie["path"] == "/assessment/"
    page = browser.get(response["Location"]).content.decode()
    assert "Add two numbers" in page
    assert "minutes left" in page
    assert "40 2" not in page  # a hidden test's input


def test_a_used_link_in_another_browser_says_so_and_changes_nothing(invite):
    _invitation, token = invite()
    GatewayClient().post(f"/assessment/start/{token}")
    response = GatewayClient().post(f"/assessment/start/{token}")
    assert response.status_code == 410
    assert b"already used" in response.content
    assert Attempt.objects.count() == 1


def test_a_forged_link_is_a_clear_page(db):
    response = GatewayClient().get("/assessment/start/forged-token-123")
    assert response.status_code == 404
    assert b"This link is not valid" in response.content


def test_an_expired_link_is_a_clear_page(invite):
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = GatewayClient().post(f"/assessment/start/{token}")
    assert response.status_code == 410
    assert b"has expired" in response.content
    assert not Attempt.objects.exists()


def test_autosave_run_and_submit_through_the_page(started):
    attempt, key = started()
    browser = candidate_browser(attempt, key)
    base = f"/assessment/{attempt.public_id}/exercises/0/"
    assert (
        browser.post(
            base + "save", {"language": "python", "code": "x = 1\n"}, HTTP_X_AUTOSAVE="1"
        ).status_code
        == 200
    )
    run = browser.post(base + "run", {"language": "python", "code": SUM}, HTTP_HX_REQUEST="true")
    assert "1 of 1 public test passed." in run.content.decode()
    submit = browser.post(base + "submit", {"language": "python", "code": SUM}, HTTP_HX_REQUEST="true")
    assert "3 of 3 tests passed (hidden included)." in submit.content.decode()
    assert "40 2" not in submit.content.decode()
    kinds = list(Snapshot.objects.values_list("kind", flat=True))
    assert kinds == ["autosave", "run", "submit"]


def test_a_submission_after_the_deadline_is_refused_whatever_the_client_claims(started):
    attempt, key = started()
    browser = candidate_browser(attempt, key)
    services.answer_save(attempt=attempt, index=0, language="python", code=WRONG)
    expire(attempt, ago=timedelta(seconds=1))
    response = browser.post(
        f"/assessment/{attempt.public_id}/exercises/0/submit",
        {"language": "python", "code": SUM, "client_time": timezone.now().isoformat()},
        HTTP_HX_REQUEST="true",
        HTTP_DATE=(timezone.now() - timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    )
    assert response.status_code == 409
    attempt.refresh_from_db()
    assert attempt.ended_by == Attempt.Ending.DEADLINE
    assert attempt.answers.get(exercise_index=0).code == WRONG


def test_signals_are_recorded_and_bad_ones_refused_by_field(started):
    attempt, key = started()
    browser = candidate_browser(attempt, key)
    url = f"/assessment/{attempt.public_id}/signals"
    assert browser.post(url, {"pastes": "120,4", "leaves": 1, "away_seconds": 9}).status_code == 204
    bad = browser.post(url, {"pastes": "lots", "leaves": -1, "away_seconds": 1})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"pastes", "leaves"}
    attempt.refresh_from_db()
    assert (attempt.paste_count, attempt.paste_chars_max, attempt.tab_leaves, attempt.tab_away_seconds) == (
        2,
        120,
        1,
        9,
    )


# --- isolation: every endpoint ---------------------------------------------------------

RECRUITER_GETS = ["", "edit", "results.csv", "candidates/{inv}/"]
RECRUITER_POSTS = [
    "invite",
    "invite-csv",
    "edit",
    "candidates/{inv}/revoke",
    "candidates/{inv}/resend",
    "candidates/{inv}/erase",
]


@pytest.mark.parametrize("who", ["learner", "outsider", "candidate"])
def test_nobody_outside_the_team_reaches_any_recruiter_endpoint(
    who, assessment, started, exercises, learner, outsider
):
    attempt, key = started()
    browser = {
        "learner": GatewayClient(learner),
        "outsider": GatewayClient(outsider),
        "candidate": candidate_browser(attempt, key),
    }[who]
    for suffix in RECRUITER_GETS:
        response = browser.get(_url(assessment) + suffix.format(inv=attempt.invitation_id))
        assert response.status_code in (404, 302), suffix  # 302: the anonymous candidate is asked to log in
    for suffix in RECRUITER_POSTS:
        response = browser.post(
            _url(assessment) + suffix.format(inv=attempt.invitation_id),
            {"name": "x", "email": "x@example.org"},
        )
        assert response.status_code in (404, 302), suffix
    team_exercise = GatewayClient(outsider if who == "outsider" else learner).get(
        f"/recruit/exercises/{exercises[0].id}/"
    )
    assert team_exercise.status_code == 404
    attempt.refresh_from_db()
    assert attempt.invitation.status == Invitation.Status.STARTED
    assert Invitation.objects.count() == 1


CANDIDATE_GETS = ["", "timer"]
CANDIDATE_POSTS = ["finish", "signals", "exercises/0/save", "exercises/0/run", "exercises/0/submit"]


def test_a_candidate_reaches_no_endpoint_of_another_candidate(started):
    _mine, my_key = started(name="Ada", email="ada@example.org")
    theirs, _their_key = started(name="Bob", email="bob@example.org")
    for browser in (candidate_browser(theirs, my_key), GatewayClient()):
        for suffix in CANDIDATE_GETS:
            assert browser.get(f"/assessment/{theirs.public_id}/{suffix}").status_code == 404
        for suffix in CANDIDATE_POSTS:
            response = browser.post(
                f"/assessment/{theirs.public_id}/{suffix}",
                {"language": "python", "code": "x", "leaves": 0, "away_seconds": 0},
            )
            assert response.status_code == 404, suffix
    theirs.refresh_from_db()
    assert theirs.is_open
    assert not theirs.answers.exists()


def test_a_revoked_candidate_loses_the_attempt(started, recruiter_browser, assessment):
    attempt, key = started()
    recruiter_browser.post(_url(assessment) + f"candidates/{attempt.invitation_id}/revoke")
    assert candidate_browser(attempt, key).get(f"/assessment/{attempt.public_id}/").status_code == 404


def test_recruiter_home_and_forms_for_a_learner_without_team(learner):
    browser = GatewayClient(learner)
    assert b"recruiting team" in browser.get("/recruit/").content
    assert browser.get("/recruit/assessments/new").status_code == 404
    assert browser.get("/recruit/exercises/new").status_code == 404


def test_the_navigation_links_to_assessments_for_signed_in_people_only(
    recruiter_browser, team, visitor_browser
):
    # Shown to every signed-in person (a membership query on every page would cost each page
    # one more read); /recruit/ tells someone without a recruiting team how to get one.
    assert b'href="/recruit/"' in recruiter_browser.get("/learn/").content
    assert b'href="/recruit/"' not in visitor_browser.get("/learn/").content


def test_demo_data_loads_twice_into_one_assessment(db):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    assessment = Assessment.objects.get()
    assert assessment.team.name == "Acme Recruiting"
    assert assessment.versions.get().exercises[0]["title"] == "Sum of a list"


def test_pages_speak_french_to_a_french_speaking_candidate_and_team(invite, recruiter, assessment):
    recruiter.preferred_language = "fr"
    recruiter.save()
    _invitation, token = invite()
    start = GatewayClient().get(f"/assessment/start/{token}", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vous avez 30 minutes" in start
    assert "Commencer" in start
    pipeline = GatewayClient(recruiter).get(_url(assessment)).content.decode()
    assert "Inviter depuis un fichier CSV" in pipeline


def test_the_same_browser_coming_back_through_the_used_link_goes_on_with_its_attempt(invite):
    _invitation, token = invite()
    browser = GatewayClient()
    started = browser.post(f"/assessment/start/{token}")
    again = browser.get(f"/assessment/start/{token}")
    assert again.status_code == 302
    assert again["Location"] == started["Location"]
    assert Attempt.objects.count() == 1
