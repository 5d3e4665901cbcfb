"""Steps several journeys take, written once."""

import re

from playwright.sync_api import Page, expect


def sign_in(page: Page, username: str, password: str, next_path: str = "/dashboard/") -> None:
    """Log in on the identity provider's page (behind the gateway) and land on ``next_path``."""
    page.goto(f"/oidc/authenticate/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))
