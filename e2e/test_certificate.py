"""A certificate from exam to verification, in Chromium, against the whole platform.

A learner takes the demo certification exam (three exercises, hidden tests only), submits
the reference solutions, finishes, and downloads the certificate's PDF. The test renders
the PDF, decodes its QR code and opens that address in a browser where nobody is signed
in: the page says "Valid". Staff revoke the certificate with a reason on the same page;
the anonymous browser then reads "Revoked" and the reason. Runs with the strangler
switches off and on (runner service, mail through the mailer). Every page is checked by
axe-core and photographed at desktop width and 375 px.
"""

import itertools
import re
import time

import pypdfium2
import zxingcpp
from playwright.sync_api import Browser, Page, expect

from e2e.browser import DESKTOP, check_page
from e2e.mail import wait_for_mail
from monolith.learning.demo_solutions import reference_solutions

EXAM = "Certified problem solver, level 1"
EXERCISES = {
    "Sum of digits": "sum-of-digits",
    "Run-length encoding": "run-length-encoding",
    "Anagrams": "anagrams",
}
REASON = "Answers shared with another candidate"
_numbers = itertools.count(1)


def _new_learner(stack) -> dict:
    """A learner with a full name (accents included), created on the stack's monolith."""
    username = f"cert{int(time.time()) % 100000}{next(_numbers)}"
    person = {"username": username, "password": "Kestrel-Quartz-91", "email": f"{username}@example.com"}
    stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user(username={username!r}, email={person['email']!r}, "
        f"password={person['password']!r}, first_name='Zoé', last_name='Durand')",
    )
    return person


def _log_in(page: Page, username: str, password: str, next_path: str) -> None:
    page.goto(f"/oidc/authenticate/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def _write(page: Page, code: str) -> None:
    editor = page.get_by_role("textbox", name="Your code")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)
    expect(editor).to_contain_text(code.strip().splitlines()[0])


def _qr_url(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    [barcode] = zxingcpp.read_barcodes(page.render(scale=2).to_pil())
    return barcode.text


def test_a_learner_passes_the_exam_and_anyone_can_verify_the_certificate_until_staff_revoke_it(
    page: Page, browser: Browser, stack, strangler, mail_dir
):
    person = _new_learner(stack)
    solutions = reference_solutions()
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, person["username"], person["password"], "/certificates/")
    check_page(page, f"certificate-{strangler}-01-mine-empty")

    page.get_by_role("link", name=EXAM).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EXAM)
    check_page(page, f"certificate-{strangler}-02-exam")
    page.get_by_role("button", name="Start the exam").click()
    expect(page.locator("#exam-timer")).to_contain_text("30 minutes left")

    for number, (title, slug) in enumerate(EXERCISES.items(), start=1):
        page.get_by_role("navigation", name="Exercises of the exam").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator("textarea[data-editor-ready]")).to_be_attached()
        page.get_by_label("Language").select_option("python")
        _write(page, solutions[slug]["python"])
        page.get_by_role("button", name="Submit", exact=True).click()
        expect(page.locator("#result")).to_contain_text("4 of 4 hidden tests passed.")
        if number == 1:
            check_page(page, f"certificate-{strangler}-03-workspace")

    page.get_by_role("button", name="Finish the exam").click()
    expect(page.get_by_role("heading", level=2, name="Passed, with 100 %.")).to_be_visible()
    check_page(page, f"certificate-{strangler}-04-result")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download it (PDF)").click()
    url = _qr_url(download.value.path().read_bytes())
    assert url.startswith(f"{stack.url}/certificates/")
    mail = wait_for_mail(mail_dir, person["email"], timeout=60)
    assert url in mail.get_body(("plain",)).get_content()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Certificates").click()
    expect(page.get_by_role("link", name=EXAM).first).to_be_visible()
    page.get_by_label("Make my public profile visible to everyone").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your public profile is visible to everyone.")).to_be_visible()
    check_page(page, f"certificate-{strangler}-05-mine")

    anonymous = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB")
    try:
        visitor = anonymous.new_page()
        visitor.goto(url)
        status = visitor.locator("[data-certificate-status]")
        expect(status).to_have_attribute("data-certificate-status", "valid")
        expect(status).to_contain_text("Valid")
        expect(visitor.get_by_text("Zoé Durand")).to_be_visible()
        check_page(visitor, f"certificate-{strangler}-06-valid")
        visitor.goto(f"/u/{person['username']}/")
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Zoé Durand")
        expect(visitor.get_by_role("link", name=EXAM)).to_be_visible()
        check_page(visitor, f"certificate-{strangler}-07-profile")
        visitor.goto(url)

        staff_context = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB")
        try:
            staff = staff_context.new_page()
            staff.on("dialog", lambda dialog: dialog.accept())
            _log_in(staff, "staff", "staff-dev-password", url.removeprefix(stack.url))
            staff.get_by_label("Reason for revoking").fill(REASON)
            check_page(staff, f"certificate-{strangler}-08-staff")
            staff.get_by_role("button", name="Revoke this certificate").click()
            expect(staff.locator("[data-certificate-status]")).to_contain_text("Revoked")
        finally:
            staff_context.close()

        visitor.reload()
        expect(status).to_have_attribute("data-certificate-status", "revoked")
        expect(status).to_contain_text(REASON)
        check_page(visitor, f"certificate-{strangler}-09-revoked")
    finally:
        anonymous.close()


def test_when_time_runs_out_the_timer_takes_the_learner_to_the_result_with_the_saved_answer_submitted(
    page: Page, stack
):
    person = _new_learner(stack)
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, person["username"], person["password"], "/certificates/")
    page.get_by_role("link", name=EXAM).click()
    page.get_by_role("button", name="Start the exam").click()
    expect(page.locator("textarea[data-editor-ready]")).to_be_attached()
    page.get_by_label("Language").select_option("python")
    _write(page, reference_solutions()["sum-of-digits"]["python"])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#result")).to_contain_text("Answer saved")
    # The server's deadline moves to a few seconds from now; the page is not reloaded.
    stack.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from monolith.certificates.models import ExamAttempt; "
        f"ExamAttempt.objects.filter(user__username={person['username']!r}, finished_at=None)"
        ".update(deadline=timezone.now() + timedelta(seconds=3))",
    )

    # The timer asks the server every 15 s; once time is up it opens the graded result.
    expect(
        page.get_by_text("Time ran out: your last saved answers were submitted at the deadline.")
    ).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", level=2)).to_contain_text("Not passed: 27 %")  # 30 of 110 points
    check_page(page, "certificate-deadline-result")
