"""Signing in happens on the platform's one origin: the gateway sends the browser to the
identity provider's page behind it and back to the page it came from."""

import re

from playwright.sync_api import Page, expect

from e2e.browser import check_page
from e2e.steps import sign_in


def test_the_front_page_sends_a_visitor_to_the_sign_in_page_on_the_same_origin(page: Page, stack):
    page.goto("/oidc/authenticate/?next=/learn/")

    expect(page).to_have_url(re.compile(rf"^{re.escape(stack.url)}/o/login/"))
    expect(page.get_by_label("Username")).to_be_visible()
    check_page(page, "sign-in")


def test_a_demo_learner_signs_in_with_a_password_and_comes_back_signed_in(page: Page, stack):
    sign_in(page, "learner", "learner-dev-password", next_path="/dashboard/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, learner")


def test_a_wrong_password_keeps_the_username_and_says_what_is_wrong(page: Page, stack):
    page.goto("/oidc/authenticate/?next=/learn/")
    page.get_by_label("Username").fill("learner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_label("Username")).to_have_value("learner")
    expect(page.get_by_role("alert")).to_contain_text(re.compile("password", re.I))
    check_page(page, "sign-in-error")
