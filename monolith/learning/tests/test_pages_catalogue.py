"""The catalogue, module and lesson pages."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from common.errors import ServiceError
from monolith.learning.highlight import STYLESHEET_PATH, stylesheet
from monolith.learning.models import LessonRead
from monolith.learning.services import lesson_mark_read
from monolith.learning.tests.factories import ExerciseFactory, LessonFactory, ModuleFactory
from monolith.learning.tests.page_data import catalogue, solve

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    return catalogue()


def test_the_catalogue_lists_published_top_level_modules_with_kind_tags_and_reward(visitor_browser, content):
    response = visitor_browser.get("/learn/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Programming fundamentals" in body
    assert "Algorithms challenge" in body
    assert "Working with strings" not in body  # a chapter is reached from its module
    assert "Unfinished draft" not in body
    assert "Practice" in body
    assert "Challenge" in body
    assert "beginner" in body
    assert "50 points on completion" in body
    assert f'href="/learn/modules/{content.fundamentals.id}/"' in body


def test_an_anonymous_visitor_is_invited_to_sign_up_and_sees_no_progress_bar(visitor_browser, content):
    body = visitor_browser.get("/learn/").content.decode()

    assert 'href="/signup/"' in body
    assert "/oidc/authenticate/?next=/learn/" in body
    assert "<progress" not in body


def test_a_learner_sees_their_progress_counting_the_chapters_exercises(learner_browser, learner, content):
    solve(learner, content.first)
    solve(learner, content.chapter_exercise)

    body = learner_browser.get("/learn/").content.decode()

    assert "2 of 3 done" in body  # two exercises of its own, one in its chapter
    assert "0 of 1 done" in body
    assert "Sign up" not in body.split("<main", 1)[1]


def test_the_catalogue_filters_by_kind_and_by_tag(visitor_browser, content):
    by_kind = visitor_browser.get("/learn/", {"kind": "challenge"}).content.decode()
    by_tag = visitor_browser.get("/learn/", {"tag": "beginner"}).content.decode()

    assert "Algorithms challenge" in by_kind
    assert "Programming fundamentals" not in by_kind
    assert "Programming fundamentals" in by_tag
    assert "Algorithms challenge" not in by_tag
    assert '<option value="beginner" selected>' in by_tag


def test_a_filter_matching_nothing_says_so_and_offers_everything(visitor_browser, content):
    body = visitor_browser.get("/learn/", {"kind": "certification"}).content.decode()

    assert "No module matches these filters." in body
    assert 'href="/learn/"' in body


def test_an_unknown_filter_value_is_an_error_next_to_its_field(visitor_browser, content):
    response = visitor_browser.get("/learn/", {"kind": "quiz"})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="field has-error"' in body
    assert "Select a valid choice" in body
    assert "Programming fundamentals" not in body


def test_an_empty_catalogue_says_nothing_is_published_yet(visitor_browser):
    body = visitor_browser.get("/learn/").content.decode()

    assert "No module is published yet." in body


def test_the_catalogue_reads_a_fixed_number_of_queries(
    learner_browser, learner, content, django_assert_max_num_queries
):
    for number in range(5):
        solve(learner, ExerciseFactory(module=ModuleFactory(title=f"Extra {number}")), points=0)

    with django_assert_max_num_queries(7):
        response = learner_browser.get("/learn/")

    assert response.status_code == 200


def test_the_module_page_lists_contents_in_order_with_solved_marks_and_chapters(
    learner_browser, learner, content
):
    solve(learner, content.second)

    body = learner_browser.get(f"/learn/modules/{content.fundamentals.id}/").content.decode()

    lesson_at = body.index(f'href="/learn/lessons/{content.lesson.id}/"')
    first_at = body.index(f'href="/learn/exercises/{content.first.id}/"')
    second_at = body.index(f'href="/learn/exercises/{content.second.id}/"')
    assert lesson_at < first_at < second_at
    assert body.count("Solved") == 1
    assert body.index("Solved") < second_at
    assert "Working with strings" in body
    assert f'href="/learn/modules/{content.strings.id}/"' in body
    assert "1 of 3 done" in body
    assert 'aria-label="Breadcrumbs"' in body


def test_a_chapter_page_leads_back_to_its_module(visitor_browser, content):
    body = visitor_browser.get(f"/learn/modules/{content.strings.id}/").content.decode()

    assert f'href="/learn/modules/{content.fundamentals.id}/">Programming fundamentals</a>' in body
    assert "Reverse a string" in body


def test_a_missing_or_unpublished_module_is_not_found(learner_browser, content):
    assert learner_browser.get(f"/learn/modules/{content.hidden_draft.id}/").status_code == 404
    assert learner_browser.get("/learn/modules/999999/").status_code == 404


def test_an_empty_module_says_it_has_no_content_yet(visitor_browser):
    module = ModuleFactory(title="Empty")

    body = visitor_browser.get(f"/learn/modules/{module.id}/").content.decode()

    assert "This module has no lesson or exercise yet." in body


def test_the_module_page_reads_a_fixed_number_of_queries(
    learner_browser, learner, content, django_assert_max_num_queries
):
    for position in range(10):
        solve(learner, ExerciseFactory(module=content.fundamentals, position=10 + position), points=0)

    with django_assert_max_num_queries(10):
        response = learner_browser.get(f"/learn/modules/{content.fundamentals.id}/")

    assert response.status_code == 200


def test_a_lesson_is_rendered_markdown_with_highlighted_code_and_no_script(visitor_browser, content):
    response = visitor_browser.get(f"/learn/lessons/{content.lesson.id}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="codehilite">' in body
    assert '<span class="nb">print</span>' in body
    assert "<script>alert" not in body
    assert "/static/learning/code.css" in body


def test_a_lesson_links_to_the_next_item_of_its_module_and_back(visitor_browser, content):
    body = visitor_browser.get(f"/learn/lessons/{content.lesson.id}/").content.decode()

    assert f'rel="next" href="/learn/exercises/{content.first.id}/"' in body
    assert 'rel="prev"' not in body
    assert f'href="/learn/modules/{content.fundamentals.id}/"' in body


def test_the_lesson_address_of_an_exercise_leads_to_the_exercise_page(visitor_browser, content):
    response = visitor_browser.get(f"/learn/lessons/{content.first.id}/")

    assert response.status_code == 302
    assert response["Location"] == f"/learn/exercises/{content.first.id}/"


def test_a_lesson_of_an_unpublished_module_is_not_found(visitor_browser, content):
    lesson = LessonFactory(module=content.hidden_draft)

    assert visitor_browser.get(f"/learn/lessons/{lesson.id}/").status_code == 404
    assert visitor_browser.get("/learn/lessons/999999/").status_code == 404


def test_the_learning_pages_speak_french_to_a_french_learner(learner_browser, learner, content):
    learner.preferred_language = "fr"
    learner.save()

    catalogue_page = learner_browser.get("/learn/").content.decode()
    module_page = learner_browser.get(f"/learn/modules/{content.fundamentals.id}/").content.decode()
    lesson_page = learner_browser.get(f"/learn/lessons/{content.lesson.id}/").content.decode()

    assert "Modules" in catalogue_page
    assert "Tous les types" in catalogue_page
    assert "Pratique" in catalogue_page
    assert "Chapitres" in module_page
    assert "Leçon" in module_page
    assert "Marquer comme lu et continuer" in lesson_page


def test_the_committed_code_stylesheet_is_what_the_highlighter_generates():
    committed = Path(finders.find(STYLESHEET_PATH)).read_text()

    assert committed == stylesheet(), "regenerate it: python -m monolith.learning.highlight"


def test_marking_a_lesson_read_goes_on_to_the_next_item_and_marks_it_in_the_module(
    learner_browser, learner, content
):
    response = learner_browser.post(f"/learn/lessons/{content.lesson.id}/read")

    assert response.status_code == 302
    assert response["Location"] == f"/learn/exercises/{content.first.id}/"
    assert LessonRead.objects.filter(user=learner, lesson=content.lesson).count() == 1
    module_page = learner_browser.get(f"/learn/modules/{content.fundamentals.id}/").content.decode()
    lesson_row = module_page.split(f'href="/learn/lessons/{content.lesson.id}/"', 1)[0].rsplit("<li>", 1)[1]
    assert '<span class="badge ok">Read</span>' in lesson_row
    lesson_page = learner_browser.get(f"/learn/lessons/{content.lesson.id}/").content.decode()
    assert "Mark as read" not in lesson_page
    assert '<span class="badge ok">Read</span>' in lesson_page


def test_marking_a_lesson_read_twice_keeps_the_first_time(learner_browser, learner, content):
    learner_browser.post(f"/learn/lessons/{content.lesson.id}/read")
    first = LessonRead.objects.get(user=learner, lesson=content.lesson).read_at

    learner_browser.post(f"/learn/lessons/{content.lesson.id}/read")

    assert LessonRead.objects.get(user=learner, lesson=content.lesson).read_at == first


def test_a_lesson_offers_to_mark_it_read_to_a_learner_only(learner_browser, visitor_browser, content):
    assert (
        "Mark as read and continue"
        in learner_browser.get(f"/learn/lessons/{content.lesson.id}/").content.decode()
    )
    assert "Mark as read" not in visitor_browser.get(f"/learn/lessons/{content.lesson.id}/").content.decode()


def test_an_anonymous_visitor_marking_a_lesson_read_is_sent_to_log_in(visitor_browser, content):
    response = visitor_browser.post(f"/learn/lessons/{content.lesson.id}/read")

    assert response.status_code == 302
    assert response["Location"].startswith("/oidc/authenticate/?next=")
    assert not LessonRead.objects.exists()


def test_an_exercise_cannot_be_marked_read(learner_browser, learner, content):
    response = learner_browser.post(f"/learn/lessons/{content.first.id}/read")

    assert response["Location"] == f"/learn/exercises/{content.first.id}/"
    assert not LessonRead.objects.exists()
    with pytest.raises(ServiceError):
        lesson_mark_read(user=learner, lesson=content.first)


def test_a_lesson_is_marked_read_only_by_a_post(learner_browser, content):
    assert learner_browser.get(f"/learn/lessons/{content.lesson.id}/read").status_code == 405


def test_staff_see_unpublished_modules_marked_as_drafts(staff_browser, content):
    catalogue_page = staff_browser.get("/learn/").content.decode()
    module_page = staff_browser.get(f"/learn/modules/{content.hidden_draft.id}/").content.decode()

    assert "Unfinished draft" in catalogue_page
    assert catalogue_page.count("Draft: only staff see it") == 1
    assert "Draft: only staff see it" in module_page
