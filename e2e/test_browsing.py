"""A visitor who has not signed up yet browses the catalogue, a lesson and an exercise in Chromium."""

from playwright.sync_api import Page, expect

from e2e.browser import check_page


def test_a_visitor_filters_the_catalogue_and_reads_a_lesson_with_highlighted_code(page: Page):
    page.goto("/learn/")
    page.get_by_role("combobox", name="Tag").select_option("strings")
    page.get_by_role("button", name="Filter").click()
    modules = page.get_by_role("main").get_by_role("heading", level=2)
    expect(modules).to_have_count(1)
    check_page(page, "catalogue-filtered")

    page.goto("/learn/")
    page.get_by_role("link", name="Programming fundamentals", exact=True).click()
    page.get_by_role("link", name="Reading input, printing output").click()
    lesson = page.get_by_role("article")
    expect(lesson.get_by_role("heading", level=1)).to_have_text("Reading input, printing output")
    # The fenced Python block is highlighted on the server: coloured spans inside the <pre>.
    expect(lesson.locator("pre code span[class]").first).to_be_visible()
    check_page(page, "lesson")


def test_a_visitor_sees_an_exercise_and_is_asked_to_log_in_for_its_hints(page: Page):
    page.goto("/learn/exercises/2/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, you")
    hints = page.get_by_role("region", name="Hints")
    expect(hints.get_by_role("link", name="Log in to see them")).to_be_visible()
    check_page(page, "exercise-anonymous")


def test_a_page_that_does_not_exist_is_a_page_not_json(page: Page):
    response = page.goto("/learn/modules/99999/")

    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    check_page(page, "not-found")
