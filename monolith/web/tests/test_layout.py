"""The shared layout, error pages and language choice of every page."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_page_with_the_navigation_not_json(visitor_browser):
    response = visitor_browser.get("/learn/nowhere-at-all/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/learn/"' in body
    assert "/oidc/authenticate/?next=" in body


def test_an_unknown_api_path_stays_json(visitor_browser):
    response = visitor_browser.get("/api/v1/nowhere/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_signed_in_user_sees_their_name_and_a_log_out_button(learner_browser, learner):
    body = learner_browser.get("/learn/nowhere/").content.decode()

    assert learner.username in body
    assert 'action="/logout/"' in body


def test_an_anonymous_assertion_wins_over_a_session_of_this_service(learner, visitor_browser):
    visitor_browser.force_login(learner)

    body = visitor_browser.get("/learn/nowhere/").content.decode()

    assert learner.username not in body
    assert "Log in" in body


def test_pages_speak_the_users_preferred_language(learner, learner_browser):
    learner.preferred_language = "fr"
    learner.save()

    response = learner_browser.get("/learn/nowhere/", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "fr"


def test_an_anonymous_visitor_gets_the_browsers_language(visitor_browser):
    response = visitor_browser.get("/learn/nowhere/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert response["Content-Language"] == "fr"


def test_the_layout_is_translated_to_french(learner, learner_browser):
    learner.preferred_language = "fr"
    learner.save()

    body = learner_browser.get("/learn/nowhere/").content.decode()

    assert "Se déconnecter" in body
    assert 'lang="fr"' in body


def test_the_sign_in_page_offers_no_second_log_in_link(visitor_browser):
    body = visitor_browser.get("/o/login/").content.decode()

    assert "/oidc/authenticate/?next=" not in body
    assert 'href="/signup/"' in body
