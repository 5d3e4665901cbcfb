"""A new learner's first visit, in Chromium, against the whole platform.

Signs up, confirms the address from the mail the SMTP sink kept, opens an exercise, runs
code on their own input, fails a submission, passes it, sees the points on the dashboard
and their place on the leaderboard, buys a hint and reads it, then logs out. It runs with
the strangler switches off (legacy paths) and on (runner service, mail through the queue
and the mailer, purchase through the shop's saga), and in French for a learner who chose
French. Every page is checked by axe-core and photographed (var/screenshots/).
"""

import re
import time

from playwright.sync_api import Page, expect

from e2e.browser import check_page
from e2e.mail import link_in, wait_for_mail
from e2e.stack import SWITCH_TTL, SWITCHES
from e2e.words import Words

MODULE = "Programming fundamentals"
EXERCISE = "Hello, you"
HINT = "Printing the greeting exactly"
HINT_TEXT = "Read the whole line, spaces included"
REWARD, HINT_COST = 10, 5
ECHO = "print(input())\n"
GREET = 'print(f"Hello, {input()}!")\n'
VERIFY_SUBJECT = {
    "en": "Confirm your email address on PolyCode",
    "fr": "Confirmez votre adresse e-mail sur PolyCode",
}


class Journey:
    """The steps of the journey in the language ``words`` speaks, each page checked and kept."""

    def __init__(self, page: Page, stack, person: dict, words: Words, name: str):
        self.page, self.stack, self.person, self.t = page, stack, person, words
        self.name = name
        self.pages = 0
        self.problems: list[str] = []

    def check(self, what: str) -> None:
        """axe-core and the screenshots; a page's problems are collected so the journey goes on
        and one run lists every page's problems (``assert_no_problems`` at the end)."""
        self.pages += 1
        try:
            check_page(self.page, f"{self.name}-{self.pages:02d}-{what}")
        except AssertionError as problem:
            self.problems.append(f"{what}: {problem}")

    def assert_no_problems(self) -> None:
        assert not self.problems, f"{len(self.problems)} page(s) with problems:\n" + "\n\n".join(
            self.problems
        )

    def nav(self, label: str) -> None:
        self.page.get_by_role("navigation", name=self.t("Main")).get_by_role("link", name=label).click()

    def points(self, n: int) -> str:
        return self.t.plural("%(points)s point", "%(points)s points", n, points=n)

    def sign_up(self, language_label: str) -> None:
        # Before signing up, pages speak the browser's language (English); then the learner's.
        page, t = self.page, Words("en")
        page.goto("/")
        self.check("catalogue")
        page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Sign up")).click()
        self.check("signup")
        page.get_by_label(t("Username")).fill(self.person["username"])
        page.get_by_label(t("Email address")).fill(self.person["email"])
        page.get_by_label(t("Password"), exact=True).fill(self.person["password"])
        page.get_by_label(t("Password again")).fill(self.person["password"])
        page.get_by_label(t("Language")).select_option(label=language_label)
        page.get_by_role("button", name=t("Create my account")).click()
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        expect(page.locator("html")).to_have_attribute("lang", self.t.language)
        hello = self.t("Hello, %(name)s", name=self.person["username"])
        expect(page.get_by_role("heading", level=1)).to_have_text(hello)
        self.check("dashboard-new")

    def confirm_email(self, mail_dir) -> None:
        page, t = self.page, self.t
        mail = wait_for_mail(mail_dir, self.person["email"], containing="/emails/verify/")
        # The mail speaks the learner's language too, whichever path sent it.
        assert mail["Subject"] == VERIFY_SUBJECT[t.language], mail["Subject"]
        link = link_in(mail, "/emails/verify/")
        assert link.startswith(f"{self.stack.url}/emails/verify/"), link
        page.goto(link)
        self.check("confirm-email")
        page.get_by_role("button", name=t("Confirm this address")).click()
        expect(page.get_by_text(self.person["email"]).first).to_be_visible()
        self.check("email-confirmed")

    def see_leaderboard(self, what: str) -> tuple[int, int, int]:
        """This learner's rank and points, and their place in the table (0: first row)."""
        page, t = self.page, self.t
        self.nav(t("Leaderboard"))
        table = page.get_by_role("table")
        rows = table.get_by_role("row").filter(has=page.get_by_role("cell"))
        expect(rows.first).to_be_visible()
        players = [row.get_by_role("cell").nth(1).inner_text() for row in rows.all()]
        mine = [i for i, player in enumerate(players) if player.split()[0] == self.person["username"]]
        assert len(mine) == 1, f"{self.person['username']} once in the leaderboard: {players}"
        cells = rows.nth(mine[0]).get_by_role("cell")
        self.check(f"leaderboard-{what}")
        return int(cells.nth(0).inner_text().strip("#")), int(cells.nth(2).inner_text()), mine[0]

    def place_of(self, username: str) -> int:
        rows = self.page.get_by_role("table").get_by_role("row").filter(has=self.page.get_by_role("cell"))
        players = [row.get_by_role("cell").nth(1).inner_text().split()[0] for row in rows.all()]
        return players.index(username)

    def open_exercise(self) -> None:
        page, t = self.page, self.t
        self.nav(t("Learn"))
        page.get_by_role("link", name=MODULE, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(MODULE)
        self.check("module")
        page.get_by_role("link", name=EXERCISE, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(EXERCISE)
        # The editor (CodeMirror) takes over the code field once the page's script has run.
        expect(page.locator(".cm-editor")).to_be_visible()
        page.get_by_label(t.context("programming language", "Language")).select_option("python")
        self.check("exercise")

    def write(self, code: str) -> None:
        editor = self.page.get_by_role("textbox", name=self.t("Your code"))
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.insert_text(code)
        expect(editor).to_contain_text(code.strip())
        expect(self.page.get_by_label(self.t.context("programming language", "Language"))).to_have_value(
            "python"
        )

    def run(self, stdin: str) -> None:
        page, t = self.page, self.t
        self.write(ECHO)
        page.get_by_label(t("Input for Run (stdin)")).fill(stdin)
        page.get_by_role("button", name=t("Run"), exact=True).click()
        result = page.get_by_role("region", name=t("Ran to the end"))
        expect(result).to_contain_text(stdin)
        self.check("run")

    def submit_failing(self) -> None:
        page, t = self.page, self.t
        page.get_by_role("button", name=t("Submit"), exact=True).click()
        verdict = t.plural(
            "Not yet: %(passed)s of %(total)s test passed.",
            "Not yet: %(passed)s of %(total)s tests passed.",
            4,
            passed=0,
            total=4,
        )
        expect(page.get_by_role("heading", name=verdict)).to_be_visible()
        hidden = t.plural(
            "%(passed)s of %(total)s hidden test passed.",
            "%(passed)s of %(total)s hidden tests passed.",
            2,
            passed=0,
            total=2,
        )
        expect(page.get_by_text(hidden)).to_be_visible()
        self.check("submission-failed")

    def submit_passing(self) -> None:
        page, t = self.page, self.t
        self.write(GREET)
        # Code typed is kept in the browser: a reload brings it back before it is submitted.
        page.reload()
        expect(page.get_by_role("textbox", name=t("Your code"))).to_contain_text(GREET.strip())
        # Submitted from the keyboard, in the editor: Ctrl+Shift+Enter.
        page.get_by_role("textbox", name=t("Your code")).click()
        page.keyboard.press("ControlOrMeta+Shift+Enter")
        expect(page.get_by_text(t("Accepted: every test passed."))).to_be_visible()
        earned = t.plural(
            "You earned %(points)s point.", "You earned %(points)s points.", REWARD, points=REWARD
        )
        expect(page.get_by_text(earned)).to_be_visible()
        self.check("submission-passed")

    def see_dashboard(self) -> None:
        page, t = self.page, self.t
        self.nav(t("Dashboard"))
        expect(page.get_by_role("region", name=t("Your figures"))).to_contain_text(self.points(REWARD))
        self.check("dashboard-points")
        self.nav(t("Submissions"))
        expect(page.get_by_role("row").filter(has_text=EXERCISE)).to_have_count(2)
        self.check("submissions")

    def buy_hint(self, exercise_url: str, *, paused_first: bool = False) -> None:
        page, t = self.page, self.t
        page.goto(exercise_url)
        hints = page.get_by_role("region", name=t("Hints"))
        expect(hints.locator("#balance")).to_have_text(str(REWARD))
        hint = hints.get_by_role("listitem").filter(has_text=HINT)
        if paused_first:
            # While strangle changes who sells, purchases are refused for a few seconds: said, not charged.
            self.stack.manage("waffle_switch", "purchases_paused", "on")
            time.sleep(SWITCH_TTL + 0.5)
            hint.get_by_role("button", name=re.compile(re.escape(HINT))).click()
            hint.get_by_role("button", name=t("Confirm purchase")).click()
            paused = t(
                "Purchases are paused for a few seconds while the shop is being moved; nothing was bought. "
                "Try again shortly."
            )
            expect(hints.locator("[data-hints-status]")).to_have_text(paused)
            expect(hints.locator("#balance")).to_have_text(str(REWARD))
            self.check("hint-paused")
            self.stack.manage("waffle_switch", "purchases_paused", "off")
            time.sleep(SWITCH_TTL + 0.5)
        hint.get_by_role("button", name=re.compile(re.escape(HINT))).click()
        hint.get_by_role("button", name=t("Confirm purchase")).click()
        expect(hint.get_by_text(HINT_TEXT)).to_be_visible(timeout=30_000)
        expect(hints.locator("#balance")).to_have_text(str(REWARD - HINT_COST))
        self.check("hint-bought")
        page.reload()
        expect(page.get_by_role("region", name=t("Hints")).get_by_text(HINT_TEXT)).to_be_visible()

    def log_out(self) -> None:
        page = self.page
        page.get_by_role("button", name=self.t("Log out")).click()
        t = Words("en")  # logged out, pages speak the browser's language again
        expect(
            page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Log in"))
        ).to_be_visible()
        self.check("logged-out")


def extracted_paths_taken(stack, person: dict, output: str) -> dict[str, bool]:
    """Which of the journey's runs, mails and purchases went through the extracted services."""
    deliveries = stack.query(
        "mailer",
        "from extracted.mailer.deliveries.models import DeliveryLog",
        f"DeliveryLog.objects.filter(recipient={person['email']!r}, status='sent').count()",
    )
    orders = stack.query(
        "shop",
        "from extracted.shop.store.models import Order",
        f"Order.objects.filter(username={person['username']!r}, state='completed').count()",
    )
    return {
        # The runner's access log, as honcho prints it: "12:00:00 runner.1 | ... "POST /api/judge ..."
        "runner_via_service": bool(
            re.search(r'^\S+ runner\.\d+ +\|.*"POST /api/judge', output, re.MULTILINE)
        ),
        "mail_via_queue": int(deliveries) > 0,
        "purchase_via_saga": int(orders) > 0,
    }


def journey(page: Page, stack, person: dict, mail_dir, *, strangler: str, language: str, language_label: str):
    output_from = stack.output_size()
    steps = Journey(page, stack, person, Words(language), f"{language}-{strangler}")
    steps.sign_up(language_label)
    steps.confirm_email(mail_dir)
    rank, points, place = steps.see_leaderboard("before")
    assert points == 0
    assert place > steps.place_of("learner"), "a new learner with no points comes after the demo learner"
    steps.open_exercise()
    exercise_url = page.url
    steps.run("Zoé")
    steps.submit_failing()
    steps.submit_passing()
    steps.see_dashboard()
    rank_after, points_after, place_after = steps.see_leaderboard("after")
    assert points_after == REWARD
    assert rank_after <= rank
    assert place_after < steps.place_of("learner"), "ten points put the learner above the demo learner"
    steps.buy_hint(exercise_url, paused_first=strangler == "on" and language == "fr")
    steps.log_out()
    steps.assert_no_problems()
    taken = extracted_paths_taken(stack, person, stack.output_since(output_from))
    assert taken == dict.fromkeys(SWITCHES, strangler == "on"), f"switches {strangler}, paths taken: {taken}"


def test_a_new_learner_signs_up_solves_an_exercise_and_buys_a_hint(
    page, stack, strangler, new_person, mail_dir
):
    journey(page, stack, new_person, mail_dir, strangler=strangler, language="en", language_label="English")


def test_a_learner_who_chose_french_does_the_same_in_french(page, stack, strangler, new_person, mail_dir):
    words = Words("fr")
    # The catalogue is compiled: the pages below can only pass in French.
    assert words("Create my account") != "Create my account"
    journey(page, stack, new_person, mail_dir, strangler=strangler, language="fr", language_label="Français")
