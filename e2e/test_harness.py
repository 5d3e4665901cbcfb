"""The checks every journey relies on can fail: axe-core, the 375 px check, the mail reader,
and a stack that does not come up is stopped."""

import os
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page

from e2e.browser import SCREENSHOTS, assert_accessible, shot
from e2e.mail import link_in, mails_to
from e2e.stack import Stack, free_port_base


@pytest.fixture
def blank(browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_axe_fails_a_page_with_a_nameless_button_and_says_where(blank: Page):
    blank.set_content('<html lang="en"><title>t</title><main><button></button></main></html>')

    with pytest.raises(AssertionError) as failure:
        assert_accessible(blank)

    assert "button-name" in str(failure.value)
    assert "<button></button>" in str(failure.value)


def test_axe_passes_a_page_without_serious_violations(blank: Page):
    blank.set_content('<html lang="en"><title>t</title><main><h1>Hi</h1><button>Run</button></main></html>')

    assert_accessible(blank)


def test_a_page_wider_than_a_phone_fails_and_both_screenshots_are_kept(blank: Page):
    blank.set_content('<html lang="en"><title>t</title><div id="wide" style="width:600px">x</div></html>')

    with pytest.raises(AssertionError, match="div#wide"):
        shot(blank, "harness-too-wide")

    assert (SCREENSHOTS / "harness-too-wide.png").exists()
    assert (SCREENSHOTS / "harness-too-wide-375.png").exists()
    assert blank.viewport_size == {"width": 1280, "height": 800}


def test_mails_are_found_by_envelope_recipient_and_their_link_by_path(tmp_path):
    message = EmailMessage()
    message["Subject"] = "Confirm"
    message.set_content("Open http://localhost:8000/emails/verify/abc123 to confirm.\n")
    (tmp_path / "1.eml").write_bytes(b"X-RcptTo: Zoe@Example.com, b@example.com\r\n" + message.as_bytes())
    (tmp_path / "2.eml").write_bytes(b"X-RcptTo: other@example.com\r\n" + message.as_bytes())

    found = mails_to(tmp_path, "zoe@example.com")

    assert len(found) == 1
    assert link_in(found[0], "/emails/verify/") == "http://localhost:8000/emails/verify/abc123"
    with pytest.raises(AssertionError, match="no link"):
        link_in(found[0], "/teams/invitations/")


def test_a_stack_that_is_not_up_in_time_is_stopped_with_everything_it_started(tmp_path):
    stack = Stack(tmp_path / "var", free_port_base())

    with pytest.raises(RuntimeError, match="not up after 3s") as failure:
        stack.start(timeout=3)

    assert "last lines of the stack's output" in str(failure.value)
    assert stack.process.poll() is not None
    left = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if stack._ours(pid)]
    assert left == []
