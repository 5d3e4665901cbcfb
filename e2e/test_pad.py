"""A live interview in two browsers at once, through the gateway, against the whole platform.

The demo recruiter opens a pad and hands its link to a candidate who has no account.
Both type into the shared editor at the same time (their keystrokes interleaved, so pushes
cross on the wire and are rebased); both end with the same text, and a run started by the
candidate shows its output on both pages. The interviewer's private notes never reach the
candidate's page. The playback on the interviewer's page replays both authors' changes.
Ending the interview turns the candidate's pad read-only and the link stops working.
Every page is checked by axe-core and photographed at desktop width and 375 px.
"""

import json

from playwright.sync_api import Browser, Page, expect

from e2e.browser import DESKTOP, check_page
from e2e.steps import sign_in

CANDIDATE_TYPES = "x = 20\ny = 22\n"
INTERVIEWER_TYPES = "print(x + y)\n"
NOTE = "Explains the plan before typing (note 7f3a)."


def _doc(page: Page) -> str:
    return page.evaluate("() => document.querySelector('[data-pad]').padView.state.doc.toString()")


def _live(page: Page) -> None:
    expect(page.locator("[data-pad]")).to_have_attribute("data-state", "statusLive")
    page.wait_for_function("() => !!document.querySelector('[data-pad]').padView")


def test_two_people_edit_run_and_replay_a_pad(browser: Browser, stack, page: Page):
    sign_in(page, "recruiter", "recruiter-dev-password", next_path="/recruit/")
    page.get_by_role("link", name="Live interviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Live interviews")
    check_page(page, "pad-list")
    page.get_by_label("Title").fill("Pairing: sums")
    page.get_by_label("Candidate's name").fill("Cleo Candidate")
    page.get_by_label("Language").select_option("python")
    page.get_by_role("button", name="Open the pad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pairing: sums")
    link = page.locator("[data-pad-link]").input_value()
    assert "/pad/" in link
    _live(page)

    candidate_context = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB")
    candidate = candidate_context.new_page()
    try:
        candidate.goto(link)
        expect(candidate.get_by_role("heading", level=1)).to_have_text("Pairing: sums")
        _live(candidate)

        # A first line, then each types at once at their own end of it.
        page.locator(".cm-content").click()
        page.keyboard.insert_text("# shared\n")
        candidate.wait_for_function(
            "() => document.querySelector('[data-pad]').padView.state.doc.length === 9"
        )
        page.keyboard.press("Control+End")
        candidate.locator(".cm-content").click()
        candidate.keyboard.press("Control+Home")
        for i in range(max(len(CANDIDATE_TYPES), len(INTERVIEWER_TYPES))):
            if i < len(INTERVIEWER_TYPES):
                page.keyboard.type(INTERVIEWER_TYPES[i])
            if i < len(CANDIDATE_TYPES):
                candidate.keyboard.type(CANDIDATE_TYPES[i])

        expected = CANDIDATE_TYPES + "# shared\n" + INTERVIEWER_TYPES
        for side in (page, candidate):
            side.wait_for_function(
                "expected => document.querySelector('[data-pad]').padView.state.doc.toString() === expected",
                arg=expected,
            )
        assert _doc(page) == _doc(candidate) == expected

        candidate.get_by_role("button", name="Run").click()
        for side in (page, candidate):
            expect(side.locator("[data-pad-output] [data-pad-part=stdout]")).to_have_text("42")
            expect(side.locator("[data-pad-output]")).to_contain_text("Run by the candidate")
        check_page(candidate, "pad-candidate")

        notes = page.get_by_label("Private notes")
        notes.fill(NOTE)
        expect(page.locator("[data-notes-status]")).to_have_text("Saved")
        check_page(page, "pad-interviewer")
        candidate.reload()
        _live(candidate)
        assert "7f3a" not in candidate.content()
        assert "Private notes" not in candidate.content()

        page.reload()
        expect(page.get_by_label("Private notes")).to_have_value(NOTE)
        frames = json.loads(page.locator("#pad-playback").text_content())
        assert frames[0]["code"] == ""
        assert frames[-1]["code"] == expected
        assert {"interviewer", "candidate"} <= {frame["kind"] for frame in frames}
        playback = page.locator("[data-playback]")
        scrub = playback.get_by_role("slider")
        first_by_candidate = next(i for i, f in enumerate(frames) if f["kind"] == "candidate")
        scrub.fill(str(first_by_candidate))
        expect(playback.locator("[data-playback-code]")).to_have_text(frames[first_by_candidate]["code"])
        expect(playback.locator("[data-playback-label]")).to_contain_text("candidate")
        scrub.fill("0")
        expect(playback.locator("[data-playback-label]")).to_contain_text(f"1 / {len(frames)}")

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="End the interview").click()
        expect(page.get_by_text("Interview ended")).to_be_visible()
        expect(candidate.locator("[data-pad]")).to_have_attribute("data-state", "statusEnded")
        check_page(page, "pad-ended")
        response = candidate.goto(link)
        assert response.status == 410
        expect(candidate.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
        check_page(candidate, "pad-link-ended")
    finally:
        candidate_context.close()
