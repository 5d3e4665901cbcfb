"""The learner's dashboard."""

import pytest

from monolith.accounts.services.teams import team_create
from monolith.learning.tests.page_data import catalogue, solve

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_log_in(visitor_browser):
    response = visitor_browser.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"] == "/oidc/authenticate/?next=/dashboard/"


def test_a_brand_new_learner_sees_zero_points_and_where_to_start(learner_browser):
    response = learner_browser.get("/dashboard/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="value">0</span> <span class="label">points</span>' in body
    assert "You have not started a module yet" in body
    assert "No submissions yet." in body
    assert "You are not in a team." in body
    assert 'aria-current="page">Dashboard' in body


def test_the_dashboard_shows_points_progress_recent_submissions_and_teams(learner_browser, learner):
    content = catalogue()
    solve(learner, content.first, points=10)
    solve(learner, content.chapter_exercise, points=5, language="javascript")
    team = team_create(captain=learner, name="Night owls")

    body = learner_browser.get("/dashboard/").content.decode()

    assert '<span class="value">15</span> <span class="label">points</span>' in body
    assert '<span class="value">2</span> <span class="label">exercises solved</span>' in body
    assert "Programming fundamentals" in body
    assert "2 of 3 done" in body
    assert "Working with strings" not in body  # a chapter counts towards its module
    assert "Reverse a string" in body
    assert "JavaScript" in body
    assert "Passed" in body
    assert f'href="/leaderboard/?team={team.id}"' in body


def test_the_dashboard_reads_a_fixed_number_of_queries(
    learner_browser, learner, django_assert_max_num_queries
):
    content = catalogue()
    for exercise in [content.first, content.second, content.chapter_exercise, content.algorithm_exercise]:
        solve(learner, exercise)

    with django_assert_max_num_queries(7):
        response = learner_browser.get("/dashboard/")

    assert response.status_code == 200


def test_the_dashboard_speaks_french(learner_browser, learner):
    learner.preferred_language = "fr"
    learner.save()

    body = learner_browser.get("/dashboard/").content.decode()

    assert "Tableau de bord" in body
    assert "pas encore commencé de module" in body
