"""Steps several journeys take, written once."""

import itertools
import re
import time

from playwright.sync_api import Page, expect

_numbers = itertools.count(1)


def new_person(prefix: str = "zoe") -> dict:
    """A username, an address and a password nobody has used on this stack yet."""
    name = f"{prefix}{int(time.time()) % 100000}{next(_numbers)}"
    return {"username": name, "email": f"{name}@example.com", "password": "Kestrel-Quartz-91"}


def sign_in(page: Page, username: str, password: str, next_path: str = "/dashboard/") -> None:
    """Log in on the identity provider's page (behind the gateway) and land on ``next_path``."""
    page.goto(f"/oidc/authenticate/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def sign_up(page: Page, person: dict, *, language_label: str = "English") -> None:
    """Create an account on the sign-up page (which signs the new learner in)."""
    page.goto("/signup/")
    page.get_by_label("Username").fill(person["username"])
    page.get_by_label("Email address").fill(person["email"])
    page.get_by_label("Password", exact=True).fill(person["password"])
    page.get_by_label("Password again").fill(person["password"])
    page.get_by_label("Language").select_option(label=language_label)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def confirm_email(page: Page, mail_dir, person: dict) -> None:
    """Open the confirmation link of the mail the sign-up sent and confirm the address."""
    from e2e.mail import link_in, wait_for_mail

    page.goto(
        link_in(wait_for_mail(mail_dir, person["email"], containing="/emails/verify/"), "/emails/verify/")
    )
    page.get_by_role("button", name="Confirm this address").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_be_visible()
