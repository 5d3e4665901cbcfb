"""The code editor (editor.js from the committed bundle) in a real Chromium.

The page is a small fixture form, served with the committed app.js and editor.js under
a strict Content-Security-Policy, so the editor's contract with the exercise page is
tested on its own: drafts, language switching, keyboard, accessible name, and the
code reaching the server in plain and htmx posts. No database needed.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright

DIST = Path(__file__).resolve().parents[1] / "static" / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[3] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
NONCE = "c3R5bGVzLW9ubHk"
CSP = f"default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{NONCE}'; img-src 'self'"
STARTERS = {"python": "print('starter')\n", "rust": "fn main() {}\n", "java": "class Main {}\n"}
SERVER_CODE = 'print("last attempt")\n'
DRAFT_KEY = "exercise-12"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exercise</title>
<meta name="csrf-token" content="the-token">
<script src="/dist/app.js" defer></script>
<script src="/dist/editor.js" nonce="{nonce}" defer></script>
</head><body>
<main>
<h1>Exercise</h1>
<form method="post" action="/attempts" {htmx}>
  <label for="language">Language</label>
  <select id="language" name="language" data-editor-language>
    <option value="python">Python</option><option value="rust">Rust</option><option value="java">Java</option>
  </select>
  <label for="code">Your code</label>
  <p id="code-help">Escape then Tab leaves the editor.</p>
  <textarea id="code" name="code" required data-editor data-language="python" data-theme="{theme}"
    data-keymap="{keymap}" data-draft-key="{draft_key}" data-last-attempt-at="{last}"
    aria-describedby="code-help">{code}</textarea>
  <div data-editor-starters><script type="application/json">{starters}</script></div>
  <p data-editor-status aria-live="polite" data-message-restored="Brouillon restauré"></p>
  <label for="stdin">Input</label>
  <textarea id="stdin" name="stdin"></textarea>
  <button type="submit" name="action" value="run" data-editor-run>Run</button>
  <button type="submit" name="action" value="submit" data-editor-submit>Submit</button>
</form>
<pre id="result"></pre>
</main>
</body></html>
"""


class FixtureSite(BaseHTTPRequestHandler):
    """GET /exercise renders PAGE (query parameters fill it in); POST echoes what it received."""

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path.startswith("/dist/"):
            body = (DIST / Path(url.path).name).read_bytes()
            return self.reply(200, "text/javascript", body)
        if url.path != "/exercise":  # the browser's /favicon.ico
            return self.reply(404 if url.path != "/favicon.ico" else 204, "text/plain", b"")
        query = dict(parse_qsl(url.query))
        htmx = 'hx-post="/attempts" hx-target="#result"' if query.get("htmx") else ""
        html = PAGE.format(
            nonce=NONCE,
            htmx=htmx,
            theme=query.get("theme", "light"),
            keymap=query.get("keymap", "default"),
            draft_key=DRAFT_KEY,
            last=query.get("last", ""),
            code=SERVER_CODE,
            starters=json.dumps(STARTERS),
        )
        return self.reply(200, "text/html; charset=utf-8", html.encode())

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        echo = {
            "form": parse_qs(data),
            "csrf": self.headers.get("X-CSRFToken"),
            "htmx": self.headers.get("HX-Request"),
        }
        return self.reply(200, "text/plain; charset=utf-8", json.dumps(echo).encode())

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FixtureSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh profile (empty localStorage) that records every console error and CSP refusal."""
    context = browser.new_context()
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def open_exercise(page: Page, site: str, **query) -> None:
    page.goto(f"{site}/exercise?{urlencode(query)}")
    page.wait_for_selector("textarea[data-editor-ready] + .cm-editor")


def editor_text(page: Page) -> str:
    return page.locator("#code").input_value()


def type_at_end(page: Page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(text)


def saved_draft(page: Page, language: str) -> dict | None:
    raw = page.evaluate("key => localStorage.getItem(key)", f"polycode:draft:{DRAFT_KEY}:{language}")
    return json.loads(raw) if raw else None


def test_the_editor_replaces_the_textarea_and_is_named_by_its_label(page, site):
    open_exercise(page, site)

    content = page.locator(".cm-content")
    assert page.locator("#code").is_hidden()
    assert content.get_attribute("aria-labelledby") == page.locator("label[for=code]").get_attribute("id")
    assert content.get_attribute("aria-describedby") == "code-help"
    assert content.get_attribute("aria-required") == "true"
    assert content.inner_text().startswith('print("last attempt")')
    assert page.problems == []


def test_typed_code_is_saved_as_a_draft_and_restored_after_a_reload(page, site):
    open_exercise(page, site)
    type_at_end(page, "x = 1\n")
    page.wait_for_timeout(600)

    assert saved_draft(page, "python")["code"] == SERVER_CODE + "x = 1\n"
    page.reload()
    page.wait_for_selector(".cm-editor")
    assert editor_text(page) == SERVER_CODE + "x = 1\n"
    assert page.locator("[data-editor-status]").inner_text() == "Brouillon restauré"


def test_an_attempt_newer_than_the_draft_wins(page, site):
    open_exercise(page, site)
    type_at_end(page, "old = True\n")
    page.wait_for_timeout(600)

    open_exercise(page, site, last="2999-01-01T00:00:00.000001+00:00")

    assert editor_text(page) == SERVER_CODE
    assert page.locator("[data-editor-status]").inner_text() == ""


def test_switching_language_keeps_what_was_typed_in_each_language(page, site):
    open_exercise(page, site)
    type_at_end(page, "py = 1\n")

    page.select_option("#language", "rust")
    assert editor_text(page) == STARTERS["rust"]
    type_at_end(page, "// rust\n")
    page.select_option("#language", "python")
    assert editor_text(page) == SERVER_CODE + "py = 1\n"
    page.select_option("#language", "rust")
    assert editor_text(page) == STARTERS["rust"] + "// rust\n"

    page.wait_for_timeout(600)
    page.reload()
    page.wait_for_selector(".cm-editor")
    page.select_option("#language", "rust")
    assert editor_text(page) == STARTERS["rust"] + "// rust\n"


def test_ctrl_enter_runs_and_ctrl_shift_enter_submits_the_current_code(page, site):
    open_exercise(page, site)
    type_at_end(page, "y = 2\n")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    posted = json.loads(page.locator("body").inner_text())["form"]
    assert posted["action"] == ["run"]
    assert posted["code"][0].replace("\r\n", "\n") == SERVER_CODE + "y = 2\n"

    open_exercise(page, site)
    page.locator("#stdin").click()
    with page.expect_navigation():
        page.keyboard.press("Control+Shift+Enter")
    assert json.loads(page.locator("body").inner_text())["form"]["action"] == ["submit"]


def test_an_htmx_post_carries_the_code_and_the_csrf_token(page, site):
    open_exercise(page, site, htmx=1)
    type_at_end(page, "z = 3\n")

    page.keyboard.press("Control+Enter")
    page.locator("#result", has_text="form").wait_for()

    echo = json.loads(page.locator("#result").inner_text())
    assert echo["htmx"] == "true"
    assert echo["csrf"] == "the-token"
    assert echo["form"]["code"][0].replace("\r\n", "\n") == SERVER_CODE + "z = 3\n"
    assert echo["form"]["action"] == ["run"]


@pytest.mark.parametrize("keymap", ["default", "vim", "emacs"])
def test_tab_indents_and_escape_then_tab_leaves_the_editor(page, site, keymap):
    open_exercise(page, site, keymap=keymap)
    page.locator(".cm-content").click()
    if keymap == "default":
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('cm-content')")

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.id") == "stdin"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_both_themes_pass_axe_without_serious_violations(page, site, theme):
    open_exercise(page, site, theme=theme)
    type_at_end(page, "# comment\nclass A:\n    s = r'\\d' + f'{1}'  # ok\n")
    page.evaluate(AXE.read_text())

    violations = page.evaluate("async () => (await axe.run(document)).violations")

    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.problems == []
