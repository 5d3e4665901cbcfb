"""A take-home assessment from invitation to report, in Chromium, against the whole platform.

The demo recruiter writes a private exercise, builds a one-minute assessment of two
exercises and invites two candidates with a CSV file; both invitation mails arrive at the
SMTP sink. Candidate A solves the first exercise, leaves partial code on the second and
runs out of time: the server submits that last saved code. Candidate B copies A's first
solution with renamed variables and finishes. The report shows A's automatic submission,
the playback of A's snapshots, and B flagged as similar to A; the CSV export matches the
pipeline. Every page is checked by axe-core and photographed at desktop width and 375 px.
"""

import csv
import io
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from e2e.browser import DESKTOP, check_page
from e2e.mail import link_in, wait_for_mail
from e2e.steps import sign_in

SUM = "n = int(input())\ntotal = 0\nfor i in range(n):\n    total += int(input())\nprint(total)\n"
SUM_COPIED = "count = int(input())\nacc = 0\nfor k in range(count):\n    acc += int(input())\nprint(acc)\n"
#: Right on the public example of "Double it", wrong on its hidden test.
PARTIAL = "input()\nprint(4)\n"


def _type_code(page: Page, code: str) -> None:
    """Replace the editor's content (inserted as a paste would be: no auto-indent)."""
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def _paste(page: Page, text: str) -> None:
    """A paste into the editor, as the browser delivers one (a ClipboardEvent carrying the text)."""
    page.locator(".cm-content").evaluate(
        """(editor, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const init = {clipboardData: data, bubbles: true, cancelable: true};
            editor.dispatchEvent(new ClipboardEvent("paste", init));
        }""",
        text,
    )


def _open_exercise(page: Page, title: str) -> None:
    page.get_by_role("navigation", name="Exercises of the assessment").get_by_role(
        "link", name=re.compile(re.escape(title))
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.wait_for_selector("textarea[data-editor-ready]", state="attached")


def _candidate(browser: Browser, stack, link: str):
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(link)
    expect(page.get_by_text("each time you leave this tab")).to_be_visible()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("minute left")).to_be_visible()
    page.wait_for_selector("textarea[data-editor-ready]", state="attached")
    return context, page


def test_assessment_from_csv_invitations_to_report(
    page: Page, browser: Browser, stack, mail_dir, tmp_path: Path
):
    stamp = f"{int(time.time()) % 100000}"
    title = f"Screening {stamp}"
    ann, ben = f"ann{stamp}@example.org", f"ben{stamp}@example.org"
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "recruiter", "recruiter-dev-password", next_path="/recruit/")
    check_page(page, "assessment-home")

    page.get_by_role("link", name="New team exercise").click()
    page.get_by_label("Title").fill(f"Double it {stamp}")
    page.get_by_label("Statement").fill("Read an integer, print its double.")
    page.get_by_label("Python", exact=True).check()
    page.get_by_label("Tests (JSON)").fill(
        '[{"stdin": "2", "expected": "4", "hidden": false},'
        ' {"stdin": "21", "expected": "42", "hidden": true}]'
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Exercise saved.")).to_be_visible()

    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Python", exact=True).check()
    page.get_by_label("Duration (minutes)").fill("1")
    page.get_by_label("Opens at (UTC)").fill("2026-01-01T00:00")
    page.get_by_label("Closes at (UTC)").fill("2035-01-01T00:00")
    page.get_by_label("Acme Recruiting (private) · Sum of a list", exact=True).check()
    page.get_by_label(f"Acme Recruiting (private) · Double it {stamp}", exact=True).check()
    check_page(page, "assessment-new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    pipeline_url = page.url

    upload = tmp_path / "candidates.csv"
    upload.write_text(f"name,email\nAnn {stamp},{ann}\nBen {stamp},{ben}\n")
    page.locator("#id_file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and invite").click()
    expect(page.get_by_text("2 invitation(s) sent.")).to_be_visible()
    check_page(page, "assessment-pipeline-invited")
    links = {
        who: link_in(wait_for_mail(mail_dir, who, containing="/assessment/start/"), "/assessment/start/")
        for who in (ann, ben)
    }

    # Ann: first exercise solved and submitted, the second left half done when time runs out.
    ann_context, ann_page = _candidate(browser, stack, links[ann])
    check_page(ann_page, "assessment-attempt")
    _open_exercise(ann_page, "Sum of a list")
    _type_code(ann_page, SUM)
    ann_page.get_by_role("button", name="Submit").click()
    expect(ann_page.get_by_text("3 of 3 tests passed (hidden included).")).to_be_visible()
    _open_exercise(ann_page, "Double it")
    _paste(ann_page, "x" * 120)
    _type_code(ann_page, PARTIAL)
    expect(ann_page.locator("[data-autosave-status]")).to_contain_text("Saved")
    # A reload loses nothing: the page comes back with the saved code.
    ann_page.reload()
    expect(ann_page.locator(".cm-content")).to_contain_text("print(4)")

    # Ben copies Ann's first solution with other names, and finishes.
    ben_context, ben_page = _candidate(browser, stack, links[ben])
    _open_exercise(ben_page, "Sum of a list")
    _type_code(ben_page, SUM_COPIED)
    ben_page.get_by_role("button", name="Submit").click()
    expect(ben_page.get_by_text("3 of 3 tests passed (hidden included).")).to_be_visible()
    ben_page.get_by_role("button", name="Finish the assessment").click()
    expect(ben_page.get_by_text("Your assessment is submitted.")).to_be_visible()
    ben_context.close()

    # Ann's minute runs out: the timer's next poll (or a reload) finds the attempt submitted.
    deadline = ann_page.locator("#assessment-timer").get_attribute("data-deadline")
    expect(ann_page.get_by_text("Time ran out")).to_be_visible(timeout=90_000)
    check_page(ann_page, "assessment-done")
    ann_context.close()
    assert deadline

    page.goto(pipeline_url + "?sort=score")
    rows = page.locator("#pipeline tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(ann)
    expect(rows.nth(1)).to_contain_text(ben)
    check_page(page, "assessment-pipeline")
    shown = [
        (
            rows.nth(i).get_attribute("data-email"),
            rows.nth(i).locator("td").nth(2).inner_text().replace(" %", ""),
        )
        for i in range(2)
    ]
    export = page.request.get(pipeline_url + "results.csv")
    exported = [(r["email"], r["score_percent"]) for r in csv.DictReader(io.StringIO(export.text()))]
    assert exported == shown == [(ann, "75"), (ben, "50")]

    page.locator(f'#pipeline tr[data-email="{ann}"] a').click()
    expect(page.get_by_text("submitted automatically at the deadline")).to_be_visible()
    expect(page.locator("#integrity")).to_contain_text("1 paste into the editor — 120 characters in all")
    # Headless Chromium keeps every tab visible: tab leaves are covered by the page tests.
    double = page.locator(".report-exercise").filter(has_text="Double it")
    expect(double.locator(".final-code")).to_contain_text("print(4)")
    expect(double.get_by_text("1 / 2 tests passed")).to_be_visible()
    expect(double.locator("[data-playback-label]")).to_contain_text("deadline")
    first = page.locator(".report-exercise").filter(has_text="Sum of a list")
    expect(first.get_by_text(f"Similar to Ben {stamp}")).to_be_visible()
    expect(first.locator(".similar")).to_contain_text("acc += int(input())")
    playback = first.locator("[data-playback-range]")
    playback.fill("0")
    expect(first.locator("[data-playback-label]")).to_contain_text("1 / ")
    check_page(page, "assessment-report")
