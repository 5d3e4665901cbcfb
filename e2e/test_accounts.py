"""Account pages in Chromium: bad input on sign-up, and a team invitation answered from its mail."""

import re

from playwright.sync_api import Browser, Page, expect

from e2e.browser import DESKTOP, check_page
from e2e.mail import link_in, wait_for_mail
from e2e.steps import confirm_email, new_person, sign_in, sign_up
from e2e.words import Words


def test_a_signup_with_mistakes_shows_each_error_next_to_its_field_and_keeps_what_was_typed(page: Page):
    page.goto("/signup/")
    page.get_by_label("Username").fill("zoe with spaces")
    page.get_by_label("Email address").fill("zoe@example.com")
    page.get_by_label("Password", exact=True).fill("Kestrel-Quartz-91")
    page.get_by_label("Password again").fill("Kestrel-Quartz-92")
    page.get_by_role("button", name="Create my account").click()

    expect(page).to_have_url(re.compile(r"/signup/$"))
    username = page.get_by_label("Username")
    expect(username).to_have_value("zoe with spaces")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field", has=username).locator(".error")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("zoe@example.com")
    again = page.get_by_label("Password again")
    expect(page.locator(".field", has=again).locator(".error")).to_be_visible()
    check_page(page, "signup-errors")


def test_a_captain_invites_by_email_and_the_invited_learner_joins_from_the_mail(
    browser: Browser, stack, mail_dir
):
    captain, invited = new_person("cap"), new_person("inv")
    contexts = [browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB") for _ in range(2)]
    try:
        captain_page, invited_page = (context.new_page() for context in contexts)
        sign_up(invited_page, invited)
        # An invitation is answered from a confirmed address: the link of the sign-up mail first.
        confirm_email(invited_page, mail_dir, invited)

        sign_up(captain_page, captain)
        captain_page.get_by_role("link", name="Teams", exact=True).first.click()
        check_page(captain_page, "teams-empty")
        team = f"Night owls {captain['username']}"
        captain_page.get_by_label("Team name").fill(team)
        captain_page.get_by_role("button", name="Create the team").click()
        expect(captain_page.get_by_role("heading", level=1)).to_have_text(team)
        captain_page.get_by_label("Invite by email address").fill(invited["email"])
        captain_page.get_by_role("button", name="Send the invitation").click()
        waiting = captain_page.get_by_role("list", name="Invitations waiting for an answer")
        expect(waiting).to_contain_text(invited["email"])
        check_page(captain_page, "team-invited")

        link = link_in(
            wait_for_mail(mail_dir, invited["email"], containing="/teams/invitations/"), "/teams/invitations/"
        )
        assert link.startswith(f"{stack.url}/teams/invitations/"), link
        invited_page.goto(link)
        expect(invited_page.get_by_text(team)).to_be_visible()
        check_page(invited_page, "team-invitation")
        invited_page.get_by_role("button", name="Join the team").click()
        expect(invited_page.get_by_role("status")).to_be_visible()
        check_page(invited_page, "team-joined")
        invited_page.get_by_role("link", name=f"Open {team}").click()

        members = invited_page.get_by_role("list", name="Members")
        expect(members).to_contain_text(captain["username"])
        expect(members).to_contain_text(invited["username"])
        check_page(invited_page, "team")
        team_id = re.search(r"/teams/(\d+)/$", invited_page.url).group(1)
        invited_page.goto(f"/leaderboard/?team={team_id}")
        players = (
            invited_page.get_by_role("table").get_by_role("row").filter(has=invited_page.get_by_role("cell"))
        )
        expect(players).to_have_count(2)
        expect(players.filter(has_text=captain["username"])).to_have_count(1)
        check_page(invited_page, "team-leaderboard")
        captain_page.reload()
        expect(captain_page.get_by_role("list", name="Members")).to_contain_text(invited["username"])
    finally:
        for context in contexts:
            context.close()


def test_a_learner_who_forgot_the_password_sets_a_new_one_from_the_mailed_link(
    browser: Browser, stack, mail_dir
):
    learner = new_person("reset")
    with browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB") as first:
        sign_up(first.new_page(), learner)
    page = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB").new_page()
    try:
        page.goto("/oidc/authenticate/?next=/dashboard/")
        page.get_by_role("link", name="Forgot your password?").click()
        check_page(page, "password-reset")
        page.get_by_label("Email").fill(learner["email"])
        page.get_by_role("button", name="Send me a link").click()
        expect(page).to_have_url(re.compile(r"/password/reset/done/$"))
        check_page(page, "password-reset-sent")

        link = link_in(
            wait_for_mail(mail_dir, learner["email"], containing="/password/reset/"), "/password/reset/"
        )
        page.goto(link)
        check_page(page, "password-new")
        page.get_by_label("New password", exact=True).fill("Osprey-Granite-47")
        page.get_by_label("New password confirmation").fill("Osprey-Granite-47")
        page.get_by_role("button", name="Save my new password").click()
        expect(page).to_have_url(re.compile(r"/password/reset/complete/$"))
        check_page(page, "password-changed")

        sign_in(page, learner["username"], "Osprey-Granite-47", next_path="/dashboard/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {learner['username']}")
    finally:
        page.context.close()


def test_a_learner_switches_to_french_and_python_in_the_settings_and_the_pages_follow(page: Page):
    learner = new_person("set")
    sign_up(page, learner)
    page.get_by_role("link", name=learner["username"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    check_page(page, "settings")

    page.get_by_label("Language of PolyCode").select_option(label="Français")
    page.get_by_label("Programming language the editor opens with").select_option("python")
    page.get_by_label("Editor theme").select_option(label="Dark")
    page.get_by_role("button", name="Save", exact=True).click()

    french = Words("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Settings"))
    expect(page.get_by_label(french("Language of PolyCode"))).to_have_value("fr")
    check_page(page, "settings-saved-fr")
    page.goto("/learn/exercises/2/")
    expect(page.get_by_label(french.context("programming language", "Language"))).to_have_value("python")
