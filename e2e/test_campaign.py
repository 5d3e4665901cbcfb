"""A coding campaign in Chromium, against the whole platform.

A new learner opens the demo campaign, registers, has a submission of exercise A
rejected, then accepted (the reference solution, judged by the real runner); an anonymous
visitor who opened the scoreboard before sees the learner's row turn solved without
reloading (htmx polling). Runs with the strangler switches off and on. Every page is
checked by axe-core and photographed at desktop width and 375 px.
"""

import itertools
import re
import time

from playwright.sync_api import Browser, Page, expect

from e2e.browser import DESKTOP, check_page
from monolith.learning.demo_solutions import reference_solutions

CAMPAIGN = "Winter algorithms sprint"
EXERCISE = "Is it prime?"
WRONG = 'input()\nprint("yes")\n'
_numbers = itertools.count(1)


def _new_learner(stack) -> dict:
    username = f"racer{int(time.time()) % 100000}{next(_numbers)}"
    person = {"username": username, "password": "Kestrel-Quartz-91"}
    stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user(username={username!r}, email='{username}@example.com', "
        f"password={person['password']!r})",
    )
    return person


def _log_in(page: Page, username: str, password: str, next_path: str) -> None:
    page.goto(f"/oidc/authenticate/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def _submit(page: Page, code: str) -> None:
    editor = page.get_by_role("textbox", name="Your code")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)
    expect(editor).to_contain_text(code.strip().splitlines()[0])
    page.get_by_role("button", name="Submit").click()


def test_a_learner_registers_solves_and_the_open_scoreboard_updates_itself(
    page: Page, browser: Browser, stack, strangler
):
    person = _new_learner(stack)
    _log_in(page, person["username"], person["password"], "/campaigns/")
    check_page(page, f"campaign-{strangler}-01-list")
    page.get_by_role("link", name=CAMPAIGN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CAMPAIGN)
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_text("You are registered.")).to_be_visible()
    check_page(page, f"campaign-{strangler}-02-registered")
    campaign_url = page.url

    visitor = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB")
    board = visitor.new_page()
    board.goto(campaign_url + "scoreboard")
    row = board.get_by_role("row").filter(has_text=person["username"])
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("+")
    check_page(board, f"campaign-{strangler}-03-scoreboard")

    page.get_by_role("link", name=EXERCISE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EXERCISE)
    expect(page.locator(".cm-editor")).to_be_visible()
    page.get_by_label("Language").select_option("python")
    _submit(page, WRONG)
    expect(page.get_by_role("heading", name=re.compile("^Rejected:"))).to_be_visible()
    _submit(page, reference_solutions()["is-it-prime"]["python"])
    expect(page.get_by_role("heading", name="Accepted: every test passed.")).to_be_visible()
    expect(page.locator("#my-submissions li")).to_have_count(2)
    check_page(page, f"campaign-{strangler}-04-accepted")

    # The visitor's page was not reloaded: the polled fragment brings the solve (+1: one rejection first).
    expect(row).to_contain_text("+1", timeout=25_000)
    visitor.close()
