"""The learner's submission history and a submission's page."""

import pytest

from monolith.learning.tests.factories import ExerciseFactory, SubmissionFactory, ValidatorFactory

pytestmark = pytest.mark.django_db


def result(validator, *, passed, hidden=False, stdout=""):
    return {
        "validator_id": validator.id,
        "position": validator.position,
        "hidden": hidden,
        "passed": passed,
        "verdict": "accepted" if passed else "wrong_answer",
        "exit_code": 0,
        "stdout": stdout,
        "stderr": "",
    }


@pytest.fixture
def judged(learner):
    """A failed submission: two public tests (one passed), three hidden ones (two passed)."""
    exercise = ExerciseFactory(title="Sum of two numbers")
    public = [
        ValidatorFactory(exercise=exercise, stdin=[f"{n} 1"], expected_stdout=[str(n + 1)]) for n in (1, 2)
    ]
    hidden = [
        ValidatorFactory(
            exercise=exercise, stdin=["SECRET-IN"], expected_stdout=["SECRET-OUT"], is_hidden=True
        )
        for _ in range(3)
    ]
    results = [
        result(public[0], passed=True, stdout="2"),
        result(public[1], passed=False, stdout="oops"),
        result(hidden[0], passed=True, hidden=True, stdout="HIDDEN-STDOUT"),
        result(hidden[1], passed=True, hidden=True),
        result(hidden[2], passed=False, hidden=True),
    ]
    return SubmissionFactory(
        user=learner,
        exercise=exercise,
        language="python",
        code="a, b = map(int, input().split())\nprint(a + b)",
        passed=False,
        results=results,
    )


def test_anonymous_visitors_are_sent_to_log_in(visitor_browser, judged):
    for path in ("/learn/submissions/", f"/learn/submissions/{judged.id}/"):
        response = visitor_browser.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/oidc/authenticate/?next=/learn/submissions/")


def test_a_learner_without_submissions_is_told_where_to_start(learner_browser):
    body = learner_browser.get("/learn/submissions/").content.decode()

    assert "You have not submitted any code yet." in body
    assert 'href="/learn/"' in body


def test_the_history_lists_the_learners_submissions_only_newest_first(
    learner_browser, learner, other_learner, judged
):
    newer = SubmissionFactory(user=learner, exercise=judged.exercise, passed=True, language="javascript")
    SubmissionFactory(user=other_learner, exercise=ExerciseFactory(title="Not mine"))

    body = learner_browser.get("/learn/submissions/").content.decode()

    assert body.index(f"/learn/submissions/{newer.id}/") < body.index(f"/learn/submissions/{judged.id}/")
    assert "Not mine" not in body
    assert "2 submissions" in body
    assert "JavaScript" in body
    assert "Passed" in body
    assert "Failed" in body


def test_the_history_filters_by_result_and_exercise_and_pages_keep_the_filter(
    learner_browser, learner, judged
):
    other = ExerciseFactory(title="Fizz buzz")
    for _ in range(25):
        SubmissionFactory(user=learner, exercise=other, passed=True)

    passed = learner_browser.get("/learn/submissions/", {"verdict": "passed"}).content.decode()
    by_exercise = learner_browser.get(
        "/learn/submissions/", {"exercise": judged.exercise_id}
    ).content.decode()

    assert f"/learn/submissions/{judged.id}/" not in passed
    assert "25 submissions" in passed
    assert 'href="?verdict=passed&amp;page=2"' in passed
    assert "1 submission" in by_exercise
    assert f"/learn/submissions/{judged.id}/" in by_exercise


def test_a_bad_filter_is_an_error_next_to_its_field(learner_browser, judged):
    response = learner_browser.get("/learn/submissions/", {"verdict": "maybe"})

    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()


def test_a_filter_matching_nothing_says_so(learner_browser, judged):
    body = learner_browser.get("/learn/submissions/", {"verdict": "passed"}).content.decode()

    assert "No submission matches these filters." in body


def test_the_history_reads_a_fixed_number_of_queries(learner_browser, learner, django_assert_max_num_queries):
    for _ in range(20):
        SubmissionFactory(user=learner, exercise=ExerciseFactory())

    with django_assert_max_num_queries(5):
        response = learner_browser.get("/learn/submissions/")

    assert response.status_code == 200


def test_a_submission_shows_highlighted_code_language_verdict_and_public_tests(learner_browser, judged):
    response = learner_browser.get(f"/learn/submissions/{judged.id}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="codehilite">' in body
    assert '<span class="nb">print</span>' in body
    assert "Python" in body
    assert "Failed" in body
    assert "3/5" in body
    assert "Wrong answer" in body
    assert "oops" in body


def test_hidden_tests_are_only_counted(learner_browser, judged):
    body = learner_browser.get(f"/learn/submissions/{judged.id}/").content.decode()

    assert "2 of 3 hidden tests passed." in body
    assert "SECRET" not in body
    assert "HIDDEN-STDOUT" not in body


def test_another_learners_submission_is_not_found(learner_browser, other_learner):
    theirs = SubmissionFactory(user=other_learner)

    assert learner_browser.get(f"/learn/submissions/{theirs.id}/").status_code == 404
    assert learner_browser.get("/learn/submissions/999999/").status_code == 404


def test_the_submission_pages_speak_french(learner_browser, learner, judged):
    learner.preferred_language = "fr"
    learner.save()

    body = learner_browser.get(f"/learn/submissions/{judged.id}/").content.decode()

    assert "2 tests cachés réussis sur 3." in body
    assert "Mauvaise réponse" in body
